import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { LocalGraphLock, sqliteErrorCode } from './local-graph-lock';

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
    expect(LocalGraphLock.tryAcquire(path, 0)).toBeUndefined();
    first?.release();
    first?.release();
    const second = LocalGraphLock.tryAcquire(path, 0);
    expect(second).toBeDefined();
    second?.release();
    expect(statSync(path).mode & 0o777).toBe(0o600);
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
