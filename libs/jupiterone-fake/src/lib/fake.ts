import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { defaultErrorCode, errorBody, FakeApiError } from './api-error';
import { FaultInjector, type FakeEndpoint, type FakeFault } from './faults';
import type { DatasetRef, FakeJob, StoredGraph } from './job.types';
import { readBody, type RequestBody } from './request-body';
import { GRAPHQL_PATH, matchRoute, PERSISTER_PREFIX, type PersisterRoute, type Route } from './routes';
import { SynchronizationState, type FakeState } from './synchronization';
import { isPlainObject } from './validation';

export const DEFAULT_API_KEY = 'j1-fake-api-key';
export const DEFAULT_ACCOUNT = 'j1-fake-account';
export const DEFAULT_BODY_LIMIT_BYTES = 6_000_000;

/**
 * The correlation id headers read, in order: JupiterOne's SDK sends `JupiterOne-Correlation-Id`;
 * `X-Correlation-Id` is the common spelling. The first one present is recorded.
 */
export const CORRELATION_ID_HEADERS = ['jupiterone-correlation-id', 'x-correlation-id'] as const;

/**
 * The account headers read, in order: `JupiterOne-Account`, then `LifeOmic-Account`, the legacy
 * name that JupiterOne still accepts and that older releases of its SDK send
 * (`@jupiterone/integration-sdk-runtime` 13.x and before; 17.x sends `JupiterOne-Account`).
 * The first one present is checked.
 */
export const ACCOUNT_HEADERS = ['jupiterone-account', 'lifeomic-account'] as const;

export interface JupiterOneFakeOptions {
  /** The expected `Authorization: Bearer` token (default 'j1-fake-api-key'). */
  apiKey?: string;
  /** The expected `JupiterOne-Account` (or legacy `LifeOmic-Account`) header (default 'j1-fake-account'). */
  account?: string;
  /** Largest request body accepted, in bytes of the raw body (default 6,000,000); over it -> 413. */
  bodyLimitBytes?: number;
  /** Added before every response (default 0). */
  latencyMs?: number;
  /** How long a finalized job takes to reach FINISHED (default 0: at the next read). The graph is applied at once either way. */
  finalizeDelayMs?: number;
  /** Called once per request, after it is recorded (e.g. to print a request line). */
  onRequest?: (record: FakeRequestRecord) => void;
}

export interface FakeRequestRecord {
  method: string;
  path: string;
  endpoint: FakeEndpoint | 'state' | 'unknown';
  /** The status sent; 0 when the connection was reset (or closed) without a response. */
  status: number;
  /** Bytes of the raw request body. */
  bytes: number;
  /** The correlation id header (see CORRELATION_ID_HEADERS), null when absent. */
  correlationId: string | null;
  /** Graph objects in an upload body (entities or relationships), else 0. */
  objects: number;
}

export interface FakeStats {
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  /** Requests to the synchronization API routes that carried no correlation id header. */
  withoutCorrelationId: number;
}

type Reply = { kind: 'json'; status: number; body: string; headers?: Record<string, string> } | { kind: 'reset' };

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { kind: 'json', status, body: JSON.stringify(value), headers };
}

function error(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return json(status, errorBody(code, message), headers);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function accountHeader(req: IncomingMessage): string | undefined {
  return ACCOUNT_HEADERS.map((name) => header(req, name)).find((value) => value !== undefined);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && /^application\/json\s*(;|$)/i.test(value);
}

function faultReply(fault: FakeFault): Reply {
  if (fault.reset) return { kind: 'reset' };
  const headers = fault.retryAfter === undefined ? undefined : { 'Retry-After': fault.retryAfter };
  return error(fault.status, fault.code ?? defaultErrorCode(fault.status), `injected fault: ${fault.status}`, headers);
}

/** An empty body is `undefined` (finalize and abort take none); anything else must be JSON. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FakeApiError(400, 'BAD_REQUEST', 'the body is not valid JSON');
  }
}

/**
 * A JupiterOne persister synchronization API on 127.0.0.1 for tests and the demo: jobs, uploads,
 * finalize with DIFF semantics, abort and status, with JupiterOne's headers, limits and error
 * bodies, plus injectable latency and faults, a request log, and the stored graph to assert on.
 */
export class JupiterOneFake {
  readonly apiKey: string;
  readonly account: string;

  private readonly bodyLimitBytes: number;
  private readonly latencyMs: number;
  private readonly onRequest: ((record: FakeRequestRecord) => void) | undefined;
  private readonly state: SynchronizationState;
  private readonly faults = new FaultInjector();
  private server: Server | undefined;
  private url: string | undefined;
  private stopping = new AbortController();
  private log: FakeRequestRecord[] = [];
  private counters: FakeStats = { total: 0, byEndpoint: {}, byStatus: {}, withoutCorrelationId: 0 };

  constructor(options: JupiterOneFakeOptions = {}) {
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
    this.account = options.account ?? DEFAULT_ACCOUNT;
    if (this.apiKey === '') throw new RangeError('apiKey must not be empty');
    if (this.account === '') throw new RangeError('account must not be empty');
    this.bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
    if (!(this.bodyLimitBytes >= 0)) throw new RangeError('bodyLimitBytes must be >= 0');
    this.latencyMs = options.latencyMs ?? 0;
    if (!(this.latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
    const finalizeDelayMs = options.finalizeDelayMs ?? 0;
    if (!(finalizeDelayMs >= 0)) throw new RangeError('finalizeDelayMs must be >= 0');
    this.onRequest = options.onRequest;
    this.state = new SynchronizationState({ account: this.account, finalizeDelayMs });
  }

  /** `http://127.0.0.1:PORT`; clients call `${baseUrl}/persister/synchronization/...`. Throws before start(). */
  get baseUrl(): string {
    if (this.url === undefined) throw new Error('JupiterOneFake is not started; call start() first');
    return this.url;
  }

  /** Listens on `port` (default 0: any free port) of `host` (default 127.0.0.1). */
  async start(port = 0, host = '127.0.0.1'): Promise<void> {
    if (this.url !== undefined) return;
    this.stopping = new AbortController();
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    this.url = `http://${shownHost}:${address.port}`;
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

  /** Adds faults after the ones already injected; a bad fault throws a RangeError and adds none of the list. */
  injectFaults(faults: FakeFault[]): void {
    this.faults.add(faults);
  }

  /** The stored graph of a dataset: `graph({ scope })` or `graph({ integrationInstanceId })`; copies, sorted by `_key`. */
  graph(dataset: DatasetRef): StoredGraph {
    return this.state.graph(dataset);
  }

  /** Every job, in creation order. */
  jobs(): FakeJob[] {
    return this.state.jobs();
  }

  job(id: string): FakeJob | undefined {
    return this.state.job(id);
  }

  requests(): FakeRequestRecord[] {
    return this.log.map((record) => ({ ...record }));
  }

  stats(): FakeStats {
    return { ...this.counters, byEndpoint: { ...this.counters.byEndpoint }, byStatus: { ...this.counters.byStatus } };
  }

  /** The entities the mapper created for mapped relationships, sorted by `_key`. */
  mappedTargets(): Record<string, unknown>[] {
    return this.state.mappedTargets();
  }

  /** Seeds a dataset directly (for "previous sync" setups), replacing what it held. */
  seed(dataset: DatasetRef, graph: StoredGraph): void {
    this.state.seed(dataset, graph);
  }

  /** What `GET /__fake/state` answers. */
  snapshot(): FakeState {
    return this.state.state();
  }

  /** Forgets jobs, datasets, mapped targets, faults, requests and stats. */
  reset(): void {
    this.state.reset();
    this.faults.clear();
    this.log = [];
    this.counters = { total: 0, byEndpoint: {}, byStatus: {}, withoutCorrelationId: 0 };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = req.method ?? 'GET';
    const route = matchRoute(url.pathname);
    const correlationId = CORRELATION_ID_HEADERS.map((name) => header(req, name)).find((value) => value !== undefined && value !== '');
    const record: FakeRequestRecord = {
      method,
      path: url.pathname,
      endpoint: route === undefined ? 'unknown' : route.area === 'fake' ? 'state' : route.endpoint,
      status: 0,
      bytes: 0,
      correlationId: correlationId ?? null,
      objects: 0,
    };

    let reply: Reply | undefined;
    let body: RequestBody | undefined;
    try {
      body = await readBody(req, this.bodyLimitBytes);
      record.bytes = body.bytes;
    } catch {
      // The client went away mid-body: nothing to answer.
    }
    if (body && (await this.pause(this.latencyMs))) {
      try {
        reply = this.process(req, method, url.pathname, route, body, record);
      } catch (cause) {
        reply = error(500, 'INTERNAL_SERVER_ERROR', cause instanceof Error ? cause.message : 'internal error');
      }
    }

    if (reply?.kind === 'json' && !res.destroyed) {
      record.status = reply.status;
      res.writeHead(reply.status, {
        'Content-Type': JSON_CONTENT_TYPE,
        'Content-Length': Buffer.byteLength(reply.body),
        ...reply.headers,
      });
      res.end(reply.body);
    } else {
      // A reset fault, a stop() during a delay, or a client that went away: no response is sent.
      req.socket.destroy();
    }
    this.record(record, route);
  }

  private record(record: FakeRequestRecord, route: Route | undefined): void {
    this.log.push(record);
    const counters = this.counters;
    counters.total++;
    counters.byEndpoint[record.endpoint] = (counters.byEndpoint[record.endpoint] ?? 0) + 1;
    const status = String(record.status);
    counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1;
    if (route?.area === 'persister' && record.correlationId === null) counters.withoutCorrelationId++;
    this.onRequest?.(record);
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

  /**
   * Order of checks: route outside /persister (404) -> Authorization (401) -> JupiterOne-Account
   * or LifeOmic-Account (403) -> route (404) and method (405) -> faults -> Content-Type (415) ->
   * body size (413) -> JSON (400) -> the operation. A `processFirst` fault runs the rest, then
   * replaces its answer.
   */
  private process(req: IncomingMessage, method: string, path: string, route: Route | undefined, body: RequestBody, record: FakeRequestRecord): Reply {
    if (route?.area === 'fake') return this.processFake(method, route.action, route.method, body);
    if (!path.startsWith(PERSISTER_PREFIX) && path !== GRAPHQL_PATH) return error(404, 'NOT_FOUND', `no route for ${path}`);

    const bearer = /^Bearer\s+(.+)$/i.exec(header(req, 'authorization') ?? '');
    if (!bearer || !sameSecret((bearer[1] as string).trim(), this.apiKey)) {
      return error(401, 'UNAUTHORIZED', 'missing or invalid Authorization: Bearer <api key>');
    }
    const account = accountHeader(req);
    if (account === undefined || account !== this.account) {
      return error(403, 'FORBIDDEN', account === undefined ? 'missing JupiterOne-Account header' : `the API key has no access to account "${account}"`);
    }
    if (!route) return error(404, 'NOT_FOUND', `no route for ${path}`);
    if (method !== route.method) return error(405, 'METHOD_NOT_ALLOWED', `${method} is not supported on ${path}`, { Allow: route.method });

    const fault = this.faults.next(route.endpoint);
    if (fault && !fault.processFirst) return faultReply(fault);
    const reply = this.operate(req, route, body, record);
    return fault ? faultReply(fault) : reply;
  }

  /** Content-Type (415) -> body size (413) -> JSON (400) -> the operation. */
  private operate(req: IncomingMessage, route: PersisterRoute, body: RequestBody, record: FakeRequestRecord): Reply {
    try {
      let parsed: unknown;
      if (route.method === 'POST') {
        if (!isJsonContentType(header(req, 'content-type'))) {
          return error(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
        }
        if (body.text === undefined) {
          return error(413, 'PAYLOAD_TOO_LARGE', `the body is ${body.bytes} bytes, over the limit of ${this.bodyLimitBytes}`);
        }
        parsed = parseJson(body.text);
      }
      const jobId = route.jobId as string;
      switch (route.endpoint) {
        case 'start':
          return json(200, { job: this.state.startJob(parsed) });
        case 'entities':
        case 'relationships': {
          const objects = isPlainObject(parsed) ? parsed[route.endpoint] : undefined;
          if (Array.isArray(objects)) record.objects = objects.length;
          return json(200, { job: this.state.upload(jobId, route.endpoint, parsed) });
        }
        case 'finalize':
          return json(200, { job: this.state.finalize(jobId, parsed) });
        case 'abort':
          return json(200, { job: this.state.abort(jobId, parsed) });
        case 'events':
          return json(200, { job: this.state.publishEvents(jobId, parsed) });
        case 'status':
          return json(200, { job: this.state.status(jobId) });
        case 'graphql':
          return json(200, this.state.queryV1(parsed));
      }
    } catch (cause) {
      if (cause instanceof FakeApiError) return error(cause.status, cause.code, cause.message);
      throw cause;
    }
  }

  private processFake(method: string, action: 'state' | 'faults' | 'reset', expected: string, body: RequestBody): Reply {
    if (method !== expected) return error(405, 'METHOD_NOT_ALLOWED', `${method} is not supported on /__fake/${action}`, { Allow: expected });
    switch (action) {
      case 'state':
        return json(200, this.snapshot());
      case 'reset':
        this.reset();
        return json(200, { reset: true });
      case 'faults': {
        if (body.text === undefined) return error(413, 'PAYLOAD_TOO_LARGE', 'the body is over the limit');
        let faults: unknown;
        try {
          faults = JSON.parse(body.text) as unknown;
        } catch {
          return error(400, 'BAD_REQUEST', 'the body is not valid JSON');
        }
        if (!Array.isArray(faults)) return error(400, 'BAD_REQUEST', 'the body must be a JSON array of faults');
        try {
          this.faults.add(faults as FakeFault[]);
        } catch (cause) {
          return error(400, 'BAD_REQUEST', cause instanceof Error ? cause.message : String(cause));
        }
        return json(200, { injected: faults.length });
      }
    }
  }
}

/** Creates and starts a fake; `await fake.stop()` when done. */
export async function startJupiterOneFake(options?: JupiterOneFakeOptions, port?: number, host?: string): Promise<JupiterOneFake> {
  const fake = new JupiterOneFake(options);
  await fake.start(port, host);
  return fake;
}
