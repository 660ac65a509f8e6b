import 'reflect-metadata';
import { type GraphRelationship, SourceRequestError, silentLogger } from '@jumpcloud-graph/domain';
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
import { assignmentEdge } from './steps/application-assignments.step';
import { type SyncOptions } from './sync-options';
import { SyncRunner } from './sync-runner';

const options: SyncOptions = { consoleUrl: 'https://console.jumpcloud.com', tagAccountName: false, includeSshKeys: false };

/** An organization of `users` users and `systems` systems, each system bound to one user. */
function directory(orgId: string, users: number, systems: number): Directory {
  const userIds = Array.from({ length: users }, (_, i) => `${orgId}-user-${String(i).padStart(5, '0')}`);
  const systemIds = Array.from({ length: systems }, (_, i) => `${orgId}-system-${String(i).padStart(5, '0')}`);
  return {
    organization: org(`${orgId}-organization`),
    users: userIds.map((id) => user(id)),
    groups: [group(`${orgId}-group-0`)],
    members: { [`${orgId}-group-0`]: userIds.slice(0, 2).map((id) => member(`${orgId}-group-0`, id)) },
    applications: [application(`${orgId}-application-0`)],
    associations: {
      [`${orgId}-application-0`]: [
        member(`${orgId}-application-0`, userIds[0]),
        member(`${orgId}-application-0`, `${orgId}-group-0`, 'user_group'),
        // not an assignment: applications bound to systems are not part of the model
        member(`${orgId}-application-0`, systemIds[0] ?? 'no-system-here', 'system'),
      ],
    },
    systems: systemIds.map((id) => system(id)),
    systemGroups: [systemGroup(`${orgId}-devices-0`)],
    systemGroupMembers: { [`${orgId}-devices-0`]: systemIds.map((id) => member(`${orgId}-devices-0`, id, 'system')) },
    systemUsers: Object.fromEntries(systemIds.map((id, i) => [id, [userIds[i % users]]])),
  };
}

const ofType = (relationships: GraphRelationship[], type: string) => relationships.filter((r) => r._type === type);
const ends = (r: GraphRelationship) => ('_fromEntityKey' in r ? `${r._fromEntityKey} -> ${r._toEntityKey}` : r._key);

describe('SyncRunner: applications, devices and organizations', () => {
  it('points assignments from the user or group to the application, and skips other targets', () => {
    expect(assignmentEdge('app-000000001', member('app-000000001', 'user-0000001'))).toMatchObject({
      relationship: 'jumpcloud_user_assigned_application',
      fromKey: 'user-0000001',
      toKey: 'app-000000001',
    });
    expect(assignmentEdge('app-000000001', member('app-000000001', 'group-000001', 'user_group'))).toMatchObject({
      relationship: 'jumpcloud_group_assigned_application',
      fromKey: 'group-000001',
      toKey: 'app-000000001',
    });
    expect(assignmentEdge('app-000000001', member('app-000000001', 'system-00001', 'system'))).toBeUndefined();
  });

  it('writes application assignments and device edges in the direction of the data model', async () => {
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(new InMemorySource([directory('o1', 3, 2)]), publisher, silentLogger, options).run();
    const { relationships, entities } = publisher.sessions[0];
    expect(ofType(relationships, 'jumpcloud_user_assigned_application').map(ends)).toEqual(['o1-user-00000 -> o1-application-0']);
    expect(ofType(relationships, 'jumpcloud_group_assigned_application').map(ends)).toEqual(['o1-group-0 -> o1-application-0']);
    expect(ofType(relationships, 'jumpcloud_user_uses_device').map(ends).sort()).toEqual([
      'o1-user-00000 -> o1-system-00000',
      'o1-user-00001 -> o1-system-00001',
    ]);
    expect(ofType(relationships, 'jumpcloud_device_group_has_device').map(ends).sort()).toEqual([
      'o1-devices-0 -> o1-system-00000',
      'o1-devices-0 -> o1-system-00001',
    ]);
    expect(ofType(relationships, 'jumpcloud_account_has_device')).toHaveLength(2);
    expect(ofType(relationships, 'jumpcloud_account_has_application')).toHaveLength(1);
    // the SAML config of the application never leaves the mapper
    expect(JSON.stringify(entities.filter((e) => e._type === 'jumpcloud_application'))).not.toContain('secret');
    expect(summary).toMatchObject({ status: 'success', partialTypes: [], danglingReferences: 0 });
  });

  it('reads user-device associations from the systems when there are fewer systems', async () => {
    const source = new InMemorySource([directory('o1', 250, 3)]);
    const publisher = new RecordingPublisher();
    await new SyncRunner(source, publisher, silentLogger, options).run();
    expect(source.requestsByList.systemUsers).toBe(3);
    expect(source.requestsByList.userSystems).toBeUndefined();
    expect(ofType(publisher.sessions[0].relationships, 'jumpcloud_user_uses_device')).toHaveLength(3);
  });

  it('reads user-device associations from the users when there are fewer users', async () => {
    const source = new InMemorySource([directory('o1', 2, 5)]);
    const publisher = new RecordingPublisher();
    await new SyncRunner(source, publisher, silentLogger, options).run();
    expect(source.requestsByList.userSystems).toBe(2);
    expect(source.requestsByList.systemUsers).toBeUndefined();
    // five systems bound round-robin to two users: the same five edges either way
    expect(ofType(publisher.sessions[0].relationships, 'jumpcloud_user_uses_device').map(ends).sort()).toEqual([
      'o1-user-00000 -> o1-system-00000',
      'o1-user-00000 -> o1-system-00002',
      'o1-user-00000 -> o1-system-00004',
      'o1-user-00001 -> o1-system-00001',
      'o1-user-00001 -> o1-system-00003',
    ]);
  });

  it('relates device-group members and device users that are written after their lists are read', async () => {
    // 300 systems (three pages) bound to users of the last of 1,000 users
    const dir = directory('o1', 1000, 300);
    dir.systemUsers = Object.fromEntries(dir.systems?.map((s, i) => [s.id, [dir.users[999 - (i % 5)].id, 'ghost-user-000']]) ?? []);
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(new InMemorySource([dir]), publisher, silentLogger, options).run();
    const relationships = publisher.sessions[0].relationships;
    expect(ofType(relationships, 'jumpcloud_user_uses_device')).toHaveLength(300);
    expect(ofType(relationships, 'jumpcloud_device_group_has_device')).toHaveLength(300);
    expect(summary.danglingReferences).toBe(300); // the ghost, once per system
  });

  it('syncs two organizations, each under its own account, and one failing makes only its types partial', async () => {
    const source = new InMemorySource(
      [directory('o1', 3, 2), directory('o2', 4, 1)],
      [{ list: 'systems', orgId: 'o2-organization', error: new SourceRequestError('HTTP 503 after 6 attempts') }],
    );
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(source, publisher, silentLogger, options).run();
    const { entities, relationships } = publisher.sessions[0];
    expect(summary.status).toBe('partial');
    expect(summary.organizations.map((o) => o.id)).toEqual(['o1-organization', 'o2-organization']);
    // the failed step's types and its dependents' types, and nothing else
    expect(summary.partialTypes).toEqual([
      'jumpcloud_account_has_device',
      'jumpcloud_device',
      'jumpcloud_device_group_has_device',
      'jumpcloud_policy_enforces_device',
      'jumpcloud_policy_enforces_device_group',
      'jumpcloud_user_uses_device',
    ]);
    expect(entities.filter((e) => e._type === 'jumpcloud_account').map((e) => e._key).sort()).toEqual(['o1-organization', 'o2-organization']);
    expect(entities.filter((e) => e._type === 'jumpcloud_user')).toHaveLength(7);
    expect(entities.filter((e) => e._type === 'jumpcloud_device').map((e) => e._key)).toEqual(['o1-system-00000', 'o1-system-00001']);
    const accountOf = (type: string, key: string) => relationships.find((r) => r._type === type && '_toEntityKey' in r && r._toEntityKey === key);
    expect(accountOf('jumpcloud_account_has_user', 'o2-user-00003')).toMatchObject({ _fromEntityKey: 'o2-organization' });
    expect(accountOf('jumpcloud_account_has_device', 'o1-system-00001')).toMatchObject({ _fromEntityKey: 'o1-organization' });
    expect(summary.steps.filter((s) => s.status === 'failure')).toEqual([expect.objectContaining({ stepId: 'devices', orgId: 'o2-organization' })]);
  });

  it('syncs the other organizations when one listed organization cannot be read', async () => {
    const unreadable = directory('o2', 2, 1);
    unreadable.organization = { ...unreadable.organization, unavailable: 'HTTP 500 after 6 attempts' };
    const publisher = new RecordingPublisher();
    const summary = await new SyncRunner(new InMemorySource([directory('o1', 3, 2), unreadable]), publisher, silentLogger, options).run();
    expect(summary.status).toBe('partial');
    expect(summary.partialTypes).toContain('jumpcloud_user');
    expect(summary.partialTypes).toContain('jumpcloud_account');
    expect(publisher.sessions[0].entities.filter((e) => e._type === 'jumpcloud_user')).toHaveLength(3);
    expect(summary.steps.filter((s) => s.orgId === 'o2-organization').every((s) => s.status === 'failure')).toBe(true);
  });

  it('runs a subset of steps; their dependencies not run leave their edges out, and the rest is partial', async () => {
    const publisher = new RecordingPublisher();
    const source = new InMemorySource([directory('o1', 3, 2)]);
    const summary = await new SyncRunner(source, publisher, silentLogger, { ...options, steps: ['account', 'devices', 'device-groups', 'device-group-members'] }).run();
    const { entities, relationships } = publisher.sessions[0];
    expect([...new Set(entities.map((e) => e._type))].sort()).toEqual(['jumpcloud_account', 'jumpcloud_device', 'jumpcloud_device_group']);
    expect(ofType(relationships, 'jumpcloud_device_group_has_device')).toHaveLength(2);
    expect(source.requestsByList.users).toBeUndefined();
    expect(summary.status).toBe('success');
    expect(summary.partialTypes).toEqual(expect.arrayContaining(['jumpcloud_user', 'jumpcloud_application', 'jumpcloud_user_uses_device', 'employee']));
    expect(summary.partialTypes).not.toContain('jumpcloud_device');
    expect(summary.steps.find((s) => s.stepId === 'users')).toMatchObject({ status: 'skipped' });
  });
});
