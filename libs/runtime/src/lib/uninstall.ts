import { existsSync, rmSync } from 'node:fs';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';

/**
 * Deletes a local graph database and its side files (`-wal`, `-shm`, `.lock`). It first opens a
 * session, whose lock proves no sync is writing the file while it goes, and aborts it; a file that
 * is not a jumpcloud-graph database is refused (`LocalGraphStoreError`), never deleted. Returns
 * false when there was no database to remove.
 */
export async function removeLocalGraph(db: string): Promise<boolean> {
  if (!existsSync(db)) return false;
  const store = LocalGraphStore.open(db, { create: false });
  try {
    const session = await store.openSession({ description: 'uninstall' });
    await session.abort('uninstall');
  } finally {
    store.close();
  }
  for (const suffix of ['', '-wal', '-shm', '.lock']) rmSync(`${db}${suffix}`, { force: true });
  return true;
}
