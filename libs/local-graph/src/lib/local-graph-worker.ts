import { parentPort, type Worker, workerData } from 'node:worker_threads';
import {
  type Entity,
  type GraphRelationship,
  type Logger,
  type PublishResult,
  type PublishSessionOptions,
  type RelationshipSelector,
  silentLogger,
  type StatefulGraphPublisher,
  type StoredRun,
} from '@jumpcloud-graph/domain';
import { type LocalGraphSession } from './local-graph-session';
import { LocalGraphStore } from './local-graph-store';
import { LocalGraphStoreError, type LocalGraphStoreErrorCode } from './local-graph-store.errors';
import { type GraphObjectKey, type LocalGraphFinishOptions, type LocalGraphPublishSession, type LocalGraphSessionOptions, type RunInfo } from './local-graph-types';

/**
 * The local graph store in a worker thread. A sync is CPU-bound on one thread: reading and
 * mapping JumpCloud on one side, serializing, hashing and writing SQLite on the other. With the
 * store in a worker, the two halves run on two cores; batches cross as structured clones.
 */

/** What the worker is started with (its `workerData`). */
export interface LocalGraphWorkerData {
  role: 'local-graph-store';
  path: string;
  keepRuns?: number;
}

export function isLocalGraphWorkerData(value: unknown): value is LocalGraphWorkerData {
  return typeof value === 'object' && value !== null && (value as { role?: unknown }).role === 'local-graph-store';
}

type Request =
  | { id: number; op: 'ready' }
  | { id: number; op: 'open-session'; description: string; startFrom: LocalGraphSessionOptions['startFrom'] }
  | { id: number; op: 'entities'; batch: readonly Entity[] }
  | { id: number; op: 'relationships'; batch: readonly GraphRelationship[] }
  | { id: number; op: 'delete'; batch: readonly GraphObjectKey[] }
  | { id: number; op: 'delete-relationships'; batch: readonly RelationshipSelector[] }
  | { id: number; op: 'read-entities'; keys: readonly string[] }
  | { id: number; op: 'latest-run' }
  | { id: number; op: 'latest-properties'; type: string; properties: readonly string[] }
  | { id: number; op: 'finish'; options: LocalGraphFinishOptions }
  | { id: number; op: 'abort'; reason: string }
  | { id: number; op: 'close' };

/** What the worker answers to 'open-session'. */
interface OpenedSession {
  runId: number;
  baseRun: RunInfo | undefined;
}

/** A request without its id (distributed over the union, which `Omit` alone is not). */
type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface ErrorShape {
  name: string;
  message: string;
  code?: string;
}

type Reply =
  | { kind: 'reply'; id: number; ok: true; result?: unknown }
  | { kind: 'reply'; id: number; ok: false; error: ErrorShape }
  | { kind: 'log'; level: keyof Logger; fields: Record<string, unknown>; message: string };

interface Port {
  on(event: 'message', listener: (message: Request) => void): unknown;
  postMessage(message: Reply): void;
}

/**
 * The worker's side: opens the store (its file is created only when the first session opens)
 * and serves the requests of one `LocalGraphWorkerPublisher`, strictly in order. Log lines are
 * sent to the main thread's logger.
 */
export function serveLocalGraphStore(port: Port, data: LocalGraphWorkerData): void {
  const log =
    (level: keyof Logger) =>
    (fields: Record<string, unknown>, message: string): void =>
      port.postMessage({ kind: 'log', level, fields, message });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  let store: LocalGraphStore | undefined;
  let openError: unknown;
  try {
    // The file is created by the first session, which a sync opens once JumpCloud has answered:
    // a sync that fails before has nothing to write and leaves nothing behind. An existing file
    // that is not ours still fails here, at start, before anything is read.
    store = LocalGraphStore.open(data.path, { logger, keepRuns: data.keepRuns, create: 'on-first-session' });
  } catch (error) {
    openError = error;
  }
  let session: LocalGraphSession | undefined;
  let queue: Promise<void> = Promise.resolve();

  const handle = async (request: Request): Promise<unknown> => {
    if (!store) throw openError;
    switch (request.op) {
      case 'ready':
        return undefined;
      case 'open-session': {
        session = await store.openSession({ description: request.description, startFrom: request.startFrom });
        const opened: OpenedSession = { runId: session.runId, baseRun: session.baseRun };
        return opened;
      }
      case 'entities':
        return activeSession().writeEntities(request.batch);
      case 'relationships':
        return activeSession().writeRelationships(request.batch);
      case 'delete':
        return activeSession().deleteObjects(request.batch);
      case 'delete-relationships':
        return activeSession().deleteRelationships(request.batch);
      case 'read-entities':
        return activeSession().readEntities(request.keys);
      case 'latest-run':
        return store.latestStoredRun();
      case 'latest-properties':
        return store.latestEntityProperties(request.type, request.properties);
      case 'finish':
        return activeSession().finish(request.options);
      case 'abort':
        return activeSession().abort(request.reason);
      case 'close':
        store.close();
        store = undefined;
        openError = new LocalGraphStoreError('LOCAL_GRAPH_CLOSED', 'the local graph store is closed');
        return undefined;
    }
  };
  const activeSession = (): LocalGraphSession => {
    if (!session) throw new LocalGraphStoreError('LOCAL_GRAPH_SESSION_CLOSED', 'no session is open in the local graph worker');
    return session;
  };

  port.on('message', (request) => {
    queue = queue.then(async () => {
      try {
        port.postMessage({ kind: 'reply', id: request.id, ok: true, result: await handle(request) });
      } catch (error) {
        const code: unknown = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
        const shape: ErrorShape =
          error instanceof Error
            ? { name: error.name, message: error.message, code: typeof code === 'string' ? code : undefined }
            : { name: 'Error', message: String(error) };
        port.postMessage({ kind: 'reply', id: request.id, ok: false, error: shape });
      }
    });
  });
}

/**
 * The whole of a local graph thread's entry file: serves the store when this thread was started
 * with `LocalGraphWorkerData`, and throws otherwise. An app bundles such an entry on its own, so
 * the thread loads the store and nothing else of the app.
 */
export function serveLocalGraphThread(): void {
  if (!parentPort || !isLocalGraphWorkerData(workerData)) {
    throw new Error('this file is the local graph store\'s thread: it runs only in a worker thread started with its worker data');
  }
  serveLocalGraphStore(parentPort, workerData);
}

function revive(error: ErrorShape): Error {
  if (error.code?.startsWith('LOCAL_GRAPH_')) return new LocalGraphStoreError(error.code as LocalGraphStoreErrorCode, error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

/** Batches a session may have on their way to the worker before a write waits for one. */
const BATCHES_IN_FLIGHT = 8;

/**
 * Objects gathered before they cross to the worker as one batch. A message costs about as much
 * CPU as cloning a few hundred small objects, and syncs write many small batches (one
 * relationship per user-device association, a page of members at a time); gathered, a sync sends
 * a hundred messages instead of thousands, and the worker commits as many transactions.
 */
export const OBJECTS_PER_BATCH = 1_000;

/**
 * The main thread's side: a `GraphPublisher` whose sessions gather writes into batches of
 * `OBJECTS_PER_BATCH` and hand them to the store in a worker. Writes return once their objects
 * are gathered or their batch is queued (up to a few in flight); a failed batch surfaces on the
 * session's next call, so `finish` never commits after one.
 */
export class LocalGraphWorkerPublisher implements StatefulGraphPublisher {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: Logger,
  ) {
    worker.on('message', (reply: Reply) => this.onReply(reply));
    worker.on('error', (error: Error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the local graph worker exited (code ${code})`)));
  }

  /**
   * Starts the worker (made by `createWorker`) and waits until its store is open: a `--db` that
   * is not ours, or where no database can be created, fails here. The file itself is created by
   * the first `openSession`.
   */
  static async start(createWorker: () => Worker, logger: Logger = silentLogger): Promise<LocalGraphWorkerPublisher> {
    const publisher = new LocalGraphWorkerPublisher(createWorker(), logger);
    try {
      await publisher.call({ op: 'ready' });
    } catch (error) {
      await publisher.worker.terminate();
      throw error;
    }
    return publisher;
  }

  /**
   * Opens a session in the worker (a delta run with `startFrom: 'latest'`: the copy of its base
   * is made before this returns). Writes are gathered into batches; `deleteObjects` first sends
   * the writes gathered so far, so writes and deletions reach the store in the order they were made.
   */
  async openSession(options: LocalGraphSessionOptions): Promise<LocalGraphPublishSession> {
    const { runId, baseRun } = (await this.call({ op: 'open-session', description: options.description, startFrom: options.startFrom })) as OpenedSession;
    const inFlight = new Set<Promise<unknown>>();
    let writeError: Error | undefined;
    let entities: Entity[] = [];
    let relationships: GraphRelationship[] = [];
    const send = async (request: Extract<RequestBody, { op: 'entities' | 'relationships' | 'delete' | 'delete-relationships' }>) => {
      if (request.batch.length === 0) return;
      const sent = this.call(request).catch((error: Error) => {
        writeError ??= error;
      });
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
      if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      if (writeError) throw writeError;
    };
    const sendEntities = () => {
      const batch = entities;
      entities = [];
      return send({ op: 'entities', batch });
    };
    const sendRelationships = () => {
      const batch = relationships;
      relationships = [];
      return send({ op: 'relationships', batch });
    };
    // Objects are cloned when their batch is sent, not when they are written: a writer must not
    // change an object it has written (none does).
    const gather = async <T>(objects: readonly T[], into: T[], sendBatch: () => Promise<void>) => {
      if (writeError) throw writeError;
      for (const object of objects) into.push(object);
      if (into.length >= OBJECTS_PER_BATCH) await sendBatch();
    };
    const drain = async () => {
      await sendEntities();
      await sendRelationships();
      await Promise.all(inFlight);
      if (writeError) throw writeError;
    };
    /** A delta run's deletion, after the writes gathered before it (the order of writes among themselves does not matter to the store; that of a deletion and the writes before it does). */
    const sendDeletion = async (operation: string, request: Extract<RequestBody, { op: 'delete' | 'delete-relationships' }>) => {
      if (baseRun === undefined) {
        throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', `${operation}: run ${runId} is a full run (open the session with startFrom: 'latest' for a delta run)`);
      }
      if (writeError) throw writeError;
      await sendEntities();
      await sendRelationships();
      await send(request);
    };
    return {
      runId,
      baseRun,
      writeEntities: (batch) => gather(batch, entities, sendEntities),
      writeRelationships: (batch) => gather(batch, relationships, sendRelationships),
      deleteObjects: (keys) => sendDeletion('deleteObjects', { op: 'delete', batch: [...keys] }),
      deleteRelationships: (selectors) => sendDeletion('deleteRelationships', { op: 'delete-relationships', batch: [...selectors] }),
      readEntities: async (keys) => {
        // What was written before the read is part of the graph it reads.
        await drain();
        return (await this.call({ op: 'read-entities', keys: [...keys] })) as Entity[];
      },
      finish: async (options) => {
        await drain();
        const { partialTypes, watermarks, mode } = options;
        return (await this.call({ op: 'finish', options: { partialTypes, watermarks, mode } })) as PublishResult;
      },
      abort: async (reason) => {
        entities = [];
        relationships = [];
        await Promise.allSettled(inFlight);
        await this.call({ op: 'abort', reason });
      },
    };
  }

  /** The latest committed run (`StatefulGraphPublisher`). */
  async latestStoredRun(): Promise<StoredRun | undefined> {
    return (await this.call({ op: 'latest-run' })) as StoredRun | undefined;
  }

  /** A delta run from the latest committed run. */
  openDeltaSession(options: PublishSessionOptions): Promise<LocalGraphPublishSession> {
    return this.openSession({ ...options, startFrom: 'latest' });
  }

  /** See `LocalGraphStore.latestEntityProperties`. */
  async latestEntityProperties(type: string, properties: readonly string[]): Promise<Array<{ key: string; properties: Record<string, unknown> }>> {
    return (await this.call({ op: 'latest-properties', type, properties: [...properties] })) as Array<{ key: string; properties: Record<string, unknown> }>;
  }

  /** Closes the store and stops the worker. */
  async close(): Promise<void> {
    try {
      if (!this.failure) await this.call({ op: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }

  private call(request: RequestBody): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  private onReply(reply: Reply): void {
    if (reply.kind === 'log') {
      this.logger[reply.level](reply.fields, reply.message);
      return;
    }
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(revive(reply.error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
