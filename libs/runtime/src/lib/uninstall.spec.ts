import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalGraphStore, LocalGraphStoreError } from '@jumpcloud-graph/local-graph';
import { removeLocalGraph } from './uninstall';

describe('removeLocalGraph', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'jcg-uninstall-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes a local graph database and its side files', async () => {
    const db = join(dir, 'graph.db');
    LocalGraphStore.open(db).close();
    writeFileSync(`${db}-wal`, '');
    expect(await removeLocalGraph(db)).toBe(true);
    for (const suffix of ['', '-wal', '-shm', '.lock']) expect(existsSync(`${db}${suffix}`)).toBe(false);
  });

  it('says so when there is nothing to remove', async () => {
    expect(await removeLocalGraph(join(dir, 'absent.db'))).toBe(false);
  });

  it('refuses a file that is not a local graph database, and leaves it', async () => {
    const other = join(dir, 'notes.db');
    writeFileSync(other, 'not a database');
    await expect(removeLocalGraph(other)).rejects.toBeInstanceOf(LocalGraphStoreError);
    expect(readFileSync(other, 'utf8')).toBe('not a database');
  });
});
