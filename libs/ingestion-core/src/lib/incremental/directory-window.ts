import { type DirectoryEvent, type DirectoryEventService, type JumpCloudSource } from '@jumpcloud-graph/domain';
import { type UserLastLogin } from '@jumpcloud-graph/graph-mapping';
import { type LastLogin, latestLogins, mergeLastLogin } from './last-login';

const DAY_MS = 86_400_000;

/** How far before the watermark a window starts: events that reached Directory Insights late, and clock skew. */
export const WATERMARK_OVERLAP_MS = 5 * 60_000;
/** A watermark older than this is not read from (Directory Insights keeps 90 days): a full sync runs instead. */
export const MAX_WATERMARK_AGE_MS = 80 * DAY_MS;
/** Directory Insights keeps 90 days of events: no window starts earlier. */
export const DIRECTORY_INSIGHTS_RETENTION_MS = 90 * DAY_MS;
/** Days of logins a full sync without a previous watermark reads, by default. */
export const DEFAULT_LAST_LOGIN_DAYS = 30;

/**
 * The services one query of a window reads: `directory` for what changed (and the console's own
 * logins), the others for users' logins. One query for all of them costs one page when little
 * happened, where a query per service would cost five.
 */
export const WINDOW_SERVICES: readonly DirectoryEventService[] = ['directory', 'sso', 'systems', 'radius', 'ldap'];

/** Every event of an organization's window, in timestamp order (the source dedupes by id). */
export async function readWindow(source: JumpCloudSource, orgId: string, startMs: number, endMs: number, signal: AbortSignal): Promise<DirectoryEvent[]> {
  const events: DirectoryEvent[] = [];
  const query = { service: WINDOW_SERVICES, startTime: new Date(startMs).toISOString(), endTime: new Date(endMs).toISOString(), sort: 'ASC' as const };
  for await (const page of source.directoryEvents(orgId, query, signal)) {
    for (const event of page) events.push(event);
  }
  return events;
}

/** Where an organization's window starts: the watermark less the overlap, or `lookbackDays` before now; never past DI's retention. */
export function windowStart(watermark: string | undefined, nowMs: number, lookbackDays: number): number {
  const earliest = nowMs - DIRECTORY_INSIGHTS_RETENTION_MS + 60_000;
  const parsed = watermark === undefined ? Number.NaN : Date.parse(watermark);
  const start = Number.isFinite(parsed) ? parsed - WATERMARK_OVERLAP_MS : nowMs - lookbackDays * DAY_MS;
  return Math.min(nowMs, Math.max(earliest, start));
}

/** The later of two RFC 3339 watermarks (either may be missing). */
export function laterWatermark(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

const USERNAME_PREFIX = 'username:';

/** A stored last login from an entity's properties, if it has a valid one. */
export function storedLastLogin(properties: Readonly<Record<string, unknown>> | undefined): LastLogin | undefined {
  const at = properties?.['lastLoginOn'];
  const service = properties?.['lastLoginService'];
  return typeof at === 'number' && Number.isFinite(at) && typeof service === 'string' ? { at, service: service as LastLogin['service'] } : undefined;
}

/**
 * The last logins a run knows: those stored by the previous run, and the fresh ones of its
 * windows, by user id or (for RADIUS and LDAP, which name no id) by username. `of(user)` is the
 * newest of them.
 */
export class LastLoginBook {
  private readonly fresh = new Map<string, LastLogin>();

  constructor(private readonly stored: ReadonlyMap<string, LastLogin> = new Map()) {}

  /** Adds a window's successful logins. */
  addEvents(events: Iterable<DirectoryEvent>): void {
    for (const [user, login] of latestLogins(events, (username) => `${USERNAME_PREFIX}${username}`)) {
      const merged = mergeLastLogin(this.fresh.get(user), login);
      if (merged) this.fresh.set(user, merged);
    }
  }

  /** The newest login of a user, stored or fresh; undefined when none is known. */
  of(userId: string, username: string | null | undefined, stored = this.stored.get(userId)): UserLastLogin | undefined {
    const byName = username ? this.fresh.get(`${USERNAME_PREFIX}${username}`) : undefined;
    return mergeLastLogin(mergeLastLogin(stored, this.fresh.get(userId)), byName);
  }

  /** User ids the fresh logins name directly. */
  freshUserIds(): string[] {
    return [...this.fresh.keys()].filter((key) => !key.startsWith(USERNAME_PREFIX));
  }

  /** Usernames the fresh logins name without an id. */
  freshUsernames(): string[] {
    return [...this.fresh.keys()].filter((key) => key.startsWith(USERNAME_PREFIX)).map((key) => key.slice(USERNAME_PREFIX.length));
  }
}
