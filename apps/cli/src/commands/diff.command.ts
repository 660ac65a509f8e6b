import { type GraphDiff, type PropertyChange, type PropertyChanges, type TypeChanges } from '@jumpcloud-graph/local-graph';
import { Command } from 'commander';
import { EXIT_FAILURE } from '../exit-codes';
import { openExistingStore } from './export.command';

/** Longest JSON of a value the human output shows; longer ones are cut, ending with `…`. */
const MAX_VALUE_CHARS = 80;

export function formatDiff(diff: GraphDiff): string {
  const rows = [`changes from run ${diff.from} to run ${diff.to}`];
  const section = (title: string, byType: Record<string, TypeChanges>) => {
    rows.push(title);
    const types = Object.keys(byType).sort();
    if (types.length === 0) rows.push('  (no changes)');
    for (const t of types) {
      rows.push(`  ${t.padEnd(40)} +${byType[t].created.length} ~${byType[t].updated.length} -${byType[t].deleted.length}`);
      for (const { key, changes } of byType[t].updatedDetails) {
        rows.push(`    ~ ${printable(key)}`, ...propertyLines(changes));
      }
    }
  };
  section('entities (created ~updated -deleted)', diff.entities);
  section('relationships', diff.relationships);
  return rows.join('\n');
}

/** One line per changed property: `name: <from> -> <to>` as JSON, and `_rawData` (only ever `{}`) without values. */
function propertyLines(changes: PropertyChanges): string[] {
  return Object.entries(changes).map(([name, change]) =>
    isValueChange(change) ? `      ${printable(name)}: ${shortJson(change.from)} -> ${shortJson(change.to)}` : `      ${printable(name)}: changed`,
  );
}

function isValueChange(change: PropertyChanges[string]): change is PropertyChange {
  return 'from' in change;
}

/** The value as JSON, cut to `MAX_VALUE_CHARS` characters (the last one `…`) when longer. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text.length <= MAX_VALUE_CHARS) return text;
  // Never end on half a surrogate pair.
  const cut = /[\uD800-\uDBFF]$/.test(text.slice(0, MAX_VALUE_CHARS - 1)) ? MAX_VALUE_CHARS - 2 : MAX_VALUE_CHARS - 1;
  return `${text.slice(0, cut)}…`;
}

/** Keys and property names come from the source: one with control characters is shown as JSON, so it cannot break a line or drive the terminal. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? JSON.stringify(text) : text;
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
