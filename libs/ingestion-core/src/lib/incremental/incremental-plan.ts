import { type DirectoryEvent } from '@jumpcloud-graph/domain';
import { compareInstants, type EventInstant, eventInstant } from './event-time';

/**
 * What an incremental sync must do, from the Directory Insights events of its window: which
 * objects to read again by id, which were deleted, which member and association lists to read
 * again, what it could not understand, and the new watermark. Pure: no I/O, no clock.
 */

/** The directory objects that change events name (`resource.type`, the ends of an association). */
export type DirectoryObjectKind = 'user' | 'user_group' | 'system' | 'system_group' | 'application';

export const DIRECTORY_OBJECT_KINDS: readonly DirectoryObjectKind[] = ['user', 'user_group', 'system', 'system_group', 'application'];

/** The objects of one kind that changed in the window (ids sorted, each in at most one list). */
export interface ObjectChanges {
  /** Created or updated, and not deleted later in the window (or created again after a delete): read again by id. */
  reread: string[];
  /** Deleted (and not created again later): removed with every relationship that touches them. */
  deleted: string[];
}

/**
 * The member and association lists to read again (ids sorted). An object deleted in the window
 * is in none of them: its relationships go with it.
 */
export interface ListRereads {
  /** User groups whose members changed (`user_group` -> `user`). */
  userGroupMembers: string[];
  /** System (device) groups whose members changed (`system_group` -> `system`). */
  systemGroupMembers: string[];
  /** Applications whose user or user-group associations changed. */
  applicationAssociations: string[];
  /** Systems whose bound users changed (`system` -> `user`, a binding or its attributes such as sudo). */
  systemUsers: string[];
  /**
   * Users whose bound systems changed: the same bindings as `systemUsers`, seen from the user's
   * end. A sync that reads bindings per system needs only `systemUsers`, one that reads them
   * per user only this; reading either side is enough.
   */
  userSystems: string[];
}

/** Why an event could not be turned into work. */
export type UnresolvedReason =
  /** A directory event of a type the sync does not know. */
  | 'unknown-event-type'
  /** The timestamp is not a date (the event cannot be ordered or be a watermark). */
  | 'invalid-timestamp'
  /** A create, update or delete event without a resource id. */
  | 'missing-resource-id'
  /** A create, update or delete event whose resource type is not one its event type can name. */
  | 'unexpected-resource-type'
  /** An association change without both ends (a type and an id each). */
  | 'missing-association-end'
  /** An association change between object kinds the sync does not read (e.g. a user group bound to a system). */
  | 'unsupported-association';

export interface UnresolvedEvent {
  id: string;
  eventType: string;
  reason: UnresolvedReason;
}

export interface IncrementalPlan {
  objects: Record<DirectoryObjectKind, ObjectChanges>;
  lists: ListRereads;
  /** The events that could not be resolved, in event order: their count is what `--max-unresolved` limits. */
  unresolved: UnresolvedEvent[];
  /** Events understood but that change nothing the sync reads: logins, events of other services, failed changes. */
  ignored: number;
  /** Events met again with an id already seen (left out). */
  duplicates: number;
  /** The distinct events looked at. */
  events: number;
  /** The timestamp (as sent) of the latest event looked at; `undefined` when there were none. */
  watermark: string | undefined;
}

/** The event types of a change to one object, by the kind(s) of object they name. */
const OBJECT_EVENT_KINDS: Readonly<Record<string, readonly DirectoryObjectKind[]>> = {
  user: ['user'],
  // DI has one set of group events for user groups and system groups.
  group: ['user_group', 'system_group'],
  system: ['system'],
  application: ['application'],
};

type ObjectOp = 'create' | 'update' | 'delete';

const OBJECT_EVENT = /^(user|group|system|application)_(create|update|delete)$/;

const ASSOCIATION_CHANGE_EVENT_TYPE = 'association_change';

/** The login event types of each service (the successful ones give last login; none changes the directory). */
export const LOGIN_EVENT_TYPES = {
  directory: ['user_login_attempt'],
  sso: ['sso_auth'],
  systems: ['login_attempt'],
  radius: ['radius_auth', 'radius_auth_attempt'],
  ldap: ['ldap_bind'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

const LOGIN_TYPES: ReadonlySet<string> = new Set(Object.values(LOGIN_EVENT_TYPES).flat());

/** The lists an association between two kinds changes (both directions are accepted). */
type ListName = keyof ListRereads;
const ASSOCIATION_LISTS: Readonly<Record<string, readonly (readonly [ListName, 'from' | 'to'])[]>> = {
  'user_group>user': [['userGroupMembers', 'from']],
  'system_group>system': [['systemGroupMembers', 'from']],
  'application>user': [['applicationAssociations', 'from']],
  'application>user_group': [['applicationAssociations', 'from']],
  'system>user': [
    ['systemUsers', 'from'],
    ['userSystems', 'to'],
  ],
};

/** The kind of object each list belongs to (to leave out the lists of deleted objects). */
const LIST_KIND: Readonly<Record<ListName, DirectoryObjectKind>> = {
  userGroupMembers: 'user_group',
  systemGroupMembers: 'system_group',
  applicationAssociations: 'application',
  systemUsers: 'system',
  userSystems: 'user',
};

/** The last word on each object so far: read it again, or deleted (and when). */
type ObjectStates = Map<DirectoryObjectKind, Map<string, { state: 'reread' | 'deleted'; at: EventInstant }>>;

interface Timed {
  event: DirectoryEvent;
  at: EventInstant;
}

/**
 * Plans an incremental run from the events of its window (in any order, duplicates allowed):
 * events are told apart by id (the first one met is kept), ordered by timestamp then id, and
 * folded per object. The last of an object's create, update and delete events decides: an object
 * deleted in the window is deleted, unless it was created again at a later instant (then it is
 * read again); an update ordered after a delete, or a create in the delete's instant, does not
 * bring the object back (a deleted object cannot be updated: the two happened in the same
 * instant, and which came first is unknown). An association change makes the list of its
 * owning end(s) be read again, whatever its `op`.
 */
export function planIncremental(events: readonly DirectoryEvent[]): IncrementalPlan {
  const unresolved: UnresolvedEvent[] = [];
  const seen = new Set<string>();
  const timed: Timed[] = [];
  let duplicates = 0;
  for (const event of events) {
    if (seen.has(event.id)) {
      duplicates++;
      continue;
    }
    seen.add(event.id);
    const at = eventInstant(event.timestamp);
    if (at) timed.push({ event, at });
    else unresolved.push({ id: event.id, eventType: event.eventType, reason: 'invalid-timestamp' });
  }
  timed.sort((a, b) => compareInstants(a.at, a.event.id, b.at, b.event.id));

  const state: ObjectStates = new Map(DIRECTORY_OBJECT_KINDS.map((kind) => [kind, new Map()]));
  const lists = new Map<ListName, Set<string>>(Object.keys(LIST_KIND).map((name) => [name as ListName, new Set<string>()]));
  let ignored = 0;

  for (const { event, at } of timed) {
    const reason = foldEvent(event, at, state, lists);
    if (reason === 'ignored') ignored++;
    else if (reason) unresolved.push({ id: event.id, eventType: event.eventType, reason });
  }

  const objects = {} as Record<DirectoryObjectKind, ObjectChanges>;
  for (const kind of DIRECTORY_OBJECT_KINDS) {
    const changes: ObjectChanges = { reread: [], deleted: [] };
    for (const [id, s] of state.get(kind) ?? []) changes[s.state].push(id);
    changes.reread.sort();
    changes.deleted.sort();
    objects[kind] = changes;
  }
  const listOf = (name: ListName) => {
    const deleted = state.get(LIST_KIND[name]);
    return [...(lists.get(name) ?? [])].filter((id) => deleted?.get(id)?.state !== 'deleted').sort();
  };
  return {
    objects,
    lists: {
      userGroupMembers: listOf('userGroupMembers'),
      systemGroupMembers: listOf('systemGroupMembers'),
      applicationAssociations: listOf('applicationAssociations'),
      systemUsers: listOf('systemUsers'),
      userSystems: listOf('userSystems'),
    },
    unresolved,
    ignored,
    duplicates,
    events: seen.size,
    watermark: timed.at(-1)?.event.timestamp,
  };
}

/** Applies one event; returns why it was not resolved, `'ignored'`, or undefined when it was applied. */
function foldEvent(
  event: DirectoryEvent,
  at: EventInstant,
  state: ObjectStates,
  lists: Map<ListName, Set<string>>,
): UnresolvedReason | 'ignored' | undefined {
  const type = event.eventType;
  const match = OBJECT_EVENT.exec(type);
  const isChange = match !== null || type === ASSOCIATION_CHANGE_EVENT_TYPE;
  if (!isChange) {
    // Logins and the events of other services change nothing the sync reads.
    if (LOGIN_TYPES.has(type) || event.service !== 'directory') return 'ignored';
    // Any other directory event that names one of the objects the sync reads (a password changed,
    // an account locked or suspended, ...) may have changed it: it is read again. One that names
    // none is not understood.
    const kind = DIRECTORY_OBJECT_KINDS.find((k) => k === event.resource?.type);
    const id = event.resource?.id;
    if (event.success === false || !kind || !id) return event.success === false ? 'ignored' : 'unknown-event-type';
    const objects = state.get(kind);
    if (objects?.get(id)?.state !== 'deleted') objects?.set(id, { state: 'reread', at });
    return undefined;
  }
  // A change that failed changed nothing.
  if (event.success === false) return 'ignored';

  if (match) {
    const [, noun, op] = match as unknown as [string, string, ObjectOp];
    const kinds = OBJECT_EVENT_KINDS[noun] ?? [];
    const resourceType = event.resource?.type ?? null;
    // A user, system or application event may leave its resource's type out; a group event must say which kind.
    const kind = resourceType === null ? (kinds.length === 1 ? kinds[0] : undefined) : kinds.find((k) => k === resourceType);
    if (!kind) return 'unexpected-resource-type';
    const id = event.resource?.id;
    if (!id) return 'missing-resource-id';
    const objects = state.get(kind);
    if (!objects) return 'unexpected-resource-type';
    const current = objects.get(id);
    if (op === 'delete') objects.set(id, { state: 'deleted', at });
    else if (current?.state !== 'deleted' || (op === 'create' && compareInstants(current.at, '', at, '') < 0)) objects.set(id, { state: 'reread', at });
    return undefined;
  }

  const from = event.association?.from;
  const to = event.association?.to;
  if (!from?.id || !from.type || !to?.id || !to.type) return 'missing-association-end';
  let ends = { from: from.id, to: to.id };
  let targets = ASSOCIATION_LISTS[`${from.type}>${to.type}`];
  if (!targets) {
    targets = ASSOCIATION_LISTS[`${to.type}>${from.type}`];
    ends = { from: to.id, to: from.id };
  }
  if (!targets) return 'unsupported-association';
  for (const [list, end] of targets) lists.get(list)?.add(ends[end]);
  return undefined;
}
