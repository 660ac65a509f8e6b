import { JUMPCLOUD_CONSOLES, type JumpCloudRegion } from '@jumpcloud-graph/domain';
import { type components } from '../generated/directory-insights';
import { DirectoryInsightsUnavailableError, JumpCloudApiError, JumpCloudAuthError, JumpCloudClientConfigError, JumpCloudResponseError } from './jumpcloud-client.errors';
import { PagedList } from './pagination';
import { isRecord } from './typed-lists';

/**
 * Directory Insights (DI): JumpCloud's event log, served from a host of its own per region. Its
 * one query reads a time window of events a page at a time, each page following the last event
 * of the one before (`search_after`, from the `X-Search_after` header), until a page holds fewer
 * events than the page size (`X-Result-Count` < `X-Limit`).
 */

type Schemas = components['schemas'];
export type DirectoryInsightsEvent = Schemas['DirectoryInsightsEvent'];
export type DirectoryInsightsService = Schemas['DirectoryInsightsService'];
type EventQuery = Schemas['DirectoryInsightsEventQuery'];

/** DI's largest page, and the page size asked for unless told otherwise. */
export const DIRECTORY_INSIGHTS_PAGE_SIZE = 10_000;

/** The path our document's servers end with: DI below any other origin (a simulator) is found there. */
export const DIRECTORY_INSIGHTS_PATH = '/insights/directory/v1';

/** The endpoint key of the event query in request counts and errors. */
export const DIRECTORY_EVENTS_ENDPOINT = `POST ${DIRECTORY_INSIGHTS_PATH}/events`;

/**
 * The DI base URL of each region whose DI host JumpCloud documents. The IN region's console
 * (`https://console.in.jumpcloud.com`) has none documented: name it with the client's
 * `directoryInsightsUrl` option.
 */
export const DIRECTORY_INSIGHTS_URLS: Readonly<Partial<Record<JumpCloudRegion, string>>> = {
  us: `https://api.jumpcloud.com${DIRECTORY_INSIGHTS_PATH}`,
  eu: `https://api.eu.jumpcloud.com${DIRECTORY_INSIGHTS_PATH}`,
};

/**
 * The DI base URL that goes with a console base URL (as the client resolved it): the region's DI
 * host for a JumpCloud console, `undefined` for a JumpCloud console without a documented one, and
 * `${baseUrl}/insights/directory/v1` for any other server (a simulator serves both on one origin).
 */
export function directoryInsightsUrlOf(baseUrl: string): string | undefined {
  const region = (Object.keys(JUMPCLOUD_CONSOLES) as JumpCloudRegion[]).find((r) => JUMPCLOUD_CONSOLES[r] === baseUrl);
  if (region) return DIRECTORY_INSIGHTS_URLS[region];
  return `${baseUrl}${DIRECTORY_INSIGHTS_PATH}`;
}

/** A query of DI events (`listDirectoryEvents`). */
export interface DirectoryEventsOptions {
  /** Sent as `x-org-id` instead of the client's organization. */
  orgId?: string;
  /** The sources to read, e.g. `['directory']` for changes, `['all']` for logins too. */
  service: readonly DirectoryInsightsService[];
  /** The window's first instant (a `Date`, or RFC 3339), included. */
  startTime: Date | string;
  /** The window's last instant; now when left out. */
  endTime?: Date | string;
  /** Timestamp order (default `ASC`, oldest first). */
  sort?: 'ASC' | 'DESC';
  /** Events a page (default and most 10,000). */
  limit?: number;
  /** Only these fields of each event (`id` is always asked for: events are told apart by it). */
  fields?: readonly string[];
  signal?: AbortSignal;
}

/** The request body of one page: the query, and where the page starts. */
export function eventQuery(o: DirectoryEventsOptions, searchAfter: readonly string[] | undefined): EventQuery {
  const limit = o.limit ?? DIRECTORY_INSIGHTS_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > DIRECTORY_INSIGHTS_PAGE_SIZE) {
    throw new JumpCloudClientConfigError(`limit must be an integer from 1 to ${DIRECTORY_INSIGHTS_PAGE_SIZE}, got ${limit}`);
  }
  if (o.service.length === 0) throw new JumpCloudClientConfigError('a Directory Insights query needs at least one service');
  return {
    service: [...o.service],
    start_time: instant(o.startTime, 'startTime'),
    ...(o.endTime !== undefined ? { end_time: instant(o.endTime, 'endTime') } : {}),
    sort: o.sort ?? 'ASC',
    limit,
    ...(searchAfter ? { search_after: [...searchAfter] } : {}),
    ...(o.fields ? { fields: o.fields.includes('id') ? [...o.fields] : ['id', ...o.fields] } : {}),
  };
}

function instant(value: Date | string, name: string): string {
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(time)) throw new JumpCloudClientConfigError(`${name} is not a date: ${String(value)}`);
  // A string is sent as given (its precision and offset are the caller's); a Date as UTC ISO 8601.
  return value instanceof Date ? value.toISOString() : value;
}

/** One page as DI answers it: the events, and what its headers say. */
export interface EventPage {
  events: DirectoryInsightsEvent[];
  /** `X-Limit`: the page size the server applied. */
  limit: number | undefined;
  /** `X-Result-Count`: the events of this page. */
  resultCount: number | undefined;
  /** `X-Search_after`: where the next page starts. */
  searchAfter: string[] | undefined;
}

/** Reads a page's body and headers, checking what the paging relies on. */
export function eventPageOf(data: unknown, headers: Headers): EventPage {
  const endpoint = DIRECTORY_EVENTS_ENDPOINT;
  const malformed = (problem: string) => new JumpCloudResponseError(`Directory Insights sent a malformed page on ${endpoint}: ${problem}`, endpoint);
  if (!Array.isArray(data)) throw malformed('expected an array of events');
  if (!data.every((event) => isRecord(event) && typeof event['id'] === 'string' && event['id'] !== '')) throw malformed('an event has no id');
  const count = (name: string) => {
    const raw = headers.get(name);
    if (raw === null) return undefined;
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isInteger(value) || value < 0) throw malformed(`${name} is not a count: ${raw.slice(0, 40)}`);
    return value;
  };
  let searchAfter: string[] | undefined;
  const cursor = headers.get('X-Search_after');
  if (cursor !== null && cursor.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(cursor);
    } catch {
      throw malformed('X-Search_after is not JSON');
    }
    // Sent back exactly as it came (DI documents strings; a number stays a number). An empty
    // array (an empty page's) is no cursor.
    if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string' || typeof v === 'number')) {
      throw malformed('X-Search_after is not an array of values');
    }
    if (parsed.length > 0) searchAfter = parsed as string[];
  }
  return { events: data as DirectoryInsightsEvent[], limit: count('X-Limit'), resultCount: count('X-Result-Count'), searchAfter };
}

/**
 * The events of a query, page by page (`for await` gives them one by one): pages are read in
 * sequence, each from the cursor of the one before, until a page is short (`X-Result-Count` below
 * `X-Limit`, or, without those headers, fewer events than asked for) or empty. Each event comes
 * once, told apart by `id` (an event met again on a later page is left out). 401, 403 and 404
 * become a `DirectoryInsightsUnavailableError`.
 */
export function directoryEventList(
  o: DirectoryEventsOptions,
  fetchPage: (query: EventQuery) => Promise<EventPage>,
): PagedList<DirectoryInsightsEvent> {
  eventQuery(o, undefined); // a query that cannot be sent fails here, not at the first page
  return new PagedList(async function* () {
    const seen = new Set<string>();
    let after: string[] | undefined;
    for (;;) {
      const query = eventQuery(o, after);
      let page: EventPage;
      try {
        page = await fetchPage(query);
      } catch (error) {
        throw unavailable(error) ?? error;
      }
      const fresh = page.events.filter((event) => {
        if (seen.has(event.id)) return false;
        seen.add(event.id);
        return true;
      });
      if (fresh.length > 0) yield fresh;
      const limit = page.limit ?? query.limit ?? DIRECTORY_INSIGHTS_PAGE_SIZE;
      const count = page.resultCount ?? page.events.length;
      if (page.events.length === 0 || count < limit) return;
      const endpoint = DIRECTORY_EVENTS_ENDPOINT;
      if (!page.searchAfter) {
        throw new JumpCloudResponseError(`Directory Insights sent a full page without X-Search_after on ${endpoint}: the next page cannot be asked for`, endpoint);
      }
      if (after && JSON.stringify(after) === JSON.stringify(page.searchAfter)) {
        throw new JumpCloudResponseError(`Directory Insights sent the same X-Search_after twice on ${endpoint}: paging would not end`, endpoint);
      }
      after = page.searchAfter;
    }
  });
}

/** What a refusal of DI means: DI is not there for this key, organization or server. */
function unavailable(error: unknown): DirectoryInsightsUnavailableError | undefined {
  const status = error instanceof JumpCloudAuthError || error instanceof JumpCloudApiError ? error.status : undefined;
  if (status !== 401 && status !== 403 && status !== 404) return undefined;
  const endpoint = DIRECTORY_EVENTS_ENDPOINT;
  return new DirectoryInsightsUnavailableError(
    `Directory Insights is not available to this key or organization, or on this server (HTTP ${status} on ${endpoint})`,
    status,
    endpoint,
    { cause: error },
  );
}

/** The page reader of a console without a known DI address: it fails, without a request, as DI unavailable. */
export function noDirectoryInsights(baseUrl: string): () => Promise<EventPage> {
  return () =>
    Promise.reject(
      new DirectoryInsightsUnavailableError(
        `no Directory Insights address is known for ${baseUrl}: name it with the directoryInsightsUrl option`,
        null,
        DIRECTORY_EVENTS_ENDPOINT,
      ),
    );
}
