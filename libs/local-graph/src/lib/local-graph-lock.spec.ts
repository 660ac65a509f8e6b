import Database from 'better-sqlite3';
import { buildSync } from 'esbuild';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { LocalGraphLock, sqliteErrorCode } from './local-graph-lock';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

describe('LocalGraphLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-graph-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is held by one holder at a time, and free again once released', () => {
    const path = join(dir, 'graph.db.lock');
    const first = LocalGraphLock.tryAcquire(path, 0);
    expect(first).toBeDefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(LocalGraphLock.tryAcquire(path, 0)).toBeUndefined();
    first?.release();
    first?.release();
    const second = LocalGraphLock.tryAcquire(path, 0);
    expect(second).toBeDefined();
    second?.release();
  });

  it('removes its file when released, and leaves no journal beside it', () => {
    const path = join(dir, 'graph.db.lock');
    const lock = LocalGraphLock.tryAcquire(path, 0);
    expect(readdirSync(dir)).toEqual(['graph.db.lock']);
    lock?.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over a lock file left by an earlier version, its mode untouched, and removes it', () => {
    const path = join(dir, 'graph.db.lock');
    writeFileSync(path, '', { mode: 0o644 });
    chmodSync(path, 0o644);
    const lock = LocalGraphLock.tryAcquire(path, 0);
    expect(lock).toBeDefined();
    expect(statSync(path).mode & 0o777).toBe(0o644);
    lock?.release();
    expect(existsSync(path)).toBe(false);
  });

  it('throws LOCAL_GRAPH_OPEN_FAILED when the lock file cannot be created', () => {
    expect(() => LocalGraphLock.tryAcquire(join(dir, 'missing', 'graph.db.lock'), 0)).toThrow(
      expect.objectContaining({ code: 'LOCAL_GRAPH_OPEN_FAILED' }),
    );
  });

  it('a waiter whose file the holder removed on release starts over on the new file', async () => {
    const path = join(dir, 'graph.db.lock');
    const script = join(dir, 'holder.js');
    // Another process holds the lock for a while, then releases it (removing the file).
    buildSync({
      stdin: {
        contents: `
          import { LocalGraphLock } from './local-graph-lock';
          const lock = LocalGraphLock.tryAcquire(process.argv[2] ?? '', 0);
          process.stdout.write(lock === undefined ? 'busy\\n' : 'held\\n');
          setTimeout(() => lock?.release(), 700);
        `,
        resolveDir: __dirname,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      external: ['better-sqlite3'],
      tsconfig: join(WORKSPACE_ROOT, 'tsconfig.base.json'),
      outfile: script,
      logLevel: 'silent',
    });
    const holder = spawn(process.execPath, [script, path], {
      env: { NODE_PATH: join(WORKSPACE_ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      const said = await new Promise<string>((resolve) => holder.stdout.once('data', (data: Buffer) => resolve(data.toString().trim())));
      expect(said).toBe('held');
      // Opens the held file at once and waits on it; gets it only once the holder has removed it.
      const lock = LocalGraphLock.tryAcquire(path, 10_000);
      expect(lock).toBeDefined();
      try {
        // Held on the file now at the path: a new comer finds it taken.
        expect(existsSync(path)).toBe(true);
        expect(LocalGraphLock.tryAcquire(path, 0)).toBeUndefined();
      } finally {
        lock?.release();
      }
      expect(existsSync(path)).toBe(false);
      await exited;
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('sqliteErrorCode', () => {
  it('reads the code of a better-sqlite3 error, even one built in another realm', () => {
    const db = new Database(':memory:');
    let thrown: unknown;
    try {
      db.exec('SELECT * FROM missing');
    } catch (error) {
      thrown = error;
    } finally {
      db.close();
    }
    expect(sqliteErrorCode(thrown)).toBe('SQLITE_ERROR');
    const foreign: unknown = runInNewContext("Object.assign(new Error('busy'), { name: 'SqliteError', code: 'SQLITE_BUSY' })");
    expect(foreign instanceof Error).toBe(false);
    expect(sqliteErrorCode(foreign)).toBe('SQLITE_BUSY');
  });

  it('is undefined for anything else', () => {
    expect(sqliteErrorCode(new Error('plain'))).toBeUndefined();
    expect(sqliteErrorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(sqliteErrorCode('SQLITE_BUSY')).toBeUndefined();
  });
});
