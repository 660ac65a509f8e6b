import { type GraphDiff, type TypeChanges } from '@jumpcloud-graph/local-graph';
import { Command } from 'commander';
import { EXIT_FAILURE } from '../exit-codes';
import { openExistingStore } from './export.command';

export function formatDiff(diff: GraphDiff): string {
  const rows = [`changes from run ${diff.from} to run ${diff.to}`];
  const section = (title: string, byType: Record<string, TypeChanges>) => {
    rows.push(title);
    const types = Object.keys(byType).sort();
    if (types.length === 0) rows.push('  (no changes)');
    rows.push(...types.map((t) => `  ${t.padEnd(40)} +${byType[t].created.length} ~${byType[t].updated.length} -${byType[t].deleted.length}`));
  };
  section('entities (created ~updated -deleted)', diff.entities);
  section('relationships', diff.relationships);
  return rows.join('\n');
}

export function diffCommand(): Command {
  return new Command('diff')
    .description('what changed between the last two syncs in the local graph')
    .option('--db <path>', 'local graph database', process.env['JUMPCLOUD_GRAPH_DB'] ?? '.jumpcloud-graph/graph.db')
    .option('--json', 'print one JSON object: {from, to, entities, relationships}')
    .addHelpText('after', '\nExample:\n  jumpcloud-graph diff --db graph.db --json')
    .action((flags: { db: string; json?: boolean }) => {
      const store = openExistingStore(flags.db);
      try {
        const diff = store.diff();
        process.stdout.write(flags.json ? `${JSON.stringify(diff)}\n` : `${formatDiff(diff)}\n`);
      } catch (error) {
        process.stderr.write(`jumpcloud-graph: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = EXIT_FAILURE;
      } finally {
        store.close();
      }
    });
}
