import Database from 'better-sqlite3';
import { buildSync } from 'esbuild';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rawQuery, syncRun, useTempStores, user } from './__fixtures__/local-graph-fixtures';
import { LOCAL_GRAPH_SCHEMA_VERSION } from './local-graph-schema';
import { LocalGraphStoreError } from './local-graph-store.errors';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof LocalGraphStoreError ? error.code : `not a LocalGraphStoreError: ${String(error)}`;
  }
  return undefined;
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

function writeRaw(path: string, sql: string): void {
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('LocalGraphStore database file', () => {
  const temp = useTempStores();

  it('creates missing parent directories (0700) and the file with mode 0600, -wal, -shm and lock included', async () => {
    const path = join(temp.dir(), 'nested', 'deeper', 'graph.db');
    const store = temp.open({}, path);
    await syncRun(store, { entities: [user(1)] });
    await store.openSession({ description: 'holds the lock' });
    expect(existsSync(`${path}.lock-journal`)).toBe(false);

    for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}.lock`]) {
      expect([file, modeOf(file)]).toEqual([file, 0o600]);
    }
    for (const folder of [join(temp.dir(), 'nested'), dirname(path)]) {
      expect([folder, modeOf(folder)]).toEqual([folder, 0o700]);
    }
  });

  it('leaves the mode of an existing database, and of the folder it is in, as they are', async () => {
    temp.open().close();
    chmodSync(temp.dbPath(), 0o640);
    chmodSync(temp.dir(), 0o750);
    await syncRun(temp.open(), { entities: [user(1)] });
    expect(modeOf(temp.dbPath())).toBe(0o640);
    expect(modeOf(temp.dir())).toBe(0o750);
  });

  it('uses WAL and records its schema version', () => {
    temp.open();
    const db = new Database(temp.dbPath(), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    expect(rawQuery(temp.dbPath(), "SELECT value FROM meta WHERE key = 'schema_version'")).toEqual([{ value: String(LOCAL_GRAPH_SCHEMA_VERSION) }]);
  });

  it('keeps its data across close and open', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1)] });
    store.close();
    expect(temp.open().exportGraph().entities).toEqual([user(1)]);
  });

  it('refuses a database written by a newer schema, with a clear error', () => {
    temp.open().close();
    writeRaw(temp.dbPath(), `UPDATE meta SET value = '${LOCAL_GRAPH_SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);
    let thrown: unknown;
    try {
      temp.open();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'LOCAL_GRAPH_SCHEMA_TOO_NEW', fatal: true });
    expect((thrown as Error).message).toMatch(new RegExp(`schema version ${LOCAL_GRAPH_SCHEMA_VERSION + 1}.*reads up to version ${LOCAL_GRAPH_SCHEMA_VERSION}`));
  });

  it('refuses a file that is not SQLite, or a SQLite database that is not ours', () => {
    writeFileSync(temp.dbPath(), 'these are not the bytes of a database, '.repeat(200));
    expect(codeOf(() => temp.open())).toBe('LOCAL_GRAPH_NOT_OURS');

    const foreign = join(temp.dir(), 'foreign.db');
    writeRaw(foreign, 'CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    expect(codeOf(() => temp.open({}, foreign))).toBe('LOCAL_GRAPH_NOT_OURS');
    expect(rawQuery(foreign, "SELECT name FROM sqlite_schema WHERE name = 'meta'")).toEqual([]);
  });

  it('reports a database of ours that SQLite cannot read as LOCAL_GRAPH_CORRUPT', () => {
    temp.open().close();
    const bytes = readFileSync(temp.dbPath());
    // Keep the header, wreck the first page's b-tree (sqlite_schema) after it.
    bytes.fill(0xff, 100, 4096);
    writeFileSync(temp.dbPath(), bytes);
    expect(codeOf(() => temp.open())).toBe('LOCAL_GRAPH_CORRUPT');
  });

  it('reports a path it cannot create as LOCAL_GRAPH_OPEN_FAILED', () => {
    const blocker = join(temp.dir(), 'a-file');
    writeFileSync(blocker, '');
    expect(codeOf(() => temp.open({}, join(blocker, 'graph.db')))).toBe('LOCAL_GRAPH_OPEN_FAILED');
  });
});

describe('LocalGraphStore abandoned runs', () => {
  const temp = useTempStores();

  it('marks a run left running (no session holds the lock) aborted at open', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1)] });
    store.close();
    writeRaw(temp.dbPath(), "INSERT INTO runs (status, description, started_at) VALUES ('running', 'crashed', 1)");

    const reopened = temp.open();
    expect(reopened.listRuns()[0]).toMatchObject({ status: 'aborted', description: 'crashed', abortReason: expect.stringMatching(/abandoned/) });
    expect(reopened.exportGraph().entities).toEqual([user(1)]);
  });

  it('drops, at open, the tables of runs that never committed (crashed, or with no run left)', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1)] });
    const committed = Number(store.latestRun()?.id);
    store.close();
    // What a process that died mid-run leaves: its run still 'running', with its table.
    const crashed = committed + 1;
    writeRaw(
      temp.dbPath(),
      `INSERT INTO runs (id, status, description, started_at) VALUES (${crashed}, 'running', 'crashed', 1);
       CREATE TABLE run_${crashed}_objects (id INTEGER PRIMARY KEY);
       CREATE TABLE run_999_objects (id INTEGER PRIMARY KEY);`,
    );

    const reopened = temp.open();
    expect(reopened.listRuns()[0]).toMatchObject({ id: crashed, status: 'aborted' });
    expect(rawQuery(temp.dbPath(), "SELECT name FROM sqlite_schema WHERE type = 'table' AND name GLOB 'run_*'")).toEqual([
      { name: `run_${committed}_objects` },
    ]);
    expect(reopened.exportGraph().entities).toEqual([user(1)]);
  });

  it('refuses sessions while another process runs one, and recovers once that process is killed', async () => {
    const store = temp.open();
    await syncRun(store, { entities: [user(1)] });
    const childScript = join(temp.dir(), 'child.js');
    buildSync({
      entryPoints: [join(__dirname, '__fixtures__', 'local-graph-crash-child.ts')],
      bundle: true,
      platform: 'node',
      external: ['better-sqlite3'],
      tsconfig: join(WORKSPACE_ROOT, 'tsconfig.base.json'),
      outfile: childScript,
      logLevel: 'silent',
    });
    const child = spawn(process.execPath, [childScript, temp.dbPath()], {
      env: { NODE_PATH: join(WORKSPACE_ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const runId = await new Promise<number>((resolveRun, reject) => {
        child.stdout.on('data', (data: Buffer) => {
          const match = /ready (\d+)/.exec(data.toString());
          if (match?.[1] !== undefined) {
            resolveRun(Number(match[1]));
          }
        });
        child.on('exit', (code) => reject(new Error(`child exited early with ${String(code)}`)));
      });

      await expect(store.openSession({ description: 'parent' })).rejects.toMatchObject({ code: 'LOCAL_GRAPH_BUSY' });
      // A store opened meanwhile must leave the live run alone.
      expect(temp.open().listRuns()[0]).toMatchObject({ id: runId, status: 'running' });

      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGKILL');
      await exited;

      const reopened = temp.open();
      expect(reopened.listRuns()[0]).toMatchObject({ id: runId, status: 'aborted' });
      expect(reopened.exportGraph().entities).toEqual([user(1)]);
      await syncRun(store, { entities: [user(2)] });
      expect(store.exportGraph().entities).toEqual([user(2)]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
