import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalGraphStore } from '@jumpcloud-graph/jupiterone-publisher';
import { Command, Option } from 'commander';
import { UsageError } from '../config/sync-config';
import { EXIT_FAILURE, EXIT_USAGE } from '../exit-codes';

interface ExportFlags {
  db: string;
  format: 'json' | 'j1-integration';
  out?: string;
}

/** Opens an existing local graph for reading; a missing file is a usage error, never created. */
export function openExistingStore(path: string): LocalGraphStore {
  if (!existsSync(path)) throw new UsageError(`--db ${path} does not exist; run sync (or demo) first`);
  return LocalGraphStore.open(path);
}

export function exportCommand(): Command {
  return new Command('export')
    .description('print (or write) every graph object of the latest sync in the local graph')
    .option('--db <path>', 'local graph database', process.env['JUMPCLOUD_GRAPH_DB'] ?? '.jumpcloud-graph/graph.db')
    .addOption(new Option('--format <format>', 'json, or the JupiterOne SDK layout').choices(['json', 'j1-integration']).default('json'))
    .option('--out <dir>', 'output folder for --format j1-integration')
    .addHelpText('after', '\nExamples:\n  jumpcloud-graph export --db graph.db --format json > graph.json\n  jumpcloud-graph export --db graph.db --format j1-integration --out ./project')
    .action(async (flags: ExportFlags) => {
      if (flags.format === 'j1-integration' && !flags.out) {
        process.stderr.write('jumpcloud-graph: --out is required with --format j1-integration\n');
        process.exitCode = EXIT_USAGE;
        return;
      }
      const store = openExistingStore(flags.db);
      try {
        if (!store.latestRun()) {
          process.stderr.write(`jumpcloud-graph: ${flags.db} holds no finished sync yet\n`);
          process.exitCode = EXIT_FAILURE;
          return;
        }
        if (flags.format === 'json') {
          // Streamed from the database: a large graph does not fit in one string.
          await pipeline(Readable.from(store.graphJsonChunks()), process.stdout, { end: false });
          process.stdout.write('\n');
        } else {
          const written = store.exportJ1Integration(flags.out as string);
          process.stderr.write(`wrote ${written.entities} entities and ${written.relationships} relationships in ${written.files} files under ${flags.out}/.j1-integration/graph\n`);
        }
      } finally {
        store.close();
      }
    });
}
