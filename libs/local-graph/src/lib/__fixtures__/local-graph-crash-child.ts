/**
 * Run as a separate process by local-graph-store.file.spec.ts: opens a session, writes, reports
 * the run id on stdout, and waits to be killed mid-run.
 */
import { LocalGraphStore } from '../local-graph-store';
import { user } from './local-graph-fixtures-data';

/** Held until the process dies: a store or session garbage-collected closes its connections, lock included. */
const kept: unknown[] = [];

async function main(): Promise<void> {
  const store = LocalGraphStore.open(process.argv[2] ?? '');
  const session = await store.openSession({ description: 'doomed' });
  kept.push(store, session);
  await session.writeEntities([user(7)]);
  process.stdout.write(`ready ${session.runId}\n`);
  setInterval(() => kept.length, 60_000);
}

void main();
