import { randomBytes } from 'node:crypto';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalGraphStore, LocalGraphStoreError, type LocalGraphStoreErrorCode } from '@jumpcloud-graph/local-graph';
import { Command, Option } from 'commander';
import { UsageError } from '../config/sync-config';
import { EXIT_FAILURE, EXIT_USAGE } from '../exit-codes';

interface ExportFlags {
  db: string;
  format: 'json' | 'j1-integration';
  out?: string;
}

/**
 * Local graph errors that mean `--db` names the wrong thing (exit 2, like any usage error): a file
 * that is not ours, one a newer build wrote, or (for readers) none at all.
 */
const USAGE_CODES: ReadonlySet<LocalGraphStoreErrorCode> = new Set(['LOCAL_GRAPH_NOT_OURS', 'LOCAL_GRAPH_SCHEMA_TOO_NEW', 'LOCAL_GRAPH_NOT_FOUND']);

/** A `UsageError` for a local graph error that is one (see USAGE_CODES); any other error as it is. */
export function asUsageError(error: unknown): unknown {
  return error instanceof LocalGraphStoreError && USAGE_CODES.has(error.code) ? new UsageError(error.message) : error;
}

/**
 * Opens an existing local graph for reading; creates nothing. A missing file, or one that is not
 * a jumpcloud-graph database (left untouched), is a usage error.
 */
export function openExistingStore(path: string): LocalGraphStore {
  try {
    return LocalGraphStore.open(path, { create: false });
  } catch (error) {
    if (error instanceof LocalGraphStoreError && error.code === 'LOCAL_GRAPH_NOT_FOUND') {
      throw new UsageError(`--db ${path} does not exist; run sync (or demo) first`);
    }
    throw asUsageError(error);
  }
}

/**
 * Writes the JSON document of a run to `file`, mode 0600, through a temp file in the same folder
 * renamed over it at the end: a failed export leaves no half-written file, and the previous one
 * (if any) stays until the new one is complete.
 */
async function writeJsonFile(store: LocalGraphStore, runId: number, file: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await pipeline(Readable.from(withNewline(store.graphJsonChunks(runId))), createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw typeof code === 'string' ? new Error(`cannot write ${file} (${code})`, { cause: error }) : error;
  }
}

function* withNewline(chunks: Iterable<string>): Generator<string> {
  yield* chunks;
  yield '\n';
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

export function exportCommand(): Command {
  return new Command('export')
    .description('print (or write) every graph object of the latest sync in the local graph')
    .option('--db <path>', 'local graph database', process.env['JUMPCLOUD_GRAPH_DB'] ?? '.jumpcloud-graph/graph.db')
    .addOption(new Option('--format <format>', 'json, or the JupiterOne SDK layout').choices(['json', 'j1-integration']).default('json'))
    .option('--out <path>', 'output file for json (default: stdout), folder for j1-integration')
    .addHelpText(
      'after',
      '\nExamples:\n  jumpcloud-graph export --db graph.db --format json > graph.json\n  jumpcloud-graph export --db graph.db --out graph.json\n  jumpcloud-graph export --db graph.db --format j1-integration --out ./project',
    )
    .action(async (flags: ExportFlags) => {
      if (flags.format === 'j1-integration' && !flags.out) {
        process.stderr.write('jumpcloud-graph: --out is required with --format j1-integration\n');
        process.exitCode = EXIT_USAGE;
        return;
      }
      const store = openExistingStore(flags.db);
      try {
        const latest = store.latestRun();
        if (!latest) {
          process.stderr.write(`jumpcloud-graph: ${flags.db} holds no finished sync yet\n`);
          process.exitCode = EXIT_FAILURE;
          return;
        }
        if (flags.format === 'j1-integration') {
          const written = store.exportJ1Integration(flags.out as string);
          process.stderr.write(`wrote ${written.entities} entities and ${written.relationships} relationships in ${written.files} files under ${flags.out}/.j1-integration/graph\n`);
        } else if (flags.out !== undefined) {
          await writeJsonFile(store, latest.id, flags.out);
          process.stderr.write(`wrote ${total(latest.entities)} entities and ${total(latest.relationships)} relationships to ${flags.out}\n`);
        } else {
          // Streamed from the database: a large graph does not fit in one string.
          await pipeline(Readable.from(store.graphJsonChunks()), process.stdout, { end: false });
          process.stdout.write('\n');
        }
      } finally {
        store.close();
      }
    });
}
