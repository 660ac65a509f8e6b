import 'reflect-metadata';
import { type Entity, type GraphRelationship, isMappedRelationship, SourceAuthError, SourceRequestError, silentLogger } from '@jumpcloud-graph/domain';
import {
  application,
  group,
  InMemorySource,
  member,
  org,
  RecordingPublisher,
  system,
  systemGroup,
  user,
  type Directory,
} from './__fixtures__/in-memory-ports';
import { type StepId, STEPS, stepTypes, withDependencies } from '@jumpcloud-graph/graph-mapping';
import { type ProgressEvent, type SyncOptions } from './sync-options';
import { SyncRunner } from './sync-runner';

const options: SyncOptions = { consoleUrl: 'https://console.jumpcloud.com', tagAccountName: false, includeSshKeys: false };

function directory(orgId: string, users = 3): Directory {
  // keys of at least 10 characters, as the data model requires
  const ids = Array.from({ length: users }, (_, i) => `${orgId}-member-${i}`);
  const app = `${orgId}-application-0`;
  const host = `${orgId}-system-0`;
  const devices = `${orgId}-devices-0`;
  return {
    organization: org(`${orgId}-organization`),
    users: ids.map((id) => user(id)),
    groups: [group(`${orgId}-group-0`), group(`${orgId}-group-1`)],
    members: { [`${orgId}-group-0`]: ids.map((id) => member(`${orgId}-group-0`, id)), [`${orgId}-group-1`]: [] },
    applications: [application(app)],
    associations: { [app]: [member(app, ids[0]), member(app, `${orgId}-group-1`, 'user_group')] },
    systems: [system(host)],
    systemGroups: [systemGroup(devices)],
    systemGroupMembers: { [devices]: [member(devices, host, 'system')] },
    systemUsers: { [host]: [ids[0]] },
  };
}

const typesOf = (objects: Array<{ _type: string }>) => [...new Set(objects.map((o) => o._type))].sort();

describe('SyncRunner', () => {
  it('writes the account, users, groups, memberships and employees, then finishes', async () => {
    const publisher = new RecordingPublisher();
    const events: ProgressEvent[] = [];
    const summary = await new SyncRunner(new InMemorySource([directory('o1')]), publisher, silentLogger, options).run((e) => events.push(e));
    const [session] = publisher.sessions;
    expect(typesOf(session.entities)).toEqual([
      'jumpcloud_account',
      'jumpcloud_application',
      'jumpcloud_device',
      'jumpcloud_device_group',
      'jumpcloud_group',
      'jumpcloud_user',
    ]);
    expect(typesOf(session.relationships)).toEqual([
      'jumpcloud_account_has_application',
      'jumpcloud_account_has_device',
      'jumpcloud_account_has_group',
      'jumpcloud_account_has_user',
      'jumpcloud_device_group_has_device',
      'jumpcloud_group_assigned_application',
      'jumpcloud_group_has_user',
      'jumpcloud_user_assigned_application',
      'jumpcloud_user_is_employee',
      'jumpcloud_user_uses_device',
    ]);
    expect(summary).toMatchObject({
      status: 'success',
      entities: { jumpcloud_account: 1, jumpcloud_user: 3, jumpcloud_group: 2, jumpcloud_application: 1, jumpcloud_device: 1, jumpcloud_device_group: 1 },
      relationships: { jumpcloud_group_has_user: 3, jumpcloud_user_is_employee: 3, jumpcloud_user_uses_device: 1, jumpcloud_device_group_has_device: 1 },
      danglingReferences: 0,
      duplicateKeys: 0,
      invalidEntities: 0,
    });
    expect(session.finished?.partialTypes).toEqual([]);
    expect(events.filter((e) => e.kind === 'step-end' && e.status === 'success').map((e) => e.kind === 'step-end' && e.stepId)).toEqual(
      expect.arrayContaining(['account', 'users', 'groups', 'group-members', 'employees', 'applications', 'devices', 'device-groups', 'application-assignments', 'device-group-members', 'user-devices']),
    );
  });

  describe('with enough users that the edge steps overlap the users step', () => {
    // 250 users are three pages; group-members starts once the groups are known (its startsAfter),
    // while users are still being read, so members of users written later must wait for them.
    const USERS = 250;

    /** One entry per step start or end and per object written, in the order they happened. */
    type Event = { kind: 'start' | 'end'; stepId: string } | { kind: 'entity' | 'relationship'; type: string; key: string; from?: string; to?: string };

    /** Reads users a page per turn of the event loop after the first (the big list is the slow one), every other list at once. */
    class SlowUsersSource extends InMemorySource {
      override async *users(orgId: string) {
        let first = true;
        for await (const page of super.users(orgId)) {
          if (!first) await new Promise((resolve) => setImmediate(resolve));
          first = false;
          yield page;
        }
      }
    }

    /** A RecordingPublisher that also appends every write to the shared timeline. */
    class TimelinePublisher extends RecordingPublisher {
      constructor(private readonly timeline: Event[]) {
        super();
      }
      override async openSession() {
        const session = await super.openSession();
        return {
          ...session,
          writeEntities: async (batch: readonly Entity[]) => {
            for (const e of batch) this.timeline.push({ kind: 'entity', type: e._type, key: e._key });
            await session.writeEntities(batch);
          },
          writeRelationships: async (batch: readonly GraphRelationship[]) => {
            for (const r of batch) {
              const ends = isMappedRelationship(r) ? {} : { from: r._fromEntityKey, to: r._toEntityKey };
              this.timeline.push({ kind: 'relationship', type: r._type, key: r._key, ...ends });
            }
            await session.writeRelationships(batch);
          },
        };
      }
    }

    /**
     * Every edge points at a user: group-0 lists all of them, last page first (the members read
     * first are the users written last), and a ghost; the application and the system are bound
     * to the last user.
     */
    async function syncLateMembers() {
      const dir = directory('o1', USERS);
      const ids = dir.users.map((u) => u.id);
      const last = ids[ids.length - 1];
      dir.members['o1-group-0'] = [...ids].reverse().map((id) => member('o1-group-0', id));
      dir.members['o1-group-0'].push(member('o1-group-0', 'ghost-user-1'));
      dir.associations = { 'o1-application-0': [member('o1-application-0', last), member('o1-application-0', 'o1-group-1', 'user_group')] };
      dir.systemUsers = { 'o1-system-0': [last] };
      const timeline: Event[] = [];
      const publisher = new TimelinePublisher(timeline);
      const summary = await new SyncRunner(new SlowUsersSource([dir]), publisher, silentLogger, options).run((e) => {
        if (e.kind === 'step-start') timeline.push({ kind: 'start', stepId: e.stepId });
        if (e.kind === 'step-end') timeline.push({ kind: 'end', stepId: e.stepId });
      });
      const at = (kind: 'start' | 'end', stepId: string) => {
        const index = timeline.findIndex((e) => e.kind === kind && 'stepId' in e && e.stepId === stepId);
        if (index < 0) throw new Error(`no ${kind} of step ${stepId} in the timeline`);
        return index;
      };
      // What these tests are for: group-members started while users were still being written, so
      // some members were related at once and others had to wait for their users.
      const lateUsers = timeline.slice(at('start', 'group-members')).filter((e) => e.kind === 'entity' && e.type === 'jumpcloud_user').length;
      const earlyMemberships = timeline.slice(0, at('end', 'users')).filter((e) => e.kind === 'relationship' && e.type === 'jumpcloud_group_has_user').length;
      if (lateUsers === 0 || earlyMemberships === 0) {
        throw new Error(`the fixture did not make group-members overlap the users step (${lateUsers} users written after it started, ${earlyMemberships} memberships before users ended)`);
      }
      return { ids, last, timeline, summary, at, session: publisher.sessions[0] };
    }

    it('starts each step only after the steps it reads have ended, and every step after the account', async () => {
      const { at } = await syncLateMembers();
      // [step that must have ended, step that may only start then]
      const guaranteed: Array<[StepId, StepId]> = [
        ['users', 'employees'],
        ['groups', 'group-members'],
        ['applications', 'application-assignments'],
        ['devices', 'user-devices'],
        ['device-groups', 'device-group-members'],
        ...STEPS.filter((s) => s.id !== 'account').map((s): [StepId, StepId] => ['account', s.id]),
      ];
      const broken = guaranteed.filter(([before, after]) => !(at('end', before) < at('start', after))).map(([before, after]) => `${after} started before ${before} ended`);
      expect(broken).toEqual([]);
      // every step ran exactly once
      for (const step of STEPS) expect(at('end', step.id)).toBeGreaterThan(at('start', step.id));
    });

    it('relates every member of every edge step, members written after their list was read included, and none before it is written', async () => {
      const { ids, last, timeline, summary, session } = await syncLateMembers();
      expect(summary.status).toBe('success');
      expect(summary.partialTypes).toEqual([]);
      const ends = (type: string) =>
        session.relationships.filter((r) => r._type === type).map((r) => (isMappedRelationship(r) ? r._key : `${r._fromEntityKey} -> ${r._toEntityKey}`));
      // every membership lands, once; only the ghost is dangling
      expect(ends('jumpcloud_group_has_user').sort()).toEqual(ids.map((id) => `o1-group-0 -> ${id}`).sort());
      expect(summary.danglingReferences).toBe(1);
      expect(summary.duplicateKeys).toBe(0);
      expect(ends('jumpcloud_user_assigned_application')).toEqual([`${last} -> o1-application-0`]);
      expect(ends('jumpcloud_group_assigned_application')).toEqual(['o1-group-1 -> o1-application-0']);
      expect(ends('jumpcloud_user_uses_device')).toEqual([`${last} -> o1-system-0`]);
      expect(summary.relationships['jumpcloud_user_is_employee']).toBe(USERS);
      // and no relationship is written before both of its ends are
      const written = new Set<string>();
      const early: string[] = [];
      for (const event of timeline) {
        if (event.kind === 'entity') written.add(event.key);
        if (event.kind === 'relationship' && event.from !== undefined && event.to !== undefined) {
          if (!written.has(event.from) || !written.has(event.to)) early.push(`${event.type} ${event.from} -> ${event.to}`);
        }
      }
      expect(early).toEqual([]);
    });
  });

  it('counts dangling members and drops repeated ones', async () => {
    const dir = directory('o1');
    dir.members['o1-group-0'].push(member('o1-group-0', 'ghost-user-1'), member('o1-group-0', 'o1-member-0'));
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(new InMemorySource([dir]), publisher, silentLogger, options).run();
    expect(summary.danglingReferences).toBe(1);
    expect(summary.duplicateKeys).toBe(1);
    const memberships = publisher.sessions[0].relationships.filter((r) => r._type === 'jumpcloud_group_has_user');
    expect(memberships).toHaveLength(3);
    expect(new Set(memberships.map((r) => r._key)).size).toBe(3);
  });

  it('makes a failed step partial with its dependents, and the other steps go on', async () => {
    const source = new InMemorySource([directory('o1', 250)], [{ list: 'users', error: new SourceRequestError('HTTP 500'), afterPages: 1 }]);
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(source, publisher, silentLogger, options).run();
    expect(summary.status).toBe('partial');
    expect(summary.partialTypes).toEqual(
      expect.arrayContaining(['jumpcloud_user', 'jumpcloud_account_has_user', 'jumpcloud_group_has_user', 'jumpcloud_user_is_employee', 'employee']),
    );
    expect(summary.partialTypes).not.toContain('jumpcloud_group');
    const session = publisher.sessions[0];
    expect(session.finished).toBeDefined();
    // groups went on; the first page of users was written; members of uncollected users are
    // neither emitted nor counted as dangling, since users are partial
    expect(session.entities.filter((e) => e._type === 'jumpcloud_group')).toHaveLength(2);
    expect(session.entities.filter((e) => e._type === 'jumpcloud_user')).toHaveLength(100);
    expect(session.relationships.filter((r) => r._type === 'jumpcloud_group_has_user')).toHaveLength(100);
    expect(summary.danglingReferences).toBe(0);
    expect(summary.steps.find((s) => s.stepId === 'users')).toMatchObject({ status: 'failure', error: 'HTTP 500' });
  });

  it('aborts the session on a fatal error and never finishes it', async () => {
    const source = new InMemorySource([directory('o1')], [{ list: 'userGroups', error: new SourceAuthError('HTTP 401') }]);
    const publisher = new RecordingPublisher();
    await expect(new SyncRunner(source, publisher, silentLogger, options).run()).rejects.toBeInstanceOf(SourceAuthError);
    expect(publisher.sessions[0].finished).toBeUndefined();
    expect(publisher.sessions[0].aborted).toBe('HTTP 401');
  });

  it('aborts when writing to the target fails', async () => {
    const publisher = new RecordingPublisher(true);
    await expect(new SyncRunner(new InMemorySource([directory('o1')]), publisher, silentLogger, options).run()).rejects.toMatchObject({
      code: 'PUBLISH_WRITE_ERROR',
      fatal: true,
    });
    expect(publisher.sessions[0].finished).toBeUndefined();
    expect(publisher.sessions[0].aborted).toContain('disk full');
  });

  it('aborts the session when finishing it fails', async () => {
    const publisher = new RecordingPublisher(false, true);
    await expect(new SyncRunner(new InMemorySource([directory('o1')]), publisher, silentLogger, options).run()).rejects.toThrow('finalize refused');
    expect(publisher.sessions[0].aborted).toBe('finalize refused');
  });

  it('aborts the session, never finishing it, when the run is cancelled from outside', async () => {
    const publisher = new RecordingPublisher();
    const cancel = new AbortController();
    const run = new SyncRunner(new InMemorySource([directory('o1', 500)]), publisher, silentLogger, options).run(
      (event) => {
        if (event.kind === 'step-start' && event.stepId === 'users') cancel.abort('shutting down');
      },
      { signal: cancel.signal },
    );
    await expect(run).rejects.toMatchObject({ code: 'SYNC_CANCELLED', message: 'sync cancelled: shutting down' });
    expect(publisher.sessions[0].finished).toBeUndefined();
    expect(publisher.sessions[0].aborted).toBe('sync cancelled: shutting down');
  });

  it('opens no session when the organizations cannot be read', async () => {
    const source = new InMemorySource([directory('o1')], [{ list: 'organizations', error: new SourceAuthError('HTTP 401') }]);
    const publisher = new RecordingPublisher();
    await expect(new SyncRunner(source, publisher, silentLogger, options).run()).rejects.toBeInstanceOf(SourceAuthError);
    expect(publisher.sessions).toHaveLength(0);
  });

  it('syncs every organization into one session, each with its own account subgraph', async () => {
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(new InMemorySource([directory('o1', 2), directory('o2', 3)]), publisher, silentLogger, options).run();
    expect(summary.organizations.map((o) => o.id)).toEqual(['o1-organization', 'o2-organization']);
    expect(summary.entities).toMatchObject({ jumpcloud_account: 2, jumpcloud_user: 5 });
    const accountOf = (userKey: string) =>
      publisher.sessions[0].relationships.find((r) => r._type === 'jumpcloud_account_has_user' && '_toEntityKey' in r && r._toEntityKey === userKey);
    expect(accountOf('o2-member-1')).toMatchObject({ _fromEntityKey: 'o2-organization' });
  });

  it('runs only the selected steps; the types of the others are partial', async () => {
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(new InMemorySource([directory('o1')]), publisher, silentLogger, { ...options, steps: ['account', 'groups'] }).run();
    expect(typesOf(publisher.sessions[0].entities)).toEqual(['jumpcloud_account', 'jumpcloud_group']);
    expect(summary.status).toBe('success');
    expect(summary.partialTypes).toEqual(expect.arrayContaining(['jumpcloud_user', 'jumpcloud_group_has_user', 'employee']));
    expect(summary.partialTypes).not.toContain('jumpcloud_group');
  });

  it.each(['group-members', 'application-assignments', 'user-devices', 'device-group-members', 'employees'] as const)(
    'runs %s with the steps it depends on, so its types are written, not emptied',
    async (stepId) => {
      const publisher = new RecordingPublisher();
      const summary = await new SyncRunner(new InMemorySource([directory('o1')]), publisher, silentLogger, { ...options, steps: [stepId] }).run();
      const definition = STEPS.find((s) => s.id === stepId);
      const expectedAdded = withDependencies([stepId]).filter((id) => id !== stepId);
      expect(summary.addedSteps).toEqual(expectedAdded);
      expect(summary.addedSteps).toContain('account');
      const written = new Set([...publisher.sessions[0].entities, ...publisher.sessions[0].relationships].map((o) => o._type));
      for (const type of definition?.relationshipTypes ?? []) {
        // a type of the selected step is either written or partial (kept), never emptied
        expect(written.has(type) || summary.partialTypes.includes(type)).toBe(true);
      }
      expect(stepTypes(stepId).some((type) => written.has(type))).toBe(true);
      for (const type of stepTypes(stepId)) expect(summary.partialTypes).not.toContain(type);
      // steps neither selected nor needed keep their types
      const notRun = STEPS.filter((s) => s.id !== stepId && !expectedAdded.includes(s.id));
      for (const step of notRun) for (const type of stepTypes(step.id)) expect(summary.partialTypes).toContain(type);
    },
  );

  it('reports no added steps when the selection is closed under its dependencies, or absent', async () => {
    const selected = await new SyncRunner(new InMemorySource([directory('o1')]), new RecordingPublisher(), silentLogger, { ...options, steps: ['account', 'users'] }).run();
    expect(selected.addedSteps).toEqual([]);
    const all = await new SyncRunner(new InMemorySource([directory('o1')]), new RecordingPublisher(), silentLogger, options).run();
    expect(all.addedSteps).toEqual([]);
    expect(all.partialTypes).toEqual([]);
  });

  it('counts and logs an entity that does not match its data-model schema, and still writes it', async () => {
    const dir = directory('o1');
    dir.users.push(user('short'));
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(new InMemorySource([dir]), publisher, logger, options).run();
    expect(summary.invalidEntities).toBe(1);
    expect(warnings).toContain('entity does not match its data-model schema');
    expect(publisher.sessions[0].entities.some((e) => e._key === 'short')).toBe(true);
  });

  it('relates members read while users are still being read, once those users are written', async () => {
    // ten pages of users; the members point at users of the last page, at a ghost, and repeat one
    const dir = directory('o1', 1000);
    const late = dir.users.slice(-5).map((u) => u.id);
    dir.members['o1-group-0'] = [...late, 'ghost-user-1', late[0]].map((id) => member('o1-group-0', id));
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(new InMemorySource([dir]), publisher, silentLogger, options).run();
    const memberships = publisher.sessions[0].relationships.filter((r) => r._type === 'jumpcloud_group_has_user');
    expect(memberships.map((r) => ('_toEntityKey' in r ? r._toEntityKey : '')).sort()).toEqual([...late].sort());
    expect(summary.danglingReferences).toBe(1);
    expect(summary.duplicateKeys).toBe(1);
  });
});
