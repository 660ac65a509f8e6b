import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError, errorBody } from './api-error';
import { CONTROL_PATH, type ControlOperation, defaultLoginTarget, loginEventBody, SimulatorControl } from './control';
import { createDataset } from './dataset';
import { indexDataset, reindexOrganization, type DatasetIndex, type OrganizationIndex } from './dataset-index';
import type { DatasetOptions, OrganizationData, SimulatorDataset } from './dataset.types';
import { FaultInjector, type FaultKind, type FaultRule } from './faults';
import { DIRECTORY_INSIGHTS_EVENTS_PATH, DirectoryInsightsLog, parseEventQuery } from './insights';
import { TokenBucket } from './rate-limiter';
import { matchRoute, ROUTES, type RouteMatch } from './routes';

export const DEFAULT_API_KEY = 'simulator-api-key';

export interface SimulatorOptions {
  /** A dataset, or the options to generate one (default: `createDataset()`). */
  dataset?: SimulatorDataset | DatasetOptions;
  /** The expected `x-api-key` (default 'simulator-api-key'). */
  apiKey?: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Added before every response (default 0). */
  latencyMs?: number;
  /** Token bucket for authenticated requests; over it -> 429 with Retry-After. `burst` defaults to requestsPerSecond. */
  rateLimit?: { requestsPerSecond: number; burst?: number };
  faults?: FaultRule[];
  /** Keeps the most recent entries only (default 100000); stats() still count every request. */
  requestLogLimit?: number;
  /** Called once per request, after its entry is recorded (e.g. to print a request line). */
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * Whether the organizations' plan includes System Insights (default true). false answers 403 on
   * its paths, as JumpCloud does for a plan without it.
   */
  systemInsights?: boolean;
  /**
   * Whether the key may read Directory Insights (default true). false answers 403 on
   * `POST /insights/directory/v1/events`, as JumpCloud does for a key or plan without it; the
   * control still records events.
   */
  directoryInsights?: boolean;
  /**
   * The clock of recorded events and of Directory Insights' "now" (default `Date.now`), in epoch
   * milliseconds. Past logins of the dataset are placed before its time at construction.
   */
  now?: () => number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** `METHOD` + path template of the document, e.g. `GET /api/v2/usergroups/{group_id}/members` (the raw path when no template matches). */
  endpoint: string;
  /** Query parameters; a repeated parameter keeps its last value. */
  query: Record<string, string>;
  /** The organization the request was served for (Directory Insights: the ones named, comma-joined). */
  orgId?: string;
  /** The status sent; 0 when the connection was reset (or closed) without a response. */
  status: number;
  fault?: FaultKind;
  /** Epoch milliseconds when the request arrived. */
  startedAt: number;
}

export interface SimulatorStats {
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  /** The most requests in flight at once since start (or the last resetLog()). */
  maxInFlight: number;
}

type Reply = { kind: 'json'; status: number; body: string; headers?: Record<string, string> } | { kind: 'reset' } | { kind: 'aborted' };

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const OBJECT_ID = /^[0-9a-f]{24}$/i;
/** The largest request body read (Directory Insights queries, control operations). */
const MAX_BODY_BYTES = 1024 * 1024;

function isDataset(value: SimulatorDataset | DatasetOptions): value is SimulatorDataset {
  return Array.isArray(value.organizations);
}

function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { kind: 'json', status, body: JSON.stringify(value), headers };
}

function error(status: number, message: string, headers?: Record<string, string>): Reply {
  return json(status, errorBody(status, message), headers);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request body parsed as JSON: 413 past MAX_BODY_BYTES, 400 when it is empty or not JSON. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new ApiError(400, 'the request body must be JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'the request body is not valid JSON');
  }
}

/**
 * A deterministic JumpCloud API on 127.0.0.1 for tests, the demo and benchmarks: the paths of our
 * OpenAPI document with JumpCloud's paging, auth and multi-tenant rules, plus injectable latency,
 * rate limits and faults, and a log of every request.
 */
export class JumpCloudSimulator {
  readonly apiKey: string;
  readonly dataset: SimulatorDataset;
  /**
   * Changes the directory as an administrator would and records the Directory Insights events a
   * real directory would (also over HTTP: `POST /_control`).
   */
  readonly control: SimulatorControl;

  private index: DatasetIndex;
  private readonly host: string;
  private readonly port: number;
  private readonly latencyMs: number;
  private readonly bucket: TokenBucket | undefined;
  private readonly faults = new FaultInjector();
  private readonly logLimit: number;
  private readonly onRequest: ((entry: RequestLogEntry) => void) | undefined;
  private readonly features: { systemInsights: boolean; directoryInsights: boolean };
  private readonly insights: DirectoryInsightsLog;
  /** Organizations changed through the control since the index was built. */
  private readonly stale = new Set<OrganizationData>();
  private server: Server | undefined;
  private url: string | undefined;
  private stopping = new AbortController();
  private log: RequestLogEntry[] = [];
  private counters: SimulatorStats = { total: 0, byEndpoint: {}, byStatus: {}, maxInFlight: 0 };
  private inFlight = 0;

  constructor(options: SimulatorOptions = {}) {
    const dataset = options.dataset ?? {};
    this.dataset = isDataset(dataset) ? dataset : createDataset(dataset);
    this.index = indexDataset(this.dataset);
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
    if (this.apiKey === '') throw new RangeError('apiKey must not be empty');
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.latencyMs = options.latencyMs ?? 0;
    if (!(this.latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
    this.bucket = options.rateLimit ? new TokenBucket(options.rateLimit.requestsPerSecond, options.rateLimit.burst) : undefined;
    for (const rule of options.faults ?? []) this.faults.add(rule);
    this.logLimit = options.requestLogLimit ?? 100_000;
    this.onRequest = options.onRequest;
    this.features = { systemInsights: options.systemInsights ?? true, directoryInsights: options.directoryInsights ?? true };
    this.insights = new DirectoryInsightsLog(options.now ?? Date.now);
    this.seedPastLogins();
    this.control = new SimulatorControl({
      dataset: this.dataset,
      log: this.insights,
      // Indexed again when the next request comes, once for any number of changes before it.
      changed: (organization) => this.stale.add(organization),
    });
  }

  /**
   * Changes the dataset in place (a user loses MFA, is deleted, gets another job title) and
   * answers from the changed data from the next request on: what a directory looks like between
   * two syncs. `change` must keep the dataset consistent (remove a deleted user's memberships too).
   * It records no Directory Insights event: use `control` for changes that an incremental sync
   * should see.
   */
  mutate(change: (dataset: SimulatorDataset) => void): void {
    change(this.dataset);
    this.index = indexDataset(this.dataset);
    this.stale.clear();
  }

  /** The dataset's past logins as events, each its `msBeforeStart` before the clock's time now. */
  private seedPastLogins(): void {
    const start = this.insights.now();
    for (const organization of this.dataset.organizations) {
      if (!organization.pastLogins?.length) continue;
      const users = new Map(organization.users.map((user) => [user._id, user]));
      const applications = new Map(organization.applications.map((application) => [application._id, application]));
      const systems = new Map(organization.systems.map((system) => [system._id, system]));
      for (const login of organization.pastLogins) {
        const user = users.get(login.userId);
        if (!user) continue;
        const named = { application: applications.get(login.applicationId ?? ''), system: systems.get(login.systemId ?? '') };
        const target = (login.service === 'sso' && !named.application) || (login.service === 'systems' && !named.system) ? defaultLoginTarget(organization, user, login.service) : named;
        this.insights.seed(organization.organization._id, start - login.msBeforeStart, loginEventBody(organization, user, login.service, login.success, target));
      }
    }
    this.insights.seedDone();
  }

  /** The base URL (`http://127.0.0.1:PORT`); clients call `${baseUrl}/api/...` and `${baseUrl}/api/v2/...`. */
  get baseUrl(): string {
    if (this.url === undefined) throw new Error('JumpCloudSimulator is not started; call start() first');
    return this.url;
  }

  get requestLog(): readonly RequestLogEntry[] {
    return this.log;
  }

  async start(): Promise<string> {
    if (this.url !== undefined) return this.url;
    this.stopping = new AbortController();
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.url = `http://${host}:${port}`;
    return this.url;
  }

  /** Closes the server and every open socket (idle keep-alive ones too) and cancels pending delays. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.url = undefined;
    this.stopping.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  stats(): SimulatorStats {
    return {
      total: this.counters.total,
      byEndpoint: { ...this.counters.byEndpoint },
      byStatus: { ...this.counters.byStatus },
      maxInFlight: this.counters.maxInFlight,
    };
  }

  /** Clears the log and the stats (maxInFlight restarts from the requests in flight now). */
  resetLog(): void {
    this.log = [];
    this.counters = { total: 0, byEndpoint: {}, byStatus: {}, maxInFlight: this.inFlight };
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    this.inFlight++;
    this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.inFlight);
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        this.inFlight--;
      }
    };
    res.once('finish', settle);
    res.once('close', settle);

    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const method = req.method ?? 'GET';
    const route = matchRoute(url.pathname);
    const entry: RequestLogEntry = {
      method,
      path: url.pathname,
      endpoint: `${method} ${route ? route.template : url.pathname}`,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      startedAt,
    };

    let reply: Reply;
    try {
      // The control endpoint is the tests' own: no latency, rate limit or fault applies to it.
      const latency = url.pathname === CONTROL_PATH ? 0 : this.latencyMs;
      reply = (await this.pause(latency)) ? await this.process(req, url, route, entry) : { kind: 'aborted' };
    } catch (cause) {
      reply = error(500, cause instanceof Error ? cause.message : 'internal error');
    }

    if (reply.kind === 'json' && !res.destroyed) {
      entry.status = reply.status;
      // No Connection header of our own: node:http answers `keep-alive`, or `close` and closes the
      // connection after this response when the request asked for it (RFC 9112 section 9.6).
      res.writeHead(reply.status, {
        'Content-Type': JSON_CONTENT_TYPE,
        'Content-Length': Buffer.byteLength(reply.body),
        ...reply.headers,
      });
      res.end(reply.body);
    } else {
      // A reset, a stop() during a delay, or a client that went away: no response is sent.
      req.socket.destroy();
    }
    this.record(entry);
  }

  private record(entry: RequestLogEntry): void {
    this.log.push(entry);
    // Trim in batches so a long benchmark does not pay an O(n) shift per request.
    if (this.log.length > this.logLimit + Math.max(1, Math.floor(this.logLimit / 10))) this.log.splice(0, this.log.length - this.logLimit);
    const counters = this.counters;
    counters.total++;
    counters.byEndpoint[entry.endpoint] = (counters.byEndpoint[entry.endpoint] ?? 0) + 1;
    const status = String(entry.status);
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
    this.onRequest?.(entry);
  }

  /** Resolves false when stop() interrupted the wait. */
  private async pause(ms: number): Promise<boolean> {
    if (ms <= 0) return !this.stopping.signal.aborted;
    try {
      await delay(ms, undefined, { signal: this.stopping.signal });
      return true;
    } catch {
      return false;
    }
  }

  private authenticated(req: IncomingMessage): boolean {
    const given = Buffer.from(header(req, 'x-api-key') ?? '');
    const expected = Buffer.from(this.apiKey);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * JumpCloud's multi-tenant rules: a malformed `x-org-id` is a 400; a multi-tenant key without one
   * gets a 401 on organization-scoped routes; an id the key cannot see is a 401.
   */
  private resolveOrganization(req: IncomingMessage, scoped: boolean): { organization: OrganizationIndex | undefined; orgIdHeader: string | undefined } | Reply {
    const orgIdHeader = header(req, 'x-org-id');
    if (orgIdHeader === undefined || orgIdHeader === '') {
      const organization = this.index.multiTenant ? undefined : this.index.defaultOrganization;
      if (scoped && organization === undefined) return error(401, 'x-org-id header is required for multi-tenant administrators');
      return { organization, orgIdHeader: undefined };
    }
    if (!OBJECT_ID.test(orgIdHeader)) return error(400, 'malformed x-org-id header');
    const organization = this.index.organizationsById.get(orgIdHeader);
    if (organization === undefined) return error(401, 'x-org-id names no organization this key can access');
    return { organization, orgIdHeader };
  }

  /**
   * Directory Insights takes several organizations at once (`x-org-id` repeated or comma-joined);
   * otherwise the rules are the console API's.
   */
  private insightsOrganizations(req: IncomingMessage): string[] | Reply {
    const raw = req.headers['x-org-id'];
    const ids = (Array.isArray(raw) ? raw : [raw ?? ''])
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
    if (ids.length === 0) {
      const organization = this.index.multiTenant ? undefined : this.index.defaultOrganization;
      if (organization === undefined) return error(401, 'x-org-id header is required for multi-tenant administrators');
      return [organization.id];
    }
    if (ids.some((id) => !OBJECT_ID.test(id))) return error(400, 'malformed x-org-id header');
    if (ids.some((id) => !this.index.organizationsById.has(id))) return error(401, 'x-org-id names no organization this key can access');
    return [...new Set(ids)];
  }

  private async process(req: IncomingMessage, url: URL, route: RouteMatch | undefined, entry: RequestLogEntry): Promise<Reply> {
    for (const organization of this.stale) this.index = reindexOrganization(this.index, organization);
    this.stale.clear();
    if (!this.authenticated(req)) return error(401, 'Unauthorized: missing or invalid x-api-key');
    if (url.pathname === CONTROL_PATH) return this.controlRequest(req, entry);
    const insights = url.pathname === DIRECTORY_INSIGHTS_EVENTS_PATH;
    if (!insights && !route) return error(404, `no route for ${url.pathname}`);
    const allowed = insights ? 'POST' : 'GET';
    if (entry.method !== allowed) return error(405, `${entry.method} is not supported on ${route?.template ?? url.pathname}`, { Allow: allowed });

    let answer: () => Promise<unknown> | unknown;
    let headers: Record<string, string> | undefined;
    if (insights) {
      const organizations = this.insightsOrganizations(req);
      if (!Array.isArray(organizations)) return organizations;
      entry.orgId = organizations.join(',');
      answer = async () => {
        if (!this.features.directoryInsights) throw new ApiError(403, 'Directory Insights is not enabled for this API key');
        const query = parseEventQuery(await readJson(req), this.insights.now());
        const { events, searchAfter } = this.insights.query(organizations, query);
        headers = {
          'X-Limit': String(query.limit),
          'X-Result-Count': String(events.length),
          'X-Sort': query.sort,
          'X-Search_after': JSON.stringify(searchAfter ?? query.searchAfter ?? []),
          'X-Request-Id': randomUUID(),
        };
        return events;
      };
    } else {
      const matched = route as RouteMatch;
      const definition = ROUTES[matched.template];
      const resolved = this.resolveOrganization(req, definition.scope === 'organization');
      if ('kind' in resolved) return resolved;
      entry.orgId = resolved.organization?.id;
      answer = () => {
        const context = {
          index: this.index,
          organization: resolved.organization,
          orgIdHeader: resolved.orgIdHeader,
          params: matched.params,
          query: url.searchParams,
          features: this.features,
        };
        if (definition.scope === 'organization') {
          const organization = resolved.organization;
          if (!organization) throw new ApiError(401, 'x-org-id header is required for multi-tenant administrators');
          return definition.handle({ ...context, organization });
        }
        return definition.handle(context);
      };
    }

    if (this.bucket) {
      const retryAfter = this.bucket.take();
      if (retryAfter > 0) return error(429, 'Too Many Requests', { 'Retry-After': String(retryAfter) });
    }

    const fault = this.faults.next(entry.endpoint, entry.path);
    if (fault) entry.fault = fault.kind;
    switch (fault?.kind) {
      case 'rate-limit':
        return error(429, 'Too Many Requests', { 'Retry-After': fault.retryAfter ?? '1' });
      case 'server-error': {
        const status = fault.status ?? 500;
        return error(status, 'simulated server error');
      }
      case 'reset':
        return { kind: 'reset' };
      case 'slow':
        if (!(await this.pause(fault.delayMs ?? 1000))) return { kind: 'aborted' };
        break;
      default:
        break;
    }

    let reply: Reply;
    try {
      const body = await answer();
      reply = json(200, body, headers);
    } catch (cause) {
      if (!(cause instanceof ApiError)) throw cause;
      reply = error(cause.status, cause.message);
    }

    if (fault?.kind === 'malformed-json' && reply.kind === 'json') {
      // A complete HTTP response whose JSON stops half way, as a broken proxy or server would send it.
      const body = reply.status === 200 && reply.body.length > 2 ? reply.body.slice(0, Math.floor(reply.body.length / 2)) : '{"results":[{"_id":';
      return { kind: 'json', status: 200, body, headers: reply.headers };
    }
    return reply;
  }

  /**
   * `POST /_control`: one operation (an object naming `op`) or an array of them, applied in order.
   * `x-org-id`, when sent, is the organization of every operation (an operation's own `orgId` must
   * agree). Answers `{ result, events }` (an array of them for an array); at the first operation
   * that fails, the error (400, 404, 409) names its index, and the ones before it stay applied.
   */
  private async controlRequest(req: IncomingMessage, entry: RequestLogEntry): Promise<Reply> {
    if (entry.method !== 'POST') return error(405, `${entry.method} is not supported on ${CONTROL_PATH}`, { Allow: 'POST' });
    const orgIdHeader = header(req, 'x-org-id');
    if (orgIdHeader !== undefined && orgIdHeader !== '') {
      if (!OBJECT_ID.test(orgIdHeader)) return error(400, 'malformed x-org-id header');
      if (!this.index.organizationsById.has(orgIdHeader)) return error(401, 'x-org-id names no organization this key can access');
      entry.orgId = orgIdHeader;
    }
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (cause) {
      if (!(cause instanceof ApiError)) throw cause;
      return error(cause.status, cause.message);
    }
    const batch = Array.isArray(body);
    const operations: unknown[] = batch ? (body as unknown[]) : [body];
    const results: unknown[] = [];
    for (const [index, operation] of operations.entries()) {
      const where = batch ? `operation ${index}${index > 0 ? ` (the ${index} before it were applied)` : ''}: ` : '';
      if (!isRecord(operation)) return error(400, `${where}an operation must be an object with "op"`);
      if (orgIdHeader && operation['orgId'] !== undefined && operation['orgId'] !== orgIdHeader) {
        return error(400, `${where}orgId ${JSON.stringify(operation['orgId'])} differs from the x-org-id header`);
      }
      const scoped = (orgIdHeader ? { ...operation, orgId: orgIdHeader } : operation) as ControlOperation;
      try {
        results.push(this.control.apply(scoped));
      } catch (cause) {
        if (!(cause instanceof ApiError)) throw cause;
        return error(cause.status, `${where}${cause.message}`);
      }
    }
    return json(200, batch ? results : results[0]);
  }
}

/** Creates and starts a simulator; `await sim.stop()` when done. */
export async function startJumpCloudSimulator(options?: SimulatorOptions): Promise<JumpCloudSimulator> {
  const simulator = new JumpCloudSimulator(options);
  await simulator.start();
  return simulator;
}
