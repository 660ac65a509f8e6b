import { ApiError } from './api-error';
import type { LoginService } from './dataset.types';

/** Directory Insights' base path on the simulator's host (JumpCloud serves it on api.jumpcloud.com). */
export const DIRECTORY_INSIGHTS_PATH = '/insights/directory/v1';
export const DIRECTORY_INSIGHTS_EVENTS_PATH = `${DIRECTORY_INSIGHTS_PATH}/events`;

/** The `service` values DI's query accepts; the simulator records events of the first five only. */
const QUERY_SERVICES = [
  'directory',
  'sso',
  'systems',
  'radius',
  'ldap',
  'all',
  'alerts',
  'mdm',
  'notifications',
  'object_storage',
  'password_manager',
  'reports',
  'saas_app_management',
  'software',
  'access_management',
  'asset_management',
] as const;

const DEFAULT_LIMIT = 1000;
export const MAX_EVENTS_LIMIT = 10_000;

/** The event types the simulator records. */
export type DirectoryInsightsEventType =
  | 'user_create'
  | 'user_update'
  | 'user_delete'
  | 'group_create'
  | 'group_update'
  | 'group_delete'
  | 'system_create'
  | 'system_update'
  | 'system_delete'
  | 'application_create'
  | 'application_update'
  | 'application_delete'
  | 'association_change'
  | 'user_login_attempt'
  | 'sso_auth'
  | 'login_attempt'
  | 'radius_auth'
  | 'ldap_bind';

/** The directory object types that events name (`resource.type`, the ends of an association). */
export type DirectoryObjectType = 'user' | 'user_group' | 'system' | 'system_group' | 'application';

/** One end of an association change, as DI names it (`object_id`, not `id`). */
export interface AssociationEnd {
  type: DirectoryObjectType;
  object_id: string;
  name: string;
}

/**
 * A Directory Insights event as the simulator records it. Every event has `id`, `event_type`,
 * `service`, `timestamp` (RFC 3339, milliseconds, UTC), `organization` and `success`; the rest
 * depends on the event type (see the README).
 */
export interface DirectoryInsightsEvent {
  id: string;
  event_type: DirectoryInsightsEventType;
  service: LoginService;
  timestamp: string;
  organization: string;
  success: boolean;
  /** Who did it: the administrator for directory changes, the user for logins (radius: `username` only). */
  initiated_by?: { id?: string; type: 'admin' | 'user'; email?: string; username?: string };
  /** The object created, updated or deleted (and the user of a `user_login_attempt`). */
  resource?: {
    id: string;
    type: DirectoryObjectType;
    username?: string;
    email?: string;
    name?: string;
    hostname?: string;
    displayName?: string;
    display_label?: string;
  };
  /** Updates: each top-level field that changed. */
  changes?: { field: string; from: unknown; to: unknown }[];
  /** `association_change`: both ends, and `op` add, remove or update (the binding's attributes changed). */
  association?: {
    op: 'add' | 'remove' | 'update';
    action_source: 'manual';
    connection: { from: AssociationEnd; to: AssociationEnd };
    attributes: Record<string, unknown> | null;
  };
  /** `login_attempt`, `radius_auth`, `ldap_bind`: the username given. */
  username?: string;
  /** `sso_auth`: the application. */
  application?: { id: string; name: string; display_label: string; sso_url: string; sso_type: string };
  /** `login_attempt`: the device. */
  system?: { id: string; hostname: string; displayName: string };
  /** `sso_auth`: the same as `success`. */
  sso_token_success?: boolean;
  idp_initiated?: boolean;
  /** `login_attempt`: the process that authenticated the user. */
  process_name?: string;
  /** `ldap_bind`: the bind DN and mechanism. */
  dn?: string;
  mech?: string;
  mfa?: boolean;
  client_ip?: string;
}

/** The fields an event's body may carry beside the ones the log sets (`id`, `timestamp`, `organization`). */
export type EventBody = Omit<DirectoryInsightsEvent, 'id' | 'timestamp' | 'organization'>;

/** Every top-level field an event can carry: a `fields` list naming none of them is a 400, as in DI. */
const KNOWN_FIELDS = new Set([
  'id',
  'event_type',
  'service',
  'timestamp',
  'organization',
  'success',
  'initiated_by',
  'resource',
  'changes',
  'association',
  'username',
  'application',
  'system',
  'sso_token_success',
  'idp_initiated',
  'process_name',
  'dn',
  'mech',
  'mfa',
  'client_ip',
]);

interface StoredEvent {
  readonly ms: number;
  readonly event: DirectoryInsightsEvent;
}

/** Events are ordered by timestamp, then id: DI's sort key, and what `search_after` names. */
function compareStored(a: StoredEvent, b: StoredEvent): number {
  return a.ms - b.ms || (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0);
}

/**
 * The events of every organization, on a clock the simulator controls. Recorded events get
 * strictly increasing timestamps (a change in the same millisecond as the previous one gets the
 * next millisecond), so "now" is never earlier than the last event.
 */
export class DirectoryInsightsLog {
  private readonly byOrganization = new Map<string, StoredEvent[]>();
  private lastMs = Number.NEGATIVE_INFINITY;
  private counter = 0;

  constructor(private readonly clock: () => number) {}

  /** The clock's time, never before the last recorded event. */
  now(): number {
    return Math.max(Math.floor(this.clock()), this.lastMs);
  }

  /** The timestamp for the next recorded event: the clock's time, or one millisecond after the last event. */
  tick(): number {
    this.lastMs = Math.max(Math.floor(this.clock()), this.lastMs + 1);
    return this.lastMs;
  }

  /** Appends an event at `ms` (from tick(); recorded events come in time order). */
  append(organization: string, ms: number, body: EventBody): DirectoryInsightsEvent {
    const event = this.make(organization, ms, body);
    this.listOf(organization).push({ ms, event });
    return event;
  }

  /** Adds events of the past (before the first tick); they are put in order by seedDone(). */
  seed(organization: string, ms: number, body: EventBody): void {
    this.listOf(organization).push({ ms, event: this.make(organization, ms, body) });
  }

  seedDone(): void {
    for (const list of this.byOrganization.values()) list.sort(compareStored);
    for (const list of this.byOrganization.values()) {
      const last = list[list.length - 1];
      if (last) this.lastMs = Math.max(this.lastMs, last.ms);
    }
  }

  /** Every event of an organization in time order. */
  events(organization: string): DirectoryInsightsEvent[] {
    return (this.byOrganization.get(organization) ?? []).map((stored) => stored.event);
  }

  /** Runs a query over the given organizations: one page, and the `search_after` of its last event. */
  query(organizations: readonly string[], query: EventQuery): { events: DirectoryInsightsEvent[]; searchAfter: [number, string] | undefined } {
    let candidates = organizations.flatMap((organization) => this.byOrganization.get(organization) ?? []);
    if (organizations.length > 1) candidates = candidates.slice().sort(compareStored);
    const after = query.searchAfter;
    const direction = query.sort === 'ASC' ? 1 : -1;
    const matching = candidates.filter((stored) => {
      if (stored.ms < query.startMs || stored.ms > query.endMs) return false;
      if (query.services !== 'all' && !query.services.has(stored.event.service)) return false;
      if (query.searchTerm && !query.searchTerm(stored.event)) return false;
      if (after) {
        const versus = compareStored(stored, { ms: after[0], event: { id: after[1] } as DirectoryInsightsEvent });
        if (versus * direction <= 0) return false;
      }
      return true;
    });
    if (direction < 0) matching.reverse();
    const page = matching.slice(query.skip, query.skip + query.limit);
    const last = page[page.length - 1];
    return {
      events: page.map((stored) => (query.fields ? project(stored.event, query.fields) : stored.event)),
      searchAfter: last ? [last.ms, last.event.id] : undefined,
    };
  }

  private listOf(organization: string): StoredEvent[] {
    let list = this.byOrganization.get(organization);
    if (!list) {
      list = [];
      this.byOrganization.set(organization, list);
    }
    return list;
  }

  /** Ids are 24 hex characters, like most of DI's: the event's seconds, then a counter. */
  private make(organization: string, ms: number, body: EventBody): DirectoryInsightsEvent {
    const seconds = Math.max(0, Math.floor(ms / 1000)) % 0x1_0000_0000;
    const id = seconds.toString(16).padStart(8, '0') + (this.counter++).toString(16).padStart(16, '0');
    return { id, ...body, timestamp: new Date(ms).toISOString(), organization };
  }
}

/** A validated `POST /events` body. */
export interface EventQuery {
  services: ReadonlySet<string> | 'all';
  startMs: number;
  endMs: number;
  sort: 'ASC' | 'DESC';
  limit: number;
  skip: number;
  searchAfter?: [number, string];
  fields?: readonly string[];
  searchTerm?: (event: DirectoryInsightsEvent) => boolean;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;

/** RFC 3339 (the zone may be left out, meaning UTC, as DI allows); NaN when it is not one. */
function parseTime(value: string): number {
  const match = RFC3339.exec(value);
  if (!match) return Number.NaN;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const millis = Number(`${(match[7] ?? '.').slice(1)}000`.slice(0, 3));
  const zone = match[8];
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

function time(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? parseTime(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ApiError(400, `${name} must be an RFC 3339 date-time such as "2020-01-01T14:00:00Z", got ${JSON.stringify(value)}`);
  return ms;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a `POST /events` body as DI does: `service` and `start_time` are required; a bad
 * date, a start in the future or an end before the start is a 400; `sort` is ASC unless it says
 * DESC (in any case); `limit` outside 1..10,000 gives the default 1,000.
 */
export function parseEventQuery(body: unknown, nowMs: number): EventQuery {
  if (!isRecord(body)) throw new ApiError(400, 'the request body must be a JSON object with service and start_time');
  for (const unsupported of ['q', 'exact_match']) {
    if (body[unsupported] !== undefined) throw new ApiError(400, `${unsupported} is not supported by the simulator (use search_term)`);
  }

  const service = body['service'];
  if (!Array.isArray(service) || service.length === 0) {
    throw new ApiError(400, `service is required: a non-empty array of ${QUERY_SERVICES.join(', ')}`);
  }
  for (const value of service) {
    if (typeof value !== 'string' || !(QUERY_SERVICES as readonly string[]).includes(value)) {
      throw new ApiError(400, `invalid service ${JSON.stringify(value)}; supported values: ${QUERY_SERVICES.join(', ')}`);
    }
  }
  const services = service.includes('all') ? 'all' : new Set(service as string[]);

  const startMs = time(body, 'start_time');
  if (startMs === undefined) throw new ApiError(400, 'start_time is required (RFC 3339)');
  if (startMs > nowMs) throw new ApiError(400, 'start_time is in the future');
  const endMs = time(body, 'end_time') ?? nowMs;
  if (endMs < startMs) throw new ApiError(400, 'end_time is before start_time');

  const sort = typeof body['sort'] === 'string' && body['sort'].toUpperCase() === 'DESC' ? 'DESC' : 'ASC';

  const limitValue = body['limit'];
  let limit = DEFAULT_LIMIT;
  if (limitValue !== undefined && limitValue !== null) {
    if (typeof limitValue !== 'number' || !Number.isInteger(limitValue)) throw new ApiError(400, `limit must be an integer, got ${JSON.stringify(limitValue)}`);
    if (limitValue >= 1 && limitValue <= MAX_EVENTS_LIMIT) limit = limitValue;
  }

  const skipValue = body['skip'];
  let skip = 0;
  if (skipValue !== undefined && skipValue !== null) {
    if (typeof skipValue !== 'number' || !Number.isInteger(skipValue) || skipValue < 0) {
      throw new ApiError(400, `skip must be a non-negative integer, got ${JSON.stringify(skipValue)}`);
    }
    skip = skipValue;
  }

  return {
    services,
    startMs,
    endMs,
    sort,
    limit,
    skip,
    searchAfter: parseSearchAfter(body['search_after']),
    fields: parseFields(body['fields']),
    searchTerm: body['search_term'] === undefined || body['search_term'] === null ? undefined : parseSearchTerm(body['search_term']),
  };
}

/** `[timestamp in ms, event id]`, as the `X-Search_after` header gave it (the time may come as a string). */
function parseSearchAfter(value: unknown): [number, string] | undefined {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  const invalid = () => new ApiError(400, `search_after must be the array of the X-Search_after header ([timestamp, id]), got ${JSON.stringify(value)}`);
  if (!Array.isArray(value) || value.length !== 2) throw invalid();
  const [rawMs, id] = value as [unknown, unknown];
  const ms = typeof rawMs === 'number' ? rawMs : typeof rawMs === 'string' && /^-?\d+$/.test(rawMs) ? Number(rawMs) : Number.NaN;
  if (!Number.isInteger(ms) || typeof id !== 'string') throw invalid();
  return [ms, id];
}

function parseFields(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((field) => typeof field !== 'string')) throw new ApiError(400, 'fields must be an array of field names');
  const fields = value as string[];
  if (!fields.some((field) => KNOWN_FIELDS.has(field.split('.')[0] ?? ''))) throw new ApiError(400, 'fields names no known event field');
  return fields;
}

function valueAt(item: unknown, path: string): unknown {
  let current = item;
  for (const part of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[part];
  }
  return current;
}

/** `fields`: the named fields only (dotted names reach into objects). */
function project(event: DirectoryInsightsEvent, fields: readonly string[]): DirectoryInsightsEvent {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = valueAt(event, field);
    if (value === undefined) continue;
    const parts = field.split('.');
    let target = out;
    parts.slice(0, -1).forEach((part) => {
      if (!isRecord(target[part])) target[part] = {};
      target = target[part] as Record<string, unknown>;
    });
    target[parts[parts.length - 1] as string] = value;
  }
  return out as unknown as DirectoryInsightsEvent;
}

type Predicate = (event: DirectoryInsightsEvent) => boolean;
const CONJUNCTIONS = ['and', 'or', 'not'] as const;

/** Values are compared as lower-case text: DI lower-cases them when it stores an event. */
function text(value: unknown): string {
  return String(value).toLowerCase();
}

/** One `{ field: value | [values] }` term, or a nested `{ and | or | not: ... }`. */
function parseTerm(term: unknown): Predicate[] {
  if (!isRecord(term)) throw new ApiError(400, `search_term: each term must be an object, got ${JSON.stringify(term)}`);
  return Object.entries(term).map(([field, expected]): Predicate => {
    if ((CONJUNCTIONS as readonly string[]).includes(field)) return parseSearchTerm({ [field]: expected });
    const values = (Array.isArray(expected) ? expected : [expected]).map((value) => {
      if (value === null || typeof value === 'object') throw new ApiError(400, `search_term: ${field} must be a value or a list of values`);
      return text(value);
    });
    return (event) => {
      const actual = valueAt(event, field);
      return actual !== undefined && actual !== null && typeof actual !== 'object' && values.includes(text(actual));
    };
  });
}

/**
 * `search_term`: `and` (every term), `or` (any term), `not` (no term), each a list of terms or
 * one object of them; terms match a field (dotted for nested ones) against a value or any of a
 * list of values, case-insensitively.
 */
function parseSearchTerm(value: unknown): Predicate {
  if (!isRecord(value)) throw new ApiError(400, 'search_term must be an object with and, or or not');
  const parts: Predicate[] = [];
  for (const [key, terms] of Object.entries(value)) {
    if (!(CONJUNCTIONS as readonly string[]).includes(key)) throw new ApiError(400, `search_term: unknown conjunction "${key}" (and, or, not)`);
    const predicates = (Array.isArray(terms) ? terms : [terms]).flatMap(parseTerm);
    if (key === 'and') parts.push((event) => predicates.every((p) => p(event)));
    else if (key === 'or') parts.push((event) => predicates.some((p) => p(event)));
    else parts.push((event) => !predicates.some((p) => p(event)));
  }
  return (event) => parts.every((p) => p(event));
}
