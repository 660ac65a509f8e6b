import Database from 'better-sqlite3';
import { closeSync, chmodSync, openSync } from 'node:fs';
import { LocalGraphStoreError } from './local-graph-store.errors';

/**
 * The SQLite result code (`SQLITE_BUSY`, `SQLITE_NOTADB`, ...) of an error better-sqlite3 threw,
 * else undefined. Matched by shape, not with `instanceof`: the native addon keeps the error class
 * of the first copy of better-sqlite3 loaded in the process (and that copy's realm's `Error`), so
 * with a module registry per test file (jest) or a duplicated install, class checks fail.
 */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'SqliteError' && typeof code === 'string' ? code : undefined;
}

/** Owner read/write only: the database holds the organization's directory. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `path` with mode 0600 when it does not exist, and sets 0600 on it when it does (the
 * mode passed to open() only applies to new files). Never truncates.
 */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * The "one run at a time per database" lock: an EXCLUSIVE transaction held open on a small
 * side database (`<db>.lock`). SQLite takes POSIX file locks for it, which the kernel releases
 * when the process dies, so a crashed sync never leaves the database locked, and a run row still
 * 'running' while the lock is free is certainly abandoned. SQLite also arbitrates between
 * connections of one process, so two stores on the same file in one process exclude each other too.
 * A lock on the main database itself would not do: in WAL mode its locks do not exclude
 * readers' and writers' normal work, and EXCLUSIVE locking mode would block `export` while a sync runs.
 */
export class LocalGraphLock {
  private constructor(private readonly connection: Database.Database) {}

  /**
   * Takes the lock, waiting up to `waitMs` for a holder to let go; undefined when it stays taken.
   * Throws `LOCAL_GRAPH_OPEN_FAILED` when the lock file cannot be created or opened.
   */
  static tryAcquire(lockPath: string, waitMs: number): LocalGraphLock | undefined {
    let connection: Database.Database;
    try {
      ensurePrivateFile(lockPath);
      connection = new Database(lockPath, { timeout: waitMs });
    } catch (error) {
      throw new LocalGraphStoreError('LOCAL_GRAPH_OPEN_FAILED', `cannot open the lock file ${lockPath}`, { cause: error });
    }
    try {
      // The lock database never holds data: no need for a -journal file beside it. (This reads
      // the file, so it already meets a holder's lock.)
      connection.pragma('journal_mode = MEMORY');
      connection.exec('BEGIN EXCLUSIVE');
      return new LocalGraphLock(connection);
    } catch (error) {
      connection.close();
      if (sqliteErrorCode(error)?.startsWith('SQLITE_BUSY') === true) {
        return undefined;
      }
      throw new LocalGraphStoreError('LOCAL_GRAPH_OPEN_FAILED', `cannot lock ${lockPath}`, { cause: error });
    }
  }

  /** Lets the next session in. Idempotent. */
  release(): void {
    if (!this.connection.open) {
      return;
    }
    try {
      this.connection.exec('ROLLBACK');
    } finally {
      this.connection.close();
    }
  }
}
