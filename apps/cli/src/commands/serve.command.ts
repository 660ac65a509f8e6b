import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ConsoleQueryThreadStarter, startConsoleServer } from '@jumpcloud-graph/console';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { Command } from 'commander';
import { UsageError } from '../config/sync-config';
import { EXIT_FAILURE } from '../exit-codes';
import { exitCodeFor, oneLine } from '../run-sync';
import { asUsageError } from './export.command';
import { loadQuestions } from './questions.command';

/** The console's query thread: its own bundle beside main.js (console-query-thread.ts). */
const startQueryThread: ConsoleQueryThreadStarter = (workerData) => new Worker(join(__dirname, 'console-query-thread.js'), { workerData });

interface ServeFlags {
  db?: string;
  port: string;
  host: string;
  questions?: string;
  timeLimitMs: string;
  maxRows: string;
}

const SYNCED = '.jumpcloud-graph/graph.db';
const DEMO = '.jumpcloud-graph/demo.db';

/** `--db`, `JUMPCLOUD_GRAPH_DB`, else the synced graph, or the demo's when only it exists. */
export function consoleDb(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const given = flag ?? env['JUMPCLOUD_GRAPH_DB'];
  if (given !== undefined && given !== '') return given;
  return !existsSync(SYNCED) && existsSync(DEMO) ? DEMO : SYNCED;
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}`);
  return value;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Whether an `Authorization` header carries the token: `Bearer <token>`, or Basic with the token
 * as the password (what a browser sends once asked).
 */
export function hasToken(header: string | undefined, token: string): boolean {
  const bearer = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  const basic = /^Basic (.+)$/i.exec(header ?? '')?.[1];
  const given = bearer ?? (basic ? Buffer.from(basic, 'base64').toString('utf8').replace(/^[^:]*:/, '') : '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Runs the console until SIGINT or SIGTERM. Returns the exit code when it cannot start. */
export async function runServe(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  try {
    const port = wholeNumber('--port', flags.port, 0, 65535);
    const timeLimitMs = wholeNumber('--time-limit-ms', flags.timeLimitMs, 100, 600_000);
    const maxRows = wholeNumber('--max-rows', flags.maxRows, 1, 100_000);
    const token = env['JUMPCLOUD_GRAPH_CONSOLE_TOKEN'] || undefined;
    if (!LOOPBACK.test(flags.host) && !token) {
      throw new UsageError(`--host ${flags.host} is not a loopback address: set JUMPCLOUD_GRAPH_CONSOLE_TOKEN, which the console then asks for`);
    }
    const db = consoleDb(flags.db, env);
    if (!existsSync(db)) {
      process.stderr.write(`jumpcloud-graph: --db ${db} does not exist; run sync (or demo) first\n`);
      return EXIT_FAILURE;
    }
    // A file that is not a local graph is refused now, before anything listens.
    try {
      LocalGraphStore.open(db, { create: false }).close();
    } catch (error) {
      throw asUsageError(error);
    }
    const questions = loadQuestions(flags.questions);
    const server = await startConsoleServer({
      host: flags.host,
      port,
      graphs: [{ id: 'local', name: basename(db), db }],
      assetsDir: join(__dirname, 'console'),
      questions,
      startQueryThread,
      timeLimitMs,
      maxRows,
      ...(token ? { authorize: (header: string | undefined) => hasToken(header, token) } : {}),
    });
    process.stdout.write(`jumpcloud-graph console on ${server.url} (graph ${db}); Ctrl-C to stop\n`);
    const stop = () => {
      void server.close().finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`jumpcloud-graph: cannot listen on ${flags.host}:${flags.port} (${code})\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(`jumpcloud-graph: ${oneLine(error)}\n`);
    return exitCodeFor(error);
  }
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('a read-only web console on the local graph: J1QL queries as a table and a graph, the questions, alert findings, runs and their diff, entities')
    .option('--db <path>', `local graph database (JUMPCLOUD_GRAPH_DB; default ${SYNCED}, or ${DEMO} when only the demo's exists)`)
    .option('--port <n>', 'port (0: any free one)', '7400')
    .option('--host <address>', 'address to listen on; another than loopback needs JUMPCLOUD_GRAPH_CONSOLE_TOKEN', '127.0.0.1')
    .option('--questions <file>', 'more questions (YAML, the same shape), merged by id')
    .option('--time-limit-ms <n>', 'a query stops after this long', '5000')
    .option('--max-rows <n>', 'rows a query shows at most', '1000')
    .addHelpText('after', '\nExamples:\n  jumpcloud-graph demo && jumpcloud-graph serve\n  jumpcloud-graph serve --db .jumpcloud-graph/graph.db --port 8000')
    .action(async (flags: ServeFlags) => {
      const code = await runServe(flags, process.env);
      if (code !== undefined) process.exitCode = code;
    });
}
