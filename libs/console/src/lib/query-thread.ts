import { parentPort, type Worker, workerData } from 'node:worker_threads';
import { type Question } from '@jumpcloud-graph/graph-query';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { answerQuestions, type ConsoleQueryOptions, entityDetail, queryErrorOf, runConsoleQuery } from './console-queries';

/**
 * The console's queries run in a worker thread of their own, one per graph: SQLite answers a
 * query synchronously and cannot be interrupted, so a query past its time limit is stopped by
 * terminating its thread (a new one starts for the next query). The thread opens the database
 * read-only in spirit: it never opens a session, so it never writes.
 */

/** What a console query thread is started with (its `workerData`). */
export interface ConsoleQueryWorkerData {
  role: 'console-query';
  /** The local graph database. */
  path: string;
}

export function isConsoleQueryWorkerData(value: unknown): value is ConsoleQueryWorkerData {
  return typeof value === 'object' && value !== null && (value as { role?: unknown }).role === 'console-query';
}

/** How an app starts the thread: its own bundle, started with the thread's data (see `serveConsoleQueryThread`). */
export type ConsoleQueryThreadStarter = (data: ConsoleQueryWorkerData) => Worker;

type Op =
  | { op: 'query'; text: string; options: ConsoleQueryOptions }
  | { op: 'entity'; key: string; nowMs: number; maxRelationships: number }
  | { op: 'questions'; questions: Question[]; nowMs: number };

type Request = Op & { id: number };

type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string; line?: number; column?: number } };

/** The thread's side: opens the store once, answers requests one at a time. */
export function serveConsoleQueryThread(): void {
  if (!parentPort || !isConsoleQueryWorkerData(workerData)) {
    throw new Error("this file is the console's query thread: it runs only in a worker thread started with its worker data");
  }
  const port = parentPort;
  const data = workerData;
  let store: LocalGraphStore | undefined;
  const engine = () => (store ??= LocalGraphStore.open(data.path, { create: false })).queryEngine();
  port.on('message', (request: Request) => {
    void (async () => {
      try {
        let result: unknown;
        if (request.op === 'query') result = await runConsoleQuery(engine(), request.text, request.options);
        else if (request.op === 'entity') result = (await entityDetail(engine(), request.key, request)) ?? null;
        else result = await answerQuestions(engine(), request.questions, request.nowMs);
        port.postMessage({ id: request.id, ok: true, result } satisfies Reply);
      } catch (error) {
        const where = queryErrorOf(error);
        const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
        port.postMessage({
          id: request.id,
          ok: false,
          error: {
            name: error instanceof Error ? error.name : 'Error',
            message: error instanceof Error ? error.message : String(error),
            ...(typeof code === 'string' ? { code } : {}),
            ...(where ? { line: where.line, column: where.column } : {}),
          },
        } satisfies Reply);
      }
    })();
  });
}

/** A console query that ran past its time limit (its thread was stopped). */
export class ConsoleTimeoutError extends Error {
  override readonly name = 'ConsoleTimeoutError';
}

/** An error the thread reported, with its name, code and (a J1QL error) position kept. */
export class ConsoleThreadError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly code?: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/**
 * The main thread's side: one thread at a time per graph, one request at a time in it (requests
 * wait their turn), each with `timeLimitMs`. A request past its limit terminates the thread and
 * fails with `ConsoleTimeoutError`; the next starts a new one.
 */
export class ConsoleQueryRunner {
  private worker?: Worker;
  private sequence = 0;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly startThread: ConsoleQueryThreadStarter,
    private readonly timeLimitMs: number,
  ) {}

  /** Runs `op` after those before it, within `timeLimitMs` (the runner's unless given). */
  run<T>(op: Op, timeLimitMs = this.timeLimitMs): Promise<T> {
    const next = this.turn.then(
      () => this.send<T>(op, timeLimitMs),
      () => this.send<T>(op, timeLimitMs),
    );
    this.turn = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private send<T>(op: Op, timeLimitMs: number): Promise<T> {
    const worker = (this.worker ??= this.startThread({ role: 'console-query', path: this.path }));
    const id = ++this.sequence;
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        done();
        if (reply.ok) resolve(reply.result as T);
        else reject(new ConsoleThreadError(reply.error.name, reply.error.message, reply.error.code, reply.error.line, reply.error.column));
      };
      const onError = (error: Error) => {
        done();
        if (this.worker === worker) this.worker = undefined;
        reject(error);
      };
      const onExit = () => onError(new Error('the console query thread exited'));
      const timer = setTimeout(() => {
        done();
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate();
        reject(new ConsoleTimeoutError(`the query took longer than ${timeLimitMs / 1000} s and was stopped`));
      }, timeLimitMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ ...op, id } satisfies Request);
    });
  }
}
