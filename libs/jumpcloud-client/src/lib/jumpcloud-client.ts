import { JUMPCLOUD_CONSOLES, type JumpCloudRegion, type Logger, silentLogger } from '@jumpcloud-graph/domain';
import { checkSecretUrl, createRequestFetch, InsecureUrlError, type RequestFetch } from '@jumpcloud-graph/http-retry';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { type paths as DirectoryInsightsPaths } from '../generated/directory-insights';
import { type components, type paths } from '../generated/jumpcloud';
import {
  DIRECTORY_EVENTS_ENDPOINT,
  DIRECTORY_INSIGHTS_PATH,
  directoryEventList,
  type DirectoryEventsOptions,
  type DirectoryInsightsEvent,
  directoryInsightsUrlOf,
  eventPageOf,
  noDirectoryInsights,
} from './directory-insights';
import { JumpCloudAuthError, JumpCloudClientConfigError, JumpCloudFeatureUnavailableError, JumpCloudResponseError } from './jumpcloud-client.errors';
import {
  type CallEndpoint,
  isRecord,
  objectById,
  ownId,
  systemIdOf,
  targetId,
  typedLists,
  unwrap,
  unwrapResponse,
  type V1QueryOptions,
  v2Query,
  type V2QueryOptions,
} from './typed-lists';
import { PagedList, SYSTEM_INSIGHTS_PAGE_SIZE } from './pagination';
import { createRedactor } from './redact';
import { RequestCounters, type RequestCounts } from './request-counters';
import { type RequestBudget } from './request-budget';
import { RequestScheduler, type SchedulerStats } from './request-scheduler';
import { DEFAULT_RETRY, type RetryOptions } from './retry';
import { createRetryingFetch } from './transport';

type Schemas = components['schemas'];
export type OrganizationSummary = Schemas['OrganizationSummary'];
export type Organization = Schemas['Organization'];
export type SystemUser = Schemas['SystemUser'];
export type Application = Schemas['Application'];
export type System = Schemas['System'];
export type UserGroup = Schemas['UserGroup'];
export type SystemGroup = Schemas['SystemGroup'];
export type GraphConnection = Schemas['GraphConnection'];
export type Policy = Schemas['Policy'];
export type PolicyResult = Schemas['PolicyResult'];
export type SystemInsightsDiskEncryption = Schemas['SystemInsightsDiskEncryption'];
export type SystemInsightsOsVersion = Schemas['SystemInsightsOsVersion'];
export type ApplicationAssociationTarget = NonNullable<
  paths['/api/v2/applications/{application_id}/associations']['get']['parameters']['query']
>['targets'][number];
export type SystemAssociationTarget = NonNullable<
  paths['/api/v2/systems/{system_id}/associations']['get']['parameters']['query']
>['targets'][number];
export type UserAssociationTarget = NonNullable<
  paths['/api/v2/users/{user_id}/associations']['get']['parameters']['query']
>['targets'][number];
export type PolicyAssociationTarget = NonNullable<
  paths['/api/v2/policies/{policy_id}/associations']['get']['parameters']['query']
>['targets'][number];


export const CLIENT_VERSION = '0.1.0';

export interface JumpCloudClientOptions {
  apiKey: string;
  /** Sent as `x-org-id`; needed when the key is a multi-tenant administrator's. */
  orgId?: string;
  /** The console origin (the client calls `${baseUrl}/api` and `${baseUrl}/api/v2`). Wins over `region`. */
  baseUrl?: string;
  /** Which JumpCloud console to call when no `baseUrl` is given. Default `us`. */
  region?: JumpCloudRegion;
  /**
   * The Directory Insights base URL (events are queried at `${directoryInsightsUrl}/events`).
   * Default: the region's Directory Insights host for a JumpCloud console (US and EU; none is
   * documented for IN), `${baseUrl}/insights/directory/v1` for any other base URL.
   */
  directoryInsightsUrl?: string;
  /** Requests in flight at most (default 8). */
  concurrency?: number;
  /** Per-attempt timeout, body included (default 30 s). */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** Allow `http://` to a non-loopback host. Off by default: the key would travel in clear. */
  allowInsecureHttp?: boolean;
  /** Version in `User-Agent: jumpcloud-graph/<version>`. */
  version?: string;
  logger?: Logger;
  /** Source of randomness for the backoff jitter (tests pass a fixed one). */
  random?: () => number;
  /**
   * What sends each attempt (default: `createRequestFetch()`, undici's request API behind a
   * fetch's signature). `globalThis.fetch` works too.
   */
  fetch?: RequestFetch;
  /**
   * A request budget shared with other processes using the same key (the worker's replicas on
   * Redis): every attempt takes a lease from it after its own scheduler's slot. None by default.
   */
  budget?: RequestBudget;
}

/** v1 list options (`sort` defaults to `_id`, which keeps concurrently read pages stable). */
export interface V1ListOptions extends V1QueryOptions {
  signal?: AbortSignal;
}

/** v2 list options; arrays are sent comma-joined. */
export interface V2ListOptions extends V2QueryOptions {
  signal?: AbortSignal;
}

/** Options of a read of one object by id. */
export interface GetByIdOptions {
  /** The organization to read it in (`x-org-id`), when not the client's own. */
  orgId?: string;
  signal?: AbortSignal;
}

/** System Insights list options: rows come up to 10,000 a page. */
export interface SystemInsightsListOptions {
  /** e.g. `system_id:in:<id>|<id>`: worth it only when it saves pages (a few devices of many). */
  filter?: readonly string[];
  /** Rows a page (default and most 10,000). */
  pageSize?: number;
  signal?: AbortSignal;
}

export interface JumpCloudClient {
  /** The origin requests go to. */
  readonly baseUrl: string;
  /** Where Directory Insights is queried, if anywhere is known (see `directoryInsightsUrl`). */
  readonly directoryInsightsUrl: string | undefined;
  /** The typed openapi-fetch client underneath, for endpoints without a helper. */
  readonly api: Client<paths>;
  listOrganizations(options?: V1ListOptions): PagedList<OrganizationSummary>;
  getOrganization(id: string, options?: { fields?: readonly string[]; signal?: AbortSignal }): Promise<Organization>;
  listSystemUsers(options?: V1ListOptions): PagedList<SystemUser>;
  /**
   * One object by id (`GET /api/systemusers/{id}` and the like), through the same scheduler,
   * retries and counters as the lists: the checked object, or `undefined` when JumpCloud answers
   * 404 (no such object in the organization).
   */
  getSystemUser(id: string, options?: GetByIdOptions): Promise<SystemUser | undefined>;
  getApplication(id: string, options?: GetByIdOptions): Promise<Application | undefined>;
  getSystem(id: string, options?: GetByIdOptions): Promise<System | undefined>;
  getUserGroup(id: string, options?: GetByIdOptions): Promise<UserGroup | undefined>;
  getSystemGroup(id: string, options?: GetByIdOptions): Promise<SystemGroup | undefined>;
  listApplications(options?: V1ListOptions): PagedList<Application>;
  listSystems(options?: V1ListOptions): PagedList<System>;
  listUserGroups(options?: V2ListOptions): PagedList<UserGroup>;
  listUserGroupMembers(groupId: string, options?: { signal?: AbortSignal }): PagedList<GraphConnection>;
  listSystemGroups(options?: V2ListOptions): PagedList<SystemGroup>;
  listSystemGroupMembers(groupId: string, options?: { signal?: AbortSignal }): PagedList<GraphConnection>;
  listApplicationAssociations(
    applicationId: string,
    targets: readonly ApplicationAssociationTarget[],
    options?: { signal?: AbortSignal },
  ): PagedList<GraphConnection>;
  listSystemAssociations(
    systemId: string,
    targets: readonly SystemAssociationTarget[],
    options?: { signal?: AbortSignal },
  ): PagedList<GraphConnection>;
  listUserAssociations(
    userId: string,
    targets: readonly UserAssociationTarget[],
    options?: { signal?: AbortSignal },
  ): PagedList<GraphConnection>;
  listPolicies(options?: V2ListOptions): PagedList<Policy>;
  listPolicyAssociations(
    policyId: string,
    targets: readonly PolicyAssociationTarget[],
    options?: { signal?: AbortSignal },
  ): PagedList<GraphConnection>;
  /** Every policy result of the organization (`fields` names the fields to read: stdOut and stdErr can be large). */
  listPolicyResults(options?: V2ListOptions): PagedList<PolicyResult>;
  /**
   * System Insights' `disk_encryption` table. A 403 (System Insights is not on the organization's
   * plan, or the key may not read it) rejects with a `JumpCloudFeatureUnavailableError`, not fatal.
   */
  listSystemInsightsDiskEncryption(options?: SystemInsightsListOptions): PagedList<SystemInsightsDiskEncryption>;
  /** System Insights' `os_version` table; a 403 as `listSystemInsightsDiskEncryption`. */
  listSystemInsightsOsVersion(options?: SystemInsightsListOptions): PagedList<SystemInsightsOsVersion>;
  /**
   * Directory Insights events of a time window, page by page (`for await` gives them one by
   * one), each event once, through the same scheduler, retries and counters as every other
   * request (counted as `POST /insights/directory/v1/events`). 401, 403 and 404, or no known
   * Directory Insights address, reject with a `DirectoryInsightsUnavailableError`.
   */
  listDirectoryEvents(options: DirectoryEventsOptions): PagedList<DirectoryInsightsEvent>;
  /** A client for another organization that shares this one's scheduler and counters. */
  forOrganization(orgId: string | undefined): JumpCloudClient;
  requestCounts(): RequestCounts;
  schedulerStats(): SchedulerStats;
}

interface Shared {
  baseUrl: string;
  directoryInsightsUrl: string | undefined;
  apiKey: string;
  userAgent: string;
  scheduler: RequestScheduler;
  counters: RequestCounters;
  redact: (text: string) => string;
  fetch: (request: Request, cancel?: AbortSignal) => Promise<Response>;
  endpoints: WeakMap<Request, string>;
}

/**
 * Creates the JumpCloud client: openapi-fetch over a transport that schedules, times out and
 * retries every request, with middleware that adds the headers JumpCloud expects.
 */
export function createJumpCloudClient(options: JumpCloudClientOptions): JumpCloudClient {
  if (!options.apiKey) throw new JumpCloudClientConfigError('a JumpCloud API key is required');
  const baseUrl = resolveBaseUrl(options);
  const directoryInsightsUrl = resolveDirectoryInsightsUrl(options, baseUrl);
  const redact = createRedactor([options.apiKey]);
  const scheduler = new RequestScheduler(options.concurrency ?? 8);
  const counters = new RequestCounters();
  const endpoints = new WeakMap<Request, string>();
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new JumpCloudClientConfigError(`retry.maxAttempts must be a positive integer, got ${retry.maxAttempts}`);
  }
  const fetch = createRetryingFetch({
    scheduler,
    counters,
    retry,
    timeoutMs: options.timeoutMs ?? 30_000,
    logger: options.logger ?? silentLogger,
    random: options.random ?? Math.random,
    redact,
    endpointOf: (request) => endpoints.get(request) ?? `${request.method} ${new URL(request.url).pathname}`,
    fetch: options.fetch ?? createRequestFetch(),
    fetchReadsBody: options.fetch === undefined,
    budget: options.budget,
  });
  const shared: Shared = {
    baseUrl,
    directoryInsightsUrl,
    apiKey: options.apiKey,
    userAgent: `jumpcloud-graph/${options.version ?? CLIENT_VERSION}`,
    scheduler,
    counters,
    redact,
    fetch,
    endpoints,
  };
  return buildClient(shared, options.orgId);
}

function resolveBaseUrl(options: JumpCloudClientOptions): string {
  const raw = options.baseUrl ?? JUMPCLOUD_CONSOLES[options.region ?? 'us'];
  if (!raw) throw new JumpCloudClientConfigError(`unknown JumpCloud region: ${String(options.region)}`);
  let url: URL;
  try {
    url = checkSecretUrl(raw, { what: 'the JumpCloud base URL', allowInsecureHttp: options.allowInsecureHttp });
  } catch (error) {
    throw new JumpCloudClientConfigError(error instanceof InsecureUrlError ? error.message : String(error));
  }
  if (url.search || url.hash) {
    throw new JumpCloudClientConfigError('the JumpCloud base URL must not carry a query or a fragment');
  }
  // The API's paths start with /api (and /api/v2): a base URL copied from an API path ("…/api")
  // names the same console, so the suffix is dropped rather than doubled into /api/api/….
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api(\/v2)?$/i, '');
  return `${url.origin}${path}`;
}

/**
 * The Directory Insights base URL: the option (checked as the base URL is), else the one that goes
 * with the console base URL.
 */
function resolveDirectoryInsightsUrl(options: JumpCloudClientOptions, baseUrl: string): string | undefined {
  if (options.directoryInsightsUrl === undefined) return directoryInsightsUrlOf(baseUrl);
  let url: URL;
  try {
    url = checkSecretUrl(options.directoryInsightsUrl, { what: 'the Directory Insights URL', allowInsecureHttp: options.allowInsecureHttp });
  } catch (error) {
    throw new JumpCloudClientConfigError(error instanceof InsecureUrlError ? error.message : String(error));
  }
  if (url.search || url.hash) {
    throw new JumpCloudClientConfigError('the Directory Insights URL must not carry a query or a fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Every request's headers: the key, the organization (a multi-tenant key's `x-org-id`), who we
 * are, and JSON; and the endpoint it calls (its path in the document, after `pathPrefix`),
 * remembered for the transport's counters and errors.
 */
function requestHeaders(shared: Shared, orgId: string | undefined, pathPrefix = ''): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      request.headers.set('x-api-key', shared.apiKey);
      if (orgId) request.headers.set('x-org-id', orgId);
      request.headers.set('user-agent', shared.userAgent);
      request.headers.set('accept', 'application/json');
      shared.endpoints.set(request, `${request.method} ${pathPrefix}${schemaPath}`);
    },
  };
}

/** The client of one organization (or none): the endpoint table over the shared transport. */
function buildClient(shared: Shared, orgId: string | undefined): JumpCloudClient {
  const api = createClient<paths>({
    baseUrl: shared.baseUrl,
    fetch: shared.fetch,
    // v2 array parameters (sort, fields, filter, targets) are `style: form, explode: false`.
    querySerializer: { array: { style: 'form', explode: false } },
  });
  api.use(requestHeaders(shared, orgId));

  const call: CallEndpoint = (endpoint, send) => unwrap(endpoint, send, shared.redact);
  // A caller's signal reaches the transport through the call's own fetch, never the Request:
  // a Request made with a signal hangs a listener on it until the Request is collected, and a
  // run's signal would carry thousands (each added in time proportional to those already there).
  const cancelledBy = (signal: AbortSignal | undefined) =>
    signal ? { fetch: (request: Request) => shared.fetch(request, signal) } : {};
  const { v1List, v2List } = typedLists(call, shared.scheduler.stats().limit);

  // Directory Insights: another origin, the same transport (scheduler, retries, counters) and headers.
  let insights: Client<DirectoryInsightsPaths> | undefined;
  const directoryInsights = (url: string) => {
    if (!insights) {
      insights = createClient<DirectoryInsightsPaths>({ baseUrl: url, fetch: shared.fetch });
      insights.use(requestHeaders(shared, orgId, DIRECTORY_INSIGHTS_PATH));
    }
    return insights;
  };

  const client: JumpCloudClient = {
    baseUrl: shared.baseUrl,
    directoryInsightsUrl: shared.directoryInsightsUrl,
    api,
    listOrganizations: (o = {}) =>
      v1List<OrganizationSummary>('GET /api/organizations', o, (query) =>
        api.GET('/api/organizations', { params: { query }, ...cancelledBy(o.signal) }),
      ),
    async getOrganization(id, o = {}) {
      const endpoint = 'GET /api/organizations/{id}';
      const query = o.fields ? { fields: o.fields.join(' ') } : {};
      const data = await call(endpoint, () => api.GET('/api/organizations/{id}', { params: { path: { id }, query }, ...cancelledBy(o.signal) }));
      if (!isRecord(data) || typeof data['_id'] !== 'string') {
        throw new JumpCloudResponseError(`JumpCloud sent a malformed organization on ${endpoint}`, endpoint);
      }
      return data as Organization;
    },
    getSystemUser: (id, o = {}) =>
      o.orgId !== undefined && o.orgId !== orgId
        ? buildClient(shared, o.orgId).getSystemUser(id, { signal: o.signal })
        : objectById<SystemUser>(call, 'GET /api/systemusers/{id}', '_id', () =>
            api.GET('/api/systemusers/{id}', { params: { path: { id } }, ...cancelledBy(o.signal) }),
          ),
    getApplication: (id, o = {}) =>
      o.orgId !== undefined && o.orgId !== orgId
        ? buildClient(shared, o.orgId).getApplication(id, { signal: o.signal })
        : objectById<Application>(call, 'GET /api/applications/{id}', '_id', () =>
            api.GET('/api/applications/{id}', { params: { path: { id } }, ...cancelledBy(o.signal) }),
          ),
    getSystem: (id, o = {}) =>
      o.orgId !== undefined && o.orgId !== orgId
        ? buildClient(shared, o.orgId).getSystem(id, { signal: o.signal })
        : objectById<System>(call, 'GET /api/systems/{id}', '_id', () =>
            api.GET('/api/systems/{id}', { params: { path: { id } }, ...cancelledBy(o.signal) }),
          ),
    getUserGroup: (id, o = {}) =>
      o.orgId !== undefined && o.orgId !== orgId
        ? buildClient(shared, o.orgId).getUserGroup(id, { signal: o.signal })
        : objectById<UserGroup>(call, 'GET /api/v2/usergroups/{id}', 'id', () =>
            api.GET('/api/v2/usergroups/{id}', { params: { path: { id } }, ...cancelledBy(o.signal) }),
          ),
    getSystemGroup: (id, o = {}) =>
      o.orgId !== undefined && o.orgId !== orgId
        ? buildClient(shared, o.orgId).getSystemGroup(id, { signal: o.signal })
        : objectById<SystemGroup>(call, 'GET /api/v2/systemgroups/{id}', 'id', () =>
            api.GET('/api/v2/systemgroups/{id}', { params: { path: { id } }, ...cancelledBy(o.signal) }),
          ),
    listSystemUsers: (o = {}) =>
      v1List<SystemUser>('GET /api/systemusers', o, (query) => api.GET('/api/systemusers', { params: { query }, ...cancelledBy(o.signal) })),
    listApplications: (o = {}) =>
      v1List<Application>('GET /api/applications', o, (query) => api.GET('/api/applications', { params: { query }, ...cancelledBy(o.signal) })),
    listSystems: (o = {}) =>
      v1List<System>('GET /api/systems', o, (query) => api.GET('/api/systems', { params: { query }, ...cancelledBy(o.signal) })),
    listUserGroups: (o = {}) =>
      v2List<UserGroup>('GET /api/v2/usergroups', ownId, (skip, limit) =>
        api.GET('/api/v2/usergroups', { params: { query: v2Query(o, skip, limit) }, ...cancelledBy(o.signal) }),
      ),
    listSystemGroups: (o = {}) =>
      v2List<SystemGroup>('GET /api/v2/systemgroups', ownId, (skip, limit) =>
        api.GET('/api/v2/systemgroups', { params: { query: v2Query(o, skip, limit) }, ...cancelledBy(o.signal) }),
      ),
    listUserGroupMembers: (groupId, o = {}) =>
      v2List<GraphConnection>('GET /api/v2/usergroups/{group_id}/members', targetId, (skip, limit) =>
        api.GET('/api/v2/usergroups/{group_id}/members', { params: { path: { group_id: groupId }, query: { skip, limit } }, ...cancelledBy(o.signal) }),
      ),
    listSystemGroupMembers: (groupId, o = {}) =>
      v2List<GraphConnection>('GET /api/v2/systemgroups/{group_id}/members', targetId, (skip, limit) =>
        api.GET('/api/v2/systemgroups/{group_id}/members', { params: { path: { group_id: groupId }, query: { skip, limit } }, ...cancelledBy(o.signal) }),
      ),
    listApplicationAssociations: (applicationId, targets, o = {}) =>
      v2List<GraphConnection>('GET /api/v2/applications/{application_id}/associations', targetId, (skip, limit) =>
        api.GET('/api/v2/applications/{application_id}/associations', {
          params: { path: { application_id: applicationId }, query: { targets: [...targets], skip, limit } },
          ...cancelledBy(o.signal),
        }),
      ),
    listSystemAssociations: (systemId, targets, o = {}) =>
      v2List<GraphConnection>('GET /api/v2/systems/{system_id}/associations', targetId, (skip, limit) =>
        api.GET('/api/v2/systems/{system_id}/associations', {
          params: { path: { system_id: systemId }, query: { targets: [...targets], skip, limit } },
          ...cancelledBy(o.signal),
        }),
      ),
    listUserAssociations: (userId, targets, o = {}) =>
      v2List<GraphConnection>('GET /api/v2/users/{user_id}/associations', targetId, (skip, limit) =>
        api.GET('/api/v2/users/{user_id}/associations', {
          params: { path: { user_id: userId }, query: { targets: [...targets], skip, limit } },
          ...cancelledBy(o.signal),
        }),
      ),
    listPolicies: (o = {}) =>
      v2List<Policy>('GET /api/v2/policies', ownId, (skip, limit) =>
        api.GET('/api/v2/policies', { params: { query: v2Query(o, skip, limit) }, ...cancelledBy(o.signal) }),
      ),
    listPolicyAssociations: (policyId, targets, o = {}) =>
      v2List<GraphConnection>('GET /api/v2/policies/{policy_id}/associations', targetId, (skip, limit) =>
        api.GET('/api/v2/policies/{policy_id}/associations', {
          params: { path: { policy_id: policyId }, query: { targets: [...targets], skip, limit } },
          ...cancelledBy(o.signal),
        }),
      ),
    listPolicyResults: (o = {}) =>
      v2List<PolicyResult>('GET /api/v2/policyresults', ownId, (skip, limit) =>
        api.GET('/api/v2/policyresults', { params: { query: v2Query(o, skip, limit) }, ...cancelledBy(o.signal) }),
      ),
    listSystemInsightsDiskEncryption: (o = {}) =>
      featureOf(
        'System Insights',
        v2List<SystemInsightsDiskEncryption>(
          'GET /api/v2/systeminsights/disk_encryption',
          systemIdOf,
          (skip, limit) =>
            api.GET('/api/v2/systeminsights/disk_encryption', {
              params: { query: { skip, limit, ...(o.filter ? { filter: [...o.filter] } : {}) } },
              ...cancelledBy(o.signal),
            }),
          o.pageSize ?? SYSTEM_INSIGHTS_PAGE_SIZE,
        ),
      ),
    listSystemInsightsOsVersion: (o = {}) =>
      featureOf(
        'System Insights',
        v2List<SystemInsightsOsVersion>(
          'GET /api/v2/systeminsights/os_version',
          systemIdOf,
          (skip, limit) =>
            api.GET('/api/v2/systeminsights/os_version', {
              params: { query: { skip, limit, ...(o.filter ? { filter: [...o.filter] } : {}) } },
              ...cancelledBy(o.signal),
            }),
          o.pageSize ?? SYSTEM_INSIGHTS_PAGE_SIZE,
        ),
      ),
    listDirectoryEvents(o) {
      if (o.orgId !== undefined && o.orgId !== orgId) return buildClient(shared, o.orgId).listDirectoryEvents(o);
      const url = shared.directoryInsightsUrl;
      if (url === undefined) return directoryEventList(o, noDirectoryInsights(shared.baseUrl));
      const di = directoryInsights(url);
      return directoryEventList(o, async (body) => {
        const { data, response } = await unwrapResponse(DIRECTORY_EVENTS_ENDPOINT, () => di.POST('/events', { body, ...cancelledBy(o.signal) }), shared.redact);
        return eventPageOf(data, response.headers);
      });
    },
    forOrganization: (other) => buildClient(shared, other),
    requestCounts: () => shared.counters.snapshot(),
    schedulerStats: () => shared.scheduler.stats(),
  };
  return client;
}

/**
 * A list of a plan feature: a 403 on it means the feature is not on the organization's plan (or the
 * key may not read it), which leaves the feature's data out instead of ending the run.
 */
function featureOf<T>(feature: string, list: PagedList<T>): PagedList<T> {
  return new PagedList(async function* () {
    try {
      yield* list.pages();
    } catch (error) {
      if (error instanceof JumpCloudAuthError && error.status === 403) {
        throw new JumpCloudFeatureUnavailableError(`${feature} is not available to this key or organization (HTTP 403 on ${error.endpoint})`, feature, error.endpoint, { cause: error });
      }
      throw error;
    }
  });
}
