import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncRun, useTempStores, user } from './__fixtures__/local-graph-fixtures';
import { LocalGraphStore } from './local-graph-store';
import { LocalGraphStoreError } from './local-graph-store.errors';
import { type LocalGraphStoreOptions } from './local-graph-types';

function thrownBy(action: () => unknown): LocalGraphStoreError {
  try {
    action();
  } catch (error) {
    if (error instanceof LocalGraphStoreError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a LocalGraphStoreError, nothing was thrown');
}

/** Everything a careless open could change about a file: mode, size, content, times (of a device, writes by anyone change the times: its mode). */
function fingerprint(path: string): string {
  const stats = statSync(path, { bigint: true });
  if (stats.isCharacterDevice()) {
    return stats.mode.toString(8);
  }
  const content = stats.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : '';
  return `${stats.mode.toString(8)} ${stats.size} ${stats.mtimeNs} ${stats.ctimeNs} ${content}`;
}

function writeSqlite(path: string, sql: string, journalMode = 'delete'): void {
  const db = new Database(path);
  try {
    db.pragma(`journal_mode = ${journalMode}`);
    db.exec(sql);
  } finally {
    db.close();
  }
}

const CREATE_MODES: LocalGraphStoreOptions['create'][] = [true, false, 'on-first-session'];

describe('LocalGraphStore and files that are not its database', () => {
  const temp = useTempStores();

  const foreignFiles: [string, (path: string) => void][] = [
    ['a text file', (path) => writeFileSync(path, 'name,email\nada,ada@example.com\n')],
    ['an empty file', (path) => writeFileSync(path, '')],
    ['a file shorter than a SQLite header', (path) => writeFileSync(path, 'SQLite format 3\0')],
    ['a SQLite database of someone else', (path) => writeSqlite(path, 'CREATE TABLE customers (id INTEGER PRIMARY KEY)')],
    ['a WAL SQLite database of someone else', (path) => writeSqlite(path, 'CREATE TABLE customers (id INTEGER PRIMARY KEY)', 'wal')],
    ['an empty SQLite database', (path) => writeSqlite(path, 'CREATE TABLE t (x); DROP TABLE t')],
    ['a SQLite database with a meta table of its own', (path) => writeSqlite(path, "CREATE TABLE meta (key TEXT, value TEXT); INSERT INTO meta VALUES ('app', 'x')")],
    ['a SQLite database whose meta table has other columns', (path) => writeSqlite(path, 'CREATE TABLE meta (id INTEGER PRIMARY KEY)', 'wal')],
  ];

  it.each(foreignFiles)('leaves %s exactly as it was, whatever `create` says, and names it in one line', (_what, make) => {
    const path = join(temp.dir(), 'their.db');
    make(path);
    chmodSync(path, 0o644);
    const before = fingerprint(path);
    for (const create of CREATE_MODES) {
      const error = thrownBy(() => temp.open({ create }, path));
      expect({ create, code: error.code }).toEqual({ create, code: 'LOCAL_GRAPH_NOT_OURS' });
      expect(error.message.startsWith(`${path} is not a jumpcloud-graph database (`)).toBe(true);
      expect(error.message).not.toContain('\n');
    }
    expect(fingerprint(path)).toBe(before);
    expect(readdirSync(temp.dir())).toEqual(['their.db']);
  });

  /**
   * /dev/null; as root (who could chmod it, breaking the machine if the store wrongly did), a device
   * node of its own for the same device. Undefined where neither can be had.
   */
  const nullDevice = (): string | undefined => {
    if (process.getuid?.() !== 0) {
      return existsSync('/dev/null') ? '/dev/null' : undefined;
    }
    const path = join(temp.dir(), 'null');
    return spawnSync('mknod', [path, 'c', '1', '3']).status === 0 ? path : undefined;
  };

  it('refuses a folder, a pipe and /dev/null without opening them', () => {
    const special = [join(temp.dir(), 'a-folder'), join(temp.dir(), 'a-pipe'), nullDevice()];
    mkdirSync(join(temp.dir(), 'a-folder'), { mode: 0o755 });
    spawnSync('mkfifo', [join(temp.dir(), 'a-pipe')]);
    // Opening a pipe to write blocks until it has a reader: with one, a store that wrongly opens
    // it fails this test instead of hanging it.
    const reader = existsSync(join(temp.dir(), 'a-pipe')) ? openSync(join(temp.dir(), 'a-pipe'), constants.O_RDONLY | constants.O_NONBLOCK) : undefined;
    try {
      for (const path of special) {
        if (path === undefined || !existsSync(path)) {
          continue;
        }
        const before = fingerprint(path);
        const listing = readdirSync(dirname(path));
        for (const create of CREATE_MODES) {
          const error = thrownBy(() => LocalGraphStore.open(path, { create }));
          expect({ path, create, code: error.code }).toEqual({ path, create, code: 'LOCAL_GRAPH_NOT_OURS' });
          expect(error.message.startsWith(`${path} is not a jumpcloud-graph database (`)).toBe(true);
        }
        expect(fingerprint(path)).toBe(before);
        expect(readdirSync(dirname(path))).toEqual(listing);
      }
    } finally {
      if (reader !== undefined) {
        closeSync(reader);
      }
    }
  });

  it('opens a database of ours through its read-only check, and leaves no file beside it once closed', async () => {
    const writer = temp.open();
    await syncRun(writer, { entities: [user(1)] });
    writer.close();
    const reader = temp.open({ create: false });
    expect(reader.exportGraph().entities).toEqual([user(1)]);
    reader.close();
    expect(readdirSync(temp.dir())).toEqual(['graph.db']);
  });
});

describe('LocalGraphStore create option', () => {
  const temp = useTempStores();

  it('false: refuses a missing file with LOCAL_GRAPH_NOT_FOUND and creates nothing, folders included', () => {
    const path = join(temp.dir(), 'missing', 'graph.db');
    const error = thrownBy(() => temp.open({ create: false }, path));
    expect(error.code).toBe('LOCAL_GRAPH_NOT_FOUND');
    expect(error.message).toContain(path);
    expect(readdirSync(temp.dir())).toEqual([]);
  });

  it("'on-first-session': creates nothing at open; the first session creates the folders and the file", async () => {
    const path = join(temp.dir(), 'nested', 'graph.db');
    const store = temp.open({ create: 'on-first-session' }, path);
    expect(readdirSync(temp.dir())).toEqual([]);
    // Until then, a store without runs.
    expect(store.listRuns()).toEqual([]);
    expect(store.latestRun()).toBeUndefined();
    expect(thrownBy(() => store.exportGraph()).code).toBe('LOCAL_GRAPH_NOT_FOUND');
    expect(thrownBy(() => store.graphJsonChunks()).code).toBe('LOCAL_GRAPH_NOT_FOUND');
    expect(thrownBy(() => store.exportJ1Integration(temp.dir())).code).toBe('LOCAL_GRAPH_NOT_FOUND');
    expect(thrownBy(() => store.diff()).code).toBe('LOCAL_GRAPH_NO_DIFF');
    expect(thrownBy(() => store.diff(1, 2)).code).toBe('LOCAL_GRAPH_NOT_FOUND');
    expect(readdirSync(temp.dir())).toEqual([]);

    await syncRun(store, { entities: [user(1)] });
    expect(store.exportGraph().entities).toEqual([user(1)]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    store.close();
    // No temp file of the creation, no lock, no WAL left.
    expect(readdirSync(dirname(path))).toEqual(['graph.db']);
  });

  it("'on-first-session': a store closed without a session leaves nothing behind", () => {
    temp.open({ create: 'on-first-session' }).close();
    expect(readdirSync(temp.dir())).toEqual([]);
  });

  it("'on-first-session': uses the database another store created meanwhile", async () => {
    const waiting = temp.open({ create: 'on-first-session' });
    await syncRun(temp.open(), { entities: [user(1)] });
    expect(waiting.latestRun()?.status).toBe('committed');
    await syncRun(waiting, { entities: [user(2)] });
    expect(waiting.listRuns().map((run) => run.status)).toEqual(['committed', 'committed']);
  });

  it("'on-first-session': fails at open where the file could never be created", () => {
    const blocker = join(temp.dir(), 'a-file');
    writeFileSync(blocker, '');
    expect(thrownBy(() => temp.open({ create: 'on-first-session' }, join(blocker, 'sub', 'graph.db'))).code).toBe('LOCAL_GRAPH_OPEN_FAILED');
    expect(readdirSync(temp.dir())).toEqual(['a-file']);
  });

  // root may write anywhere
  (process.getuid?.() === 0 ? it.skip : it)("'on-first-session': fails at open in a folder it may not write in", () => {
    const readOnly = join(temp.dir(), 'read-only');
    mkdirSync(readOnly, { mode: 0o500 });
    try {
      expect(thrownBy(() => temp.open({ create: 'on-first-session' }, join(readOnly, 'sub', 'graph.db'))).code).toBe('LOCAL_GRAPH_OPEN_FAILED');
    } finally {
      chmodSync(readOnly, 0o700);
    }
  });

  it("'on-first-session': a file that turns up and is not ours fails the session, untouched", async () => {
    const store = temp.open({ create: 'on-first-session' });
    writeFileSync(temp.dbPath(), 'not ours');
    await expect(store.openSession({ description: 'x' })).rejects.toMatchObject({ code: 'LOCAL_GRAPH_NOT_OURS' });
    expect(readFileSync(temp.dbPath(), 'utf8')).toBe('not ours');
    expect(readdirSync(temp.dir())).toEqual(['graph.db']);
  });

  it('refuses a create option it does not know', () => {
    const create = 'later' as unknown as boolean;
    expect(thrownBy(() => temp.open({ create })).code).toBe('LOCAL_GRAPH_INVALID_OPTIONS');
    expect(readdirSync(temp.dir())).toEqual([]);
  });
});

describe('LocalGraphStore leftovers', () => {
  const temp = useTempStores();
  const leftovers = () => readdirSync(temp.dir()).filter((name) => name !== 'graph.db');

  it('leaves no lock, journal, WAL nor shared-memory file after an open, a run, an aborted run, or a close mid-run', async () => {
    temp.open().close();
    expect(leftovers()).toEqual([]);

    const store = temp.open();
    await syncRun(store, { entities: [user(1)] });
    expect(leftovers().filter((name) => !name.endsWith('-wal') && !name.endsWith('-shm'))).toEqual([]);
    const aborted = await store.openSession({ description: 'aborted' });
    await aborted.abort('test');
    expect(existsSync(`${temp.dbPath()}.lock`)).toBe(false);
    await store.openSession({ description: 'left open' });
    expect(existsSync(`${temp.dbPath()}.lock`)).toBe(true);
    store.close();
    expect(leftovers()).toEqual([]);

    const reader = temp.open({ create: false });
    expect(reader.listRuns().map((run) => run.status)).toEqual(['aborted', 'aborted', 'committed']);
    reader.close();
    expect(leftovers()).toEqual([]);
  });

  it('two stores in one process take turns on the lock, each removing its file when done', async () => {
    const first = temp.open();
    const second = temp.open();
    const session = await first.openSession({ description: 'first' });
    await expect(second.openSession({ description: 'second' })).rejects.toMatchObject({ code: 'LOCAL_GRAPH_BUSY' });
    await session.finish({ partialTypes: [] });
    expect(existsSync(`${temp.dbPath()}.lock`)).toBe(false);

    const next = await second.openSession({ description: 'second' });
    expect(existsSync(`${temp.dbPath()}.lock`)).toBe(true);
    await expect(first.openSession({ description: 'first again' })).rejects.toMatchObject({ code: 'LOCAL_GRAPH_BUSY' });
    await next.finish({ partialTypes: [] });
    expect(existsSync(`${temp.dbPath()}.lock`)).toBe(false);
    await syncRun(first, { entities: [user(1)] });
    expect(first.listRuns().map((run) => run.description)).toEqual(['test org', 'second']);
  });
});
