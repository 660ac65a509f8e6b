import {
  type DeltaPublishSession,
  type DirectoryEvent,
  type Entity,
  type GraphRelationship,
  type JumpCloudSource,
  type Logger,
  type Membership,
  type Organization,
  type RelationshipSelector,
  type StatefulGraphPublisher,
  type StoredRun,
  type TargetReport,
} from '@jumpcloud-graph/domain';
import {
  type DevicePostureCollector,
  type EntityValidator,
  KeyDeduplicator,
  type MappingContext,
  type RelationshipTypeName,
  toAccountEntity,
  toApplicationEntity,
  toDeviceEntity,
  toDeviceGroupEntity,
  toGroupEntity,
  toRelationship,
  toUserEmployeeMappedRelationship,
  toUserEntity,
} from '@jumpcloud-graph/graph-mapping';
import { forEachConcurrent } from '../concurrency';
import { RunState } from '../run-state';
import { assignmentEdge } from '../steps/application-assignments.step';
import { deviceGroupMemberEdge, userGroupMemberEdge } from '../steps/group-members.step';
import { type MemberEdge } from '../steps/link-members';
import { systemUserEdge, userSystemEdge } from '../steps/user-devices.step';
import { readDevicePosture } from '../steps/device-posture.step';
import { type IncrementalReport } from '../sync-options';
import { type LastLoginBook, laterWatermark, readWindow, storedLastLogin, windowStart } from './directory-window';
import { type IncrementalPlan, planIncremental } from './incremental-plan';

/** More events than `--max-unresolved` could not be resolved: the run becomes a full one. */
export class TooManyUnresolvedError extends Error {
  constructor(readonly unresolved: number, readonly limit: number) {
    super(`${unresolved} Directory Insights events could not be resolved (more than ${limit})`);
  }
}

export interface IncrementalDeps {
  source: JumpCloudSource;
  publisher: StatefulGraphPublisher;
  validator: EntityValidator;
  logger: Logger;
  signal: AbortSignal;
  /** Wall-clock time (epoch ms): the end of the windows. */
  nowMs: number;
  fanOut: number;
  maxUnresolved: number;
  mappingOf(organization: Organization): MappingContext;
  /** The run's description (account names), for the session. */
  description: string;
}

export interface IncrementalOutcome {
  entities: Record<string, number>;
  relationships: Record<string, number>;
  runId: string;
  /** The target's own figures (a JupiterOne job's), passed through. */
  targetReport?: TargetReport;
  watermarks: Record<string, string>;
  report: IncrementalReport;
  invalidEntities: number;
  danglingReferences: number;
}

/** One organization's window, read and planned. */
interface OrganizationWindow {
  organization: Organization;
  events: DirectoryEvent[];
  plan: IncrementalPlan;
}

const EMPLOYEE_RELATIONSHIP: RelationshipTypeName = 'jumpcloud_user_is_employee';

/**
 * An incremental sync (INCREMENTAL.md in docs/cli.md's words): the Directory Insights events of
 * every organization since the base run's watermark, planned (`planIncremental`), then only what
 * they name read again and written as a delta run of the local graph, opened once the events are
 * read. Throws, with the session aborted and
 * the stored graph untouched, when Directory Insights cannot be read (a
 * `SourceFeatureUnavailableError` for 401/403/404, which `auto` answers with a full sync) or when
 * more events than allowed cannot be resolved (`TooManyUnresolvedError`).
 */
export async function runIncrementalSync(deps: IncrementalDeps, organizations: readonly Organization[], base: StoredRun, logins: LastLoginBook): Promise<IncrementalOutcome> {
  const { source, publisher, signal, logger } = deps;
  let session: DeltaPublishSession | undefined;
  try {
    const windows = await Promise.all(
      organizations.map(async (organization): Promise<OrganizationWindow> => {
        const start = windowStart(base.watermarks[organization.id], deps.nowMs, 0);
        const events = await readWindow(source, organization.id, start, deps.nowMs, signal);
        return { organization, events, plan: planIncremental(events) };
      }),
    );
    const report: IncrementalReport = { events: 0, reread: 0, deleted: 0, listsReread: 0, unresolved: 0, lastLogins: 0 };
    for (const { plan, organization } of windows) {
      report.events += plan.events;
      report.unresolved += plan.unresolved.length;
      for (const event of plan.unresolved) logger.warn({ organization: organization.id, event: event.id, eventType: event.eventType, reason: event.reason }, 'Directory Insights event not resolved');
    }
    if (report.unresolved > deps.maxUnresolved) throw new TooManyUnresolvedError(report.unresolved, deps.maxUnresolved);
    for (const { events } of windows) logins.addEvents(events);

    // Opened once the events are read: the local graph's delta session is a write transaction
    // from here to its commit, kept short.
    session = await publisher.openDeltaSession({ description: deps.description, organizationIds: organizations.map((o) => o.id) });
    const writer = new DeltaWriter(session, deps.validator, logger);
    for (const window of windows) {
      await applyWindow(deps, window, writer, logins, report);
    }
    if (report.unresolved > deps.maxUnresolved) throw new TooManyUnresolvedError(report.unresolved, deps.maxUnresolved);
    const watermarks: Record<string, string> = {};
    for (const { organization, plan } of windows) {
      const watermark = laterWatermark(base.watermarks[organization.id], plan.watermark);
      if (watermark !== undefined) watermarks[organization.id] = watermark;
    }
    const result = await session.finish({ partialTypes: [], watermarks, mode: 'incremental' });
    return {
      entities: result.entities,
      relationships: result.relationships,
      runId: result.runId,
      ...(result.report ? { targetReport: result.report } : {}),
      watermarks,
      report,
      invalidEntities: writer.run.invalidEntities,
      danglingReferences: writer.run.danglingReferences,
    };
  } catch (error) {
    // A failure before the session opened is recorded as an aborted run all the same: the next
    // `auto` run sees that the last incremental one failed, and runs full.
    const reason = error instanceof Error ? error.message : String(error);
    const failed = session ?? (await publisher.openDeltaSession({ description: deps.description, organizationIds: organizations.map((o) => o.id) }).catch(() => undefined));
    if (failed) await failed.abort(reason).catch(() => undefined);
    throw error;
  }
}

/**
 * The delta session, written through the run's `RunState` as a full run writes (entities
 * validated against the data model and counted, write failures made fatal); deletions and reads
 * go to the session itself. Each key is written once a run, so its dedupe never drops anything.
 */
class DeltaWriter {
  readonly run: RunState;

  constructor(
    readonly session: DeltaPublishSession,
    validator: EntityValidator,
    logger: Logger,
  ) {
    this.run = new RunState(session, validator, logger);
  }

  async entities(entities: readonly Entity[]): Promise<void> {
    await this.run.writeEntities(entities);
  }

  async relationships(relationships: readonly GraphRelationship[]): Promise<void> {
    await this.run.writeRelationships(relationships, new KeyDeduplicator());
  }
}

/** A list to read again: its owner, how to read it, the edges it stands for and the ends those edges need. */
interface ListRead {
  owner: string;
  clear: RelationshipSelector[];
  read(): AsyncIterable<Membership[]>;
  edge(member: Membership): MemberEdge | undefined;
}

async function applyWindow(deps: IncrementalDeps, window: OrganizationWindow, writer: DeltaWriter, logins: LastLoginBook, report: IncrementalReport): Promise<void> {
  const { source, signal, fanOut, logger } = deps;
  const { organization, plan } = window;
  const orgId = organization.id;
  const mapping = deps.mappingOf(organization);
  const { objects } = plan;
  const vanished = (kind: string, id: string) => {
    report.unresolved += 1;
    logger.warn({ organization: orgId, kind, id }, 'an object named by Directory Insights is gone without a delete event: removed');
  };

  // The account: read with the organizations at every run, so written again (no request).
  const account = toAccountEntity(organization, mapping);
  await writer.entities([account]);

  // Deletions first: a list read again below then sees the graph without them.
  const deleted = [...objects.user.deleted, ...objects.user_group.deleted, ...objects.system.deleted, ...objects.system_group.deleted, ...objects.application.deleted];
  if (deleted.length > 0) await writer.session.deleteObjects(deleted.map((key) => ({ kind: 'e' as const, key })));
  report.deleted += deleted.length;

  // Objects read again by id.
  const missing: string[] = [];
  const readAll = async <T>(ids: readonly string[], read: (id: string) => Promise<T | undefined>, kind: string): Promise<T[]> => {
    const found: T[] = [];
    await forEachConcurrent(ids, fanOut, async (id) => {
      const object = await read(id);
      if (object === undefined) {
        vanished(kind, id);
        missing.push(id);
      } else {
        found.push(object);
      }
    });
    report.reread += ids.length;
    return found;
  };
  const posture: Promise<DevicePostureCollector | undefined> =
    objects.system.reread.length === 0
      ? Promise.resolve(undefined)
      : readDevicePosture(source, orgId, signal).then((outcome) => {
          if (outcome.kind === 'failed') throw outcome.error;
          if (outcome.kind === 'unavailable') logger.warn({ organization: orgId, reason: outcome.reason }, 'System Insights is not available: devices read again keep their v1 encryption flag');
          return outcome.kind === 'read' ? outcome.collector : undefined;
        });
  posture.catch(() => undefined);
  const [users, groups, systems, systemGroups, applications] = await Promise.all([
    readAll(objects.user.reread, (id) => source.user(orgId, id, signal), 'user'),
    readAll(objects.user_group.reread, (id) => source.userGroup(orgId, id, signal), 'user_group'),
    readAll(objects.system.reread, (id) => source.system(orgId, id, signal), 'system'),
    readAll(objects.system_group.reread, (id) => source.systemGroup(orgId, id, signal), 'system_group'),
    readAll(objects.application.reread, (id) => source.application(orgId, id, signal), 'application'),
  ]);
  if (missing.length > 0) await writer.session.deleteObjects(missing.map((key) => ({ kind: 'e' as const, key })));

  // Users: their last login is the newest of the stored one and the window's.
  const stored = new Map((await writer.session.readEntities(users.map((u) => u.id))).map((e) => [e._key, storedLastLogin(e)]));
  const userEntities = users.map((user) => toUserEntity(user, mapping, logins.of(user.id, user.username, stored.get(user.id))));
  await writer.entities(userEntities);
  await writer.session.deleteRelationships(userEntities.map((user) => ({ type: EMPLOYEE_RELATIONSHIP, fromKey: user._key })));
  await writer.relationships([
    ...userEntities.map((user) => toRelationship('jumpcloud_account_has_user', account._key, user._key)),
    ...userEntities.flatMap((user) => toUserEmployeeMappedRelationship(user) ?? []),
  ]);
  report.lastLogins += await refreshLastLogins(deps, writer, logins, new Set([...userEntities.map((u) => u._key), ...deleted, ...missing]));

  const groupEntities = groups.map((group) => toGroupEntity(group, mapping));
  const applicationEntities = applications.map((application) => toApplicationEntity(application, mapping));
  const known = await posture;
  const deviceEntities = systems.map((system) => toDeviceEntity(system, mapping, known?.postureOf(system.id)));
  await writer.entities([...groupEntities, ...applicationEntities, ...deviceEntities, ...systemGroups.map((group) => toDeviceGroupEntity(group, mapping))]);
  await writer.relationships([
    ...groupEntities.map((e) => toRelationship('jumpcloud_account_has_group', account._key, e._key)),
    ...applicationEntities.map((e) => toRelationship('jumpcloud_account_has_application', account._key, e._key)),
    ...deviceEntities.map((e) => toRelationship('jumpcloud_account_has_device', account._key, e._key)),
  ]);

  // A list of an object that is gone cannot be read (its edges went with it).
  const gone = new Set(missing);
  await rereadLists(deps, writer, listReads(deps, plan, orgId).filter((list) => !gone.has(list.owner)), report);
}

/** The member and association lists the plan names, each with the edges it replaces (the full sync's edge rules). */
function listReads(deps: IncrementalDeps, plan: IncrementalPlan, orgId: string): ListRead[] {
  const { source, signal } = deps;
  const { userGroupMembers, systemGroupMembers, applicationAssociations, systemUsers, userSystems } = plan.lists;
  const reads: ListRead[] = [
    ...userGroupMembers.map((group) => ({
      owner: group,
      clear: [{ type: 'jumpcloud_group_has_user', fromKey: group }],
      read: () => source.userGroupMembers(orgId, group, signal),
      edge: (m: Membership) => userGroupMemberEdge(group, m),
    })),
    ...systemGroupMembers.map((group) => ({
      owner: group,
      clear: [{ type: 'jumpcloud_device_group_has_device', fromKey: group }],
      read: () => source.systemGroupMembers(orgId, group, signal),
      edge: (m: Membership) => deviceGroupMemberEdge(group, m),
    })),
    ...applicationAssociations.map((application) => ({
      owner: application,
      clear: [
        { type: 'jumpcloud_user_assigned_application', toKey: application },
        { type: 'jumpcloud_group_assigned_application', toKey: application },
      ],
      read: () => source.applicationAssociations(orgId, application, signal),
      edge: (m: Membership) => assignmentEdge(application, m),
    })),
  ];
  // A binding names both its system and its user: reading either side's list is enough, so the shorter one is read.
  if (systemUsers.length <= userSystems.length) {
    for (const system of systemUsers) {
      reads.push({
        owner: system,
        clear: [{ type: 'jumpcloud_user_uses_device', toKey: system }],
        read: () => source.systemUsers(orgId, system, signal),
        edge: (m) => systemUserEdge(system, m),
      });
    }
  } else {
    for (const user of userSystems) {
      reads.push({
        owner: user,
        clear: [{ type: 'jumpcloud_user_uses_device', fromKey: user }],
        read: () => source.userSystems(orgId, user, signal),
        edge: (m) => userSystemEdge(user, m),
      });
    }
  }
  return reads;
}

/**
 * Reads the lists again and replaces their edges: each list's old edges go, and an edge is made
 * for every member the graph holds (an owner or member it does not hold is a dangling reference,
 * as in a full sync).
 */
async function rereadLists(deps: IncrementalDeps, writer: DeltaWriter, reads: readonly ListRead[], report: IncrementalReport): Promise<void> {
  if (reads.length === 0) return;
  const members = new Map<ListRead, Membership[]>();
  await forEachConcurrent(reads, deps.fanOut, async (list) => {
    const read: Membership[] = [];
    for await (const page of list.read()) read.push(...page);
    members.set(list, read);
  });
  report.listsReread += reads.length;
  const ends = new Set<string>();
  for (const [list, read] of members) {
    ends.add(list.owner);
    for (const member of read) ends.add(member.toId);
  }
  const held = new Set((await writer.session.readEntities([...ends])).map((entity) => entity._key));
  await writer.session.deleteRelationships(reads.flatMap((list) => list.clear));
  const relationships: GraphRelationship[] = [];
  for (const list of reads) {
    if (!held.has(list.owner)) continue;
    for (const member of members.get(list) ?? []) {
      const edge = list.edge(member);
      if (!edge) continue;
      if (!held.has(edge.member.key)) {
        writer.run.danglingReferences += 1;
        continue;
      }
      relationships.push(toRelationship(edge.relationship, edge.fromKey, edge.toKey, edge.properties));
    }
  }
  await writer.relationships(relationships);
}

/**
 * Users the window's logins name that were not read again: their stored entity is written again
 * with the newer last login (no request). RADIUS and LDAP logins name a username: it is looked up
 * among the stored users. Returns how many users changed.
 */
async function refreshLastLogins(deps: IncrementalDeps, writer: DeltaWriter, logins: LastLoginBook, skip: ReadonlySet<string>): Promise<number> {
  const ids = new Set(logins.freshUserIds());
  const usernames = logins.freshUsernames();
  if (usernames.length > 0) {
    const wanted = new Set(usernames);
    for (const { key, properties } of await deps.publisher.latestEntityProperties('jumpcloud_user', ['username'])) {
      const names = properties['username'];
      const name = Array.isArray(names) ? names[0] : names;
      if (typeof name === 'string' && wanted.has(name)) ids.add(key);
    }
  }
  for (const key of skip) ids.delete(key);
  if (ids.size === 0) return 0;
  const changed: Entity[] = [];
  for (const entity of await writer.session.readEntities([...ids])) {
    if (entity._type !== 'jumpcloud_user') continue;
    const before = storedLastLogin(entity);
    const names = entity['username'];
    const username = Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
    const after = logins.of(entity._key, username, before);
    if (after === undefined || (before !== undefined && before.at === after.at && before.service === after.service)) continue;
    changed.push({ ...entity, lastLoginOn: after.at, lastLoginService: after.service });
  }
  await writer.entities(changed);
  return changed.length;
}
