import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { type Question } from '@jumpcloud-graph/graph-query';
import { LocalGraphStore, LocalGraphStoreError, type RunInfo } from '@jumpcloud-graph/local-graph';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { type ConsoleQuestion, type ConsoleQueryResult, type EntityDetail } from './console-queries';
import { ConsoleQueryRunner, type ConsoleQueryThreadStarter, ConsoleThreadError, ConsoleTimeoutError } from './query-thread';

/** A local graph the console shows. */
export interface ConsoleGraph {
  /** In the API's paths (`/api/graphs/{id}/...`). */
  id: string;
  /** What the graph selector shows. */
  name: string;
  /** The local graph database file. */
  db: string;
}

export interface ConsoleServerOptions {
  /** The graphs, or how to list them now (a worker's organizations come and go). */
  graphs: readonly ConsoleGraph[] | (() => Promise<readonly ConsoleGraph[]>);
  /** The browser app: `index.html` and the content-hashed files it names. */
  assetsDir: string;
  /** The questions the Questions page answers. */
  questions: readonly Question[];
  /** Starts a query thread (the app's bundle, as it starts the local graph store's). */
  startQueryThread: ConsoleQueryThreadStarter;
  /** A query (or an entity's page) stops after this long (default 5 s); the questions get 4 times it. */
  timeLimitMs?: number;
  /** Rows a query returns at most (default 1,000; `total` still counts them all). */
  maxRows?: number;
  /** Nodes the graph view gets at most (default 500). */
  maxGraphNodes?: number;
  /**
   * Whether a request may see the console, from its `Authorization` header; 401 with a Basic
   * challenge otherwise (a browser asks for the token as the password). Absent: every request may.
   */
  authorize?: (authorization: string | undefined) => boolean;
  /** The clock of `date.now` in queries. */
  now?: () => number;
}

/**
 * Every answer's security headers: no script but the app's own files, nothing inline, no framing,
 * no referrer; the browser may not guess content types.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A content-hashed asset name (`app-5KQ2ZP7C.js`): cached for a year, never revalidated. */
const HASHED = /-[A-Z0-9]{8}\.(js|css)(\.map)?$/;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function runJson(run: RunInfo) {
  return {
    id: run.id,
    status: run.status,
    mode: run.mode,
    description: run.description,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    entities: total(run.entities),
    relationships: total(run.relationships),
    partialTypes: run.partialTypes,
  };
}

/** One graph: its store (opened once it exists) and its query thread. */
class GraphReader {
  private store?: LocalGraphStore;
  readonly runner: ConsoleQueryRunner;

  constructor(
    readonly graph: ConsoleGraph,
    startThread: ConsoleQueryThreadStarter,
    timeLimitMs: number,
  ) {
    this.runner = new ConsoleQueryRunner(graph.db, startThread, timeLimitMs);
  }

  /** The store, or a `no-graph` answer when the database does not exist yet. */
  open(): LocalGraphStore {
    if (this.store) return this.store;
    if (!existsSync(this.graph.db)) throw new LocalGraphStoreError('LOCAL_GRAPH_NOT_FOUND', `${this.graph.name} has no local graph yet: sync first`);
    this.store = LocalGraphStore.open(this.graph.db, { create: false });
    return this.store;
  }

  async close(): Promise<void> {
    this.store?.close();
    this.store = undefined;
    await this.runner.close();
  }
}

type ApiError = { status: number; body: { error: string; message: string; line?: number; column?: number } };

/** How an error answers: a J1QL error 400 with its position, a timeout 408, no graph 404, the rest 500. */
function apiErrorOf(error: unknown): ApiError {
  if (error instanceof ConsoleTimeoutError) return { status: 408, body: { error: 'timeout', message: error.message } };
  if (error instanceof ConsoleThreadError) {
    if (error.name === 'J1qlError') return { status: 400, body: { error: 'query', message: error.message, line: error.line, column: error.column } };
    if (error.name === 'NoGraphError' || error.code === 'LOCAL_GRAPH_NOT_FOUND') return { status: 404, body: { error: 'no-graph', message: error.message } };
  }
  if (error instanceof LocalGraphStoreError && error.code === 'LOCAL_GRAPH_NOT_FOUND') return { status: 404, body: { error: 'no-graph', message: error.message } };
  return { status: 500, body: { error: 'internal', message: (error instanceof Error ? error.message : String(error)).split('\n')[0] } };
}

/** A request's mistake: 400 with one line. */
class BadRequest extends Error {}

function runId(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new BadRequest(`${name} must be a run id`);
  return n;
}

/**
 * The console as a Fastify app: the browser app (`GET /`, its hashed files) and a read-only JSON
 * API over the local graphs (`GET /api/graphs`, `GET /api/graphs/{id}/summary|query|entity|
 * questions|alerts|runs|diff`). Any method but GET and HEAD is 405: no page can write. Queries run
 * in a thread per graph with a time limit (408 past it) and a row limit.
 */
export async function createConsoleApp(options: ConsoleServerOptions): Promise<FastifyInstance> {
  const timeLimitMs = options.timeLimitMs ?? 5_000;
  const maxRows = options.maxRows ?? 1_000;
  const maxGraphNodes = options.maxGraphNodes ?? 500;
  const now = options.now ?? Date.now;
  const listGraphs = typeof options.graphs === 'function' ? options.graphs : async () => options.graphs as readonly ConsoleGraph[];
  // One reader per graph, made on first use and kept (a graph listed again with another file gets a new one).
  const readers = new Map<string, GraphReader>();
  const app = Fastify({ logger: false });

  app.addHook('onRequest', async (request, reply) => {
    if (options.authorize && !options.authorize(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Basic realm="jumpcloud-graph console", charset="UTF-8"').send({ error: 'unauthorized', message: 'the console needs its token' });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return reply.code(405).header('allow', 'GET, HEAD').send({ error: 'method-not-allowed', message: 'the console is read-only' });
    }
    return undefined;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  app.addHook('onClose', async () => {
    await Promise.all([...readers.values()].map((reader) => reader.close()));
  });

  await app.register(fastifyStatic, {
    root: options.assetsDir,
    index: 'index.html',
    wildcard: true,
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('cache-control', HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  const reader = async (id: string): Promise<GraphReader> => {
    const graph = (await listGraphs()).find((g) => g.id === id);
    if (!graph) throw Object.assign(new BadRequest(`no graph ${id}`), { status: 404 });
    const known = readers.get(id);
    if (known && known.graph.db === graph.db) return known;
    await known?.close();
    const made = new GraphReader(graph, options.startQueryThread, timeLimitMs);
    readers.set(id, made);
    return made;
  };
  const answer = async (reply: FastifyReply, work: () => Promise<unknown> | unknown) => {
    try {
      return reply.send(await work());
    } catch (error) {
      if (error instanceof BadRequest) {
        const status = (error as BadRequest & { status?: number }).status ?? 400;
        return reply.code(status).send({ error: status === 404 ? 'not-found' : 'bad-request', message: error.message });
      }
      const { status, body } = apiErrorOf(error);
      return reply.code(status).send(body);
    }
  };
  type GraphParams = { Params: { graph: string }; Querystring: Record<string, string | undefined> };

  app.get('/api/graphs', async () => ({ graphs: (await listGraphs()).map(({ id, name }) => ({ id, name })) }));

  app.get<GraphParams>('/api/graphs/:graph/summary', (request, reply) =>
    answer(reply, async () => {
      const run = (await reader(request.params.graph)).open().latestRun();
      const counts = (record: Record<string, number>) => Object.entries(record).sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => ({ type, count }));
      return { latestRun: run ? runJson(run) : null, entityTypes: counts(run?.entities ?? {}), relationshipTypes: counts(run?.relationships ?? {}) };
    }),
  );

  app.get<GraphParams>('/api/graphs/:graph/query', (request, reply) =>
    answer(reply, async () => {
      const text = request.query['q'];
      if (!text || text.trim() === '') throw new BadRequest('q (a J1QL query) is required');
      const limit = request.query['limit'] === undefined ? maxRows : Number(request.query['limit']);
      if (!Number.isInteger(limit) || limit < 0) throw new BadRequest('limit must be a whole number');
      const started = performance.now();
      const result = await (await reader(request.params.graph)).runner.run<ConsoleQueryResult>({
        op: 'query',
        text,
        options: { nowMs: now(), maxRows: Math.min(limit, maxRows), maxGraphNodes },
      });
      return { ...result, durationMs: Math.round(performance.now() - started) };
    }),
  );

  app.get<GraphParams>('/api/graphs/:graph/entity', (request, reply) =>
    answer(reply, async () => {
      const key = request.query['key'];
      if (!key) throw new BadRequest('key is required');
      const detail = await (await reader(request.params.graph)).runner.run<EntityDetail | null>({ op: 'entity', key, nowMs: now(), maxRelationships: maxGraphNodes });
      if (!detail) throw Object.assign(new BadRequest(`no entity ${key} in the latest sync`), { status: 404 });
      return detail;
    }),
  );

  app.get<GraphParams>('/api/graphs/:graph/questions', (request, reply) =>
    answer(reply, async () => ({
      questions: await (await reader(request.params.graph)).runner.run<ConsoleQuestion[]>({ op: 'questions', questions: [...options.questions], nowMs: now() }, timeLimitMs * 4),
    })),
  );

  app.get<GraphParams>('/api/graphs/:graph/alerts', (request, reply) =>
    answer(reply, async () => {
      const state = (await reader(request.params.graph)).open().alertState();
      const findings = state.listFindings({ limit: 1_000 }).map((f) => {
        let name: string | undefined;
        try {
          const parsed = JSON.parse(f.finding) as { object?: { name?: unknown } };
          if (typeof parsed.object?.name === 'string') name = parsed.object.name;
        } catch {
          // a finding is our own JSON; an unreadable one still lists, without a name
        }
        return {
          id: f.id,
          ruleId: f.ruleId,
          severity: f.severity,
          kind: f.kind,
          objectType: f.objectType,
          objectKey: f.objectKey,
          ...(name !== undefined ? { name } : {}),
          status: f.status,
          attempts: f.attempts,
          lastError: f.lastError,
          createdAt: iso(f.createdAt),
          deliveredAt: iso(f.deliveredAt),
        };
      });
      return { findings, counts: state.countByStatus() };
    }),
  );

  app.get<GraphParams>('/api/graphs/:graph/runs', (request, reply) =>
    answer(reply, async () => ({ runs: (await reader(request.params.graph)).open().listRuns().map(runJson) })),
  );

  app.get<GraphParams>('/api/graphs/:graph/diff', (request, reply) =>
    answer(reply, async () => {
      const store = (await reader(request.params.graph)).open();
      let diff;
      try {
        diff = store.diff(runId(request.query['from'], 'from'), runId(request.query['to'], 'to'));
      } catch (error) {
        if (error instanceof LocalGraphStoreError && error.code !== 'LOCAL_GRAPH_NOT_FOUND') throw new BadRequest(error.message);
        throw error;
      }
      const changes: Array<{ change: string; object: string; type: string; key: string; properties?: Array<{ name: string; before: unknown; after: unknown }> }> = [];
      for (const [object, byType] of [['entity', diff.entities], ['relationship', diff.relationships]] as const) {
        for (const [type, c] of Object.entries(byType)) {
          for (const key of c.created) changes.push({ change: 'created', object, type, key });
          c.updatedDetails.forEach(({ key, changes: props }) =>
            changes.push({
              change: 'updated',
              object,
              type,
              key,
              properties: Object.entries(props).map(([name, change]) => ('from' in change ? { name, before: change.from, after: change.to } : { name, before: null, after: null })),
            }),
          );
          for (const key of c.deleted) changes.push({ change: 'deleted', object, type, key });
        }
      }
      return { from: diff.from, to: diff.to, changes };
    }),
  );

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not-found', message: 'no such page' }));
  return app;
}

/** The console on `host:port` (port 0: any free one). */
export async function startConsoleServer(options: ConsoleServerOptions & { host: string; port: number }): Promise<{ url: string; app: FastifyInstance; close(): Promise<void> }> {
  if (!existsSync(join(options.assetsDir, 'index.html'))) throw new Error(`the console's browser app is missing (${join(options.assetsDir, 'index.html')}): build the app first`);
  const app = await createConsoleApp(options);
  const address = await app.listen({ host: options.host, port: options.port });
  return { url: address, app, close: () => app.close() };
}
