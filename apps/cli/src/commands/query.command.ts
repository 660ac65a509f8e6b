import { compileJ1ql, type GraphQueryEngine, J1qlError, type QueryResult } from '@jumpcloud-graph/graph-query';
import { LocalGraphStore, LocalGraphStoreError } from '@jumpcloud-graph/local-graph';
import { Command, Option } from 'commander';
import { UsageError } from '../config/sync-config';
import { EXIT_FAILURE, EXIT_USAGE } from '../exit-codes';
import { asUsageError } from './export.command';

export type QueryFormat = 'table' | 'json' | 'csv';

interface QueryFlags {
  db: string;
  format: QueryFormat;
  limit: string;
  now?: string;
}

/** The `--format json` document (docs/query.md). */
export interface QueryJson {
  query: string;
  count: number;
  columns: string[];
  rows: Record<string, unknown>[];
  durationMs: number;
}

/** A cell as text: nothing for null, JSON for arrays and objects. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** RFC 4180: a header row, CRLF line ends, fields with a comma, quote or line break quoted. */
export function formatCsv(result: QueryResult): string {
  const field = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [result.columns.map(field).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((c) => field(cellText(row[c]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Columns padded to their widest cell (cells cut at 60 characters), then how many rows there were (and what cut them). */
export function formatTable(result: QueryResult, cutBy = '--limit'): string {
  if (result.total === 0) return 'no results\n';
  const cut = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text).replace(/[\r\n\t]/g, ' ');
  const cells = result.rows.map((row) => result.columns.map((c) => cut(cellText(row[c]))));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const shown = result.rows.length < result.total ? `${result.rows.length} of ${result.total} rows (${cutBy})` : `${result.total} row${result.total === 1 ? '' : 's'}`;
  return `${[line(result.columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n${shown}\n`;
}

/**
 * Runs `use` on the local graph at `db`. A missing database, or one with no committed run, is
 * one line on stderr and exit 1 (`undefined` comes back); a file that is not ours is a usage error.
 */
export async function withLocalGraph<T>(db: string, use: (store: LocalGraphStore) => Promise<T>): Promise<T | undefined> {
  let store: LocalGraphStore;
  try {
    store = LocalGraphStore.open(db, { create: false });
  } catch (error) {
    if (error instanceof LocalGraphStoreError && error.code === 'LOCAL_GRAPH_NOT_FOUND') {
      process.stderr.write(`jumpcloud-graph: --db ${db} does not exist; run sync (or demo) first\n`);
      process.exitCode = EXIT_FAILURE;
      return undefined;
    }
    throw asUsageError(error);
  }
  try {
    return await use(store);
  } catch (error) {
    if (!(error instanceof LocalGraphStoreError) || error.code !== 'LOCAL_GRAPH_NOT_FOUND') throw error;
    process.stderr.write(`jumpcloud-graph: ${error.message}\n`);
    process.exitCode = EXIT_FAILURE;
    return undefined;
  } finally {
    store.close();
  }
}

/** Runs `use` on the query engine of the local graph at `db`, as {@link withLocalGraph} opens it. */
export function withQueryEngine<T>(db: string, use: (engine: GraphQueryEngine) => Promise<T>): Promise<T | undefined> {
  return withLocalGraph(db, (store) => use(store.queryEngine()));
}

/** `--now`: the time `date.now` stands for (ISO 8601), for answers as of a moment; default the current time. */
export function parseNow(text: string | undefined): number {
  if (text === undefined) return Date.now();
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new UsageError(`--now must be an ISO 8601 time such as 2025-06-01T00:00:00Z, got "${text}"`);
  return ms;
}

export function parseLimit(text: string): number {
  const limit = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(limit)) throw new UsageError(`--limit must be a whole number of rows, got "${text}"`);
  return limit;
}

/**
 * `query "<J1QL>"`: the latest committed run of the local graph answers a J1QL query of the
 * subset. Exit 0 with or without results, 2 on a query the subset cannot run (the message names
 * the part and its column, with a caret), 1 when the database is missing or holds no committed run.
 */
export function queryCommand(): Command {
  return new Command('query')
    .description('ask the local graph a J1QL question (the subset in docs/query.md)')
    .argument('<j1ql>', 'the query, e.g. "FIND jumpcloud_user WITH active = true AND mfaEnabled != true"')
    .option('--db <path>', 'local graph database', process.env['JUMPCLOUD_GRAPH_DB'] ?? '.jumpcloud-graph/graph.db')
    .addOption(new Option('--format <format>', 'table, json (one object) or csv (RFC 4180)').choices(['table', 'json', 'csv']).default('table'))
    .option('--limit <n>', 'rows printed at most (the count still tells them all)', '1000')
    .option('--now <time>', 'the time date.now stands for (ISO 8601), for answers as of a moment')
    .addHelpText(
      'after',
      '\nExamples:\n  jumpcloud-graph query "FIND jumpcloud_user WITH active = true AND mfaEnabled != true"\n' +
        '  jumpcloud-graph query --format csv "FIND User AS u THAT HAS UserGroup AS g RETURN u.email, g.name"\n' +
        '  jumpcloud-graph query --format json "FIND jumpcloud_device AS d RETURN d.osName, COUNT(d)"',
    )
    .action(async (text: string, flags: QueryFlags) => {
      const limit = parseLimit(flags.limit);
      const nowMs = parseNow(flags.now);
      const started = performance.now();
      let plan;
      try {
        plan = compileJ1ql(text, { nowMs });
      } catch (error) {
        if (!(error instanceof J1qlError)) throw error;
        process.stderr.write(`jumpcloud-graph: ${error.describe(text)}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      const result = await withQueryEngine(flags.db, (engine) => engine.execute(plan, { maxRows: limit }));
      if (result === undefined) return;
      if (flags.format === 'json') {
        const document: QueryJson = { query: text, count: result.total, columns: result.columns, rows: result.rows, durationMs: Math.round(performance.now() - started) };
        process.stdout.write(`${JSON.stringify(document)}\n`);
      } else {
        process.stdout.write(flags.format === 'csv' ? formatCsv(result) : formatTable(result));
      }
    });
}
