import { JumpCloudApiError, JumpCloudResponseError } from './jumpcloud-client.errors';
import { type PagedList, paginateV1, paginateV2, type V1Page } from './pagination';

/**
 * How the client turns one endpoint's answers into typed, checked pages: the v1 and v2 query
 * shapes, the page checks, and the 2xx-or-typed-error rule. Kept apart from the endpoint table
 * (`buildClient`) so that each can be read and tested on its own.
 */

/** What openapi-fetch resolves a call with. */
export type Sent = Promise<{ data?: unknown; error?: unknown; response: Response }>;

/** Calls an endpoint and returns its 2xx body (or throws the typed error). */
export type CallEndpoint = (endpoint: string, send: () => Sent) => Promise<unknown>;

/** v1 list options: `sort` defaults to `_id`, which keeps concurrently read pages stable. */
export interface V1QueryOptions {
  fields?: readonly string[];
  /** v1 filter expression, e.g. `state:$eq:ACTIVATED`. */
  filter?: string;
  sort?: readonly string[];
}

/** v2 list options; arrays are sent comma-joined (the client's query serializer). */
export interface V2QueryOptions {
  fields?: readonly string[];
  /** v2 filter expressions, e.g. `name:eq:Engineering`. */
  filter?: readonly string[];
  sort?: readonly string[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function checkItems(endpoint: string, items: unknown[], valid: (item: Record<string, unknown>) => boolean, problem: string): void {
  if (!items.every((item) => isRecord(item) && valid(item))) {
    throw new JumpCloudResponseError(`JumpCloud sent a malformed page on ${endpoint}: ${problem}`, endpoint);
  }
}

/** A v1 page's query: skip and limit, space-separated `sort` and `fields`, the filter as given. */
export function v1Query(o: V1QueryOptions, skip: number, limit: number) {
  return {
    skip,
    limit,
    sort: (o.sort ?? ['_id']).join(' '),
    ...(o.fields ? { fields: o.fields.join(' ') } : {}),
    ...(o.filter ? { filter: o.filter } : {}),
  };
}

/** A v2 page's query: skip and limit, and the arrays that were given. */
export function v2Query(o: V2QueryOptions, skip: number, limit: number) {
  return {
    skip,
    limit,
    ...(o.sort ? { sort: [...o.sort] } : {}),
    ...(o.fields ? { fields: [...o.fields] } : {}),
    ...(o.filter ? { filter: [...o.filter] } : {}),
  };
}

/** Returns the body of a 2xx answer, or throws the typed error for anything else. */
export async function unwrap(endpoint: string, send: () => Sent, redact: (text: string) => string): Promise<unknown> {
  return (await unwrapResponse(endpoint, send, redact)).data;
}

/** As `unwrap`, with the response too (for what its headers say). */
export async function unwrapResponse(endpoint: string, send: () => Sent, redact: (text: string) => string): Promise<{ data: unknown; response: Response }> {
  let result: Awaited<Sent>;
  try {
    result = await send();
  } catch (error) {
    // openapi-fetch parses the body itself; a truncated or garbled body surfaces as SyntaxError
    // (matched by name: the parser's realm may not be ours).
    if (isRecord(error) && error['name'] === 'SyntaxError') {
      throw new JumpCloudResponseError(`JumpCloud sent malformed JSON on ${endpoint}`, endpoint);
    }
    throw error;
  }
  const { response } = result;
  if (!response.ok) {
    const detail = isRecord(result.error) && typeof result.error['message'] === 'string' ? `: ${result.error['message']}` : '';
    throw new JumpCloudApiError(redact(`JumpCloud answered HTTP ${response.status} on ${endpoint}${detail}`), response.status, endpoint);
  }
  return { data: result.data, response };
}

/** The id of a v2 object itself, and of the target of a graph connection (`to.id`). */
export const ownId = (item: Record<string, unknown>) => item['id'];
export const targetId = (item: Record<string, unknown>) => (isRecord(item['to']) ? item['to']['id'] : undefined);
/** System Insights rows have no id of their own: each names its device. */
export const systemIdOf = (item: Record<string, unknown>) => item['system_id'];

/**
 * The two list shapes over `call`: v1 lists (`{totalCount, results}` pages whose items carry
 * `_id`; `lookahead` pages read ahead, as many as requests may be in flight) and v2 lists
 * (bare-array pages of objects whose id `idOf` finds).
 */
export function typedLists(call: CallEndpoint, lookahead: number) {
  return {
    v1List<T>(endpoint: string, o: V1QueryOptions, send: (query: ReturnType<typeof v1Query>) => Sent): PagedList<T> {
      return paginateV1(async (skip, limit) => {
        const data = await call(endpoint, () => send(v1Query(o, skip, limit)));
        if (!isRecord(data) || !Array.isArray(data['results']) || !isCount(data['totalCount'])) {
          throw new JumpCloudResponseError(`JumpCloud sent a malformed page on ${endpoint}: expected {totalCount, results}`, endpoint);
        }
        checkItems(endpoint, data['results'], (item) => typeof item['_id'] === 'string', 'an item has no _id');
        return { totalCount: data['totalCount'], results: data['results'] as T[] } satisfies V1Page<T>;
      }, lookahead);
    },
    v2List<T>(endpoint: string, idOf: (item: Record<string, unknown>) => unknown, send: (skip: number, limit: number) => Sent, pageSize?: number): PagedList<T> {
      return paginateV2(async (skip, limit) => {
        const data = await call(endpoint, () => send(skip, limit));
        if (!Array.isArray(data)) {
          throw new JumpCloudResponseError(`JumpCloud sent a malformed page on ${endpoint}: expected an array`, endpoint);
        }
        checkItems(endpoint, data, (item) => typeof idOf(item) === 'string', 'an item has no id');
        return data as T[];
      }, pageSize);
    },
  };
}

/**
 * One object read by id: its checked body, or `undefined` when JumpCloud answers 404 (no such
 * object in the organization). `idField` is `_id` for v1 objects, `id` for v2 ones.
 */
export async function objectById<T>(call: CallEndpoint, endpoint: string, idField: '_id' | 'id', send: () => Sent): Promise<T | undefined> {
  let data: unknown;
  try {
    data = await call(endpoint, send);
  } catch (error) {
    if (error instanceof JumpCloudApiError && error.status === 404) return undefined;
    throw error;
  }
  if (!isRecord(data) || typeof data[idField] !== 'string') {
    throw new JumpCloudResponseError(`JumpCloud sent a malformed object on ${endpoint}: expected an object with ${idField}`, endpoint);
  }
  return data as T;
}
