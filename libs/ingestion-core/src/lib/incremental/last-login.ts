import { type DirectoryEvent } from '@jumpcloud-graph/domain';
import { LOGIN_EVENT_TYPES } from './incremental-plan';

/** The services a user logs in through, as `jumpcloud_user.lastLoginService` names them. */
export type LastLoginService = keyof typeof LOGIN_EVENT_TYPES;

/** A user's latest successful login: when (epoch ms) and through what. */
export interface LastLogin {
  at: number;
  service: LastLoginService;
}

const SERVICE_TYPES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(LOGIN_EVENT_TYPES).map(([service, types]) => [service, new Set<string>(types)]),
);

/**
 * The user a login event names: by id where DI gives one (`user_login_attempt`: the resource or
 * the initiator; `sso_auth`, `login_attempt`: the initiator), else by username through the
 * lookup. RADIUS and LDAP know no user id: their username always goes through the lookup.
 */
function userOf(event: DirectoryEvent, service: LastLoginService, userIdOf: (username: string) => string | undefined): string | undefined {
  const actor = event.initiatedBy;
  const actorId = actor && (actor.type === null || actor.type === 'user') ? actor.id : null;
  let id: string | null = null;
  let username: string | null = null;
  switch (service) {
    case 'directory': {
      const resource = event.resource && (event.resource.type === null || event.resource.type === 'user') ? event.resource : null;
      id = resource?.id || actorId;
      username = resource?.username || actor?.username || event.username;
      break;
    }
    case 'sso':
    case 'systems':
      id = actorId;
      username = event.username || actor?.username || null;
      break;
    case 'radius':
    case 'ldap':
      username = event.username || actor?.username || null;
      break;
  }
  if (id) return id;
  return username ? userIdOf(username) : undefined;
}

/**
 * The newest successful login of each user among the events (any order, duplicates allowed):
 * an event counts when it succeeded (`success: true`) and its type is a login type of its
 * service (`LOGIN_EVENT_TYPES`). Users are named by id where DI gives one, else by username
 * through `userIdOf` (a username it does not know is skipped). Of two logins in the same
 * millisecond the one with the greater event id is kept, so the result does not depend on order.
 */
export function latestLogins(events: Iterable<DirectoryEvent>, userIdOf: (username: string) => string | undefined): Map<string, LastLogin> {
  const latest = new Map<string, LastLogin & { eventId: string }>();
  for (const event of events) {
    if (event.success !== true) continue;
    if (!SERVICE_TYPES.get(event.service)?.has(event.eventType)) continue;
    const service = event.service as LastLoginService;
    const at = Date.parse(event.timestamp);
    if (!Number.isFinite(at)) continue;
    const userId = userOf(event, service, userIdOf);
    if (!userId) continue;
    const current = latest.get(userId);
    if (!current || at > current.at || (at === current.at && event.id > current.eventId)) latest.set(userId, { at, service, eventId: event.id });
  }
  return new Map([...latest].map(([userId, { at, service }]) => [userId, { at, service }]));
}

/** The newer of a stored last login and one just read (the stored one on a tie); undefined when neither is known. */
export function mergeLastLogin(stored: LastLogin | undefined, fresh: LastLogin | undefined): LastLogin | undefined {
  const valid = (login: LastLogin | undefined) => (login && Number.isFinite(login.at) ? login : undefined);
  const a = valid(stored);
  const b = valid(fresh);
  if (!a) return b;
  if (!b) return a;
  return b.at > a.at ? b : a;
}
