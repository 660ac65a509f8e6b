import Database from 'better-sqlite3';
import { type BigIntStats, chmodSync, closeSync, openSync, statSync, unlinkSync } from 'node:fs';
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

/** The `code` of a Node.js system error (`ENOENT`, `EEXIST`, ...), else undefined. */
export function errnoCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Owner read/write only: the database holds the organization's directory. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `path` with mode 0600 if nothing is there; true when this call created it. An existing
 * file is left exactly as it is (its mode included): we set modes only on files we create.
 */
export function createPrivateFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') {
      return false;
    }
    throw error;
  }
  try {
    // The mode given to open() is filtered by the umask.
    chmodSync(path, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Which file a path named when it was looked at. */
interface FileIdentity {
  dev: bigint;
  ino: bigint;
  /** Guards against a new file reusing a removed one's inode number (ext4 and tmpfs do). Nothing we do to a lock file changes it. */
  ctimeNs: bigint;
}

/** Tries before a zero wait gives up on a lock file replaced under it (each retry is a fresh file, seldom contended). */
const MIN_ATTEMPTS = 3;

/**
 * The "one run at a time per database" lock: an EXCLUSIVE transaction held open on a small
 * side database (`<db>.lock`). SQLite takes POSIX file locks for it, which the kernel releases
 * when the process dies, so a crashed sync never leaves the database locked, and a run row still
 * 'running' while the lock is free is certainly abandoned. SQLite also arbitrates between
 * connections of one process, so two stores on the same file in one process exclude each other too.
 * A lock on the main database itself would not do: in WAL mode its locks do not exclude
 * readers' and writers' normal work, and EXCLUSIVE locking mode would block `export` while a sync runs.
 *
 * The lock file exists only while someone holds or wants the lock: `release` removes it while
 * still holding it. A waiter may meanwhile have opened that same file and get its lock once it
 * is let go, a lock nobody else checks; so after locking, a holder makes sure the path still
 * names the file it locked, and else starts over on the path's new file.
 */
export class LocalGraphLock {
  private constructor(
    private readonly connection: Database.Database,
    private readonly path: string,
    private readonly identity: FileIdentity,
  ) {}

  /**
   * Takes the lock, waiting up to `waitMs` for a holder to let go; undefined when it stays taken.
   * Throws `LOCAL_GRAPH_OPEN_FAILED` when the lock file cannot be created or opened.
   */
  static tryAcquire(lockPath: string, waitMs: number): LocalGraphLock | undefined {
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = LocalGraphLock.attempt(lockPath, Math.max(0, deadline - Date.now()));
      if (outcome !== 'replaced') {
        return outcome;
      }
      if (Date.now() >= deadline && attempt >= MIN_ATTEMPTS) {
        return undefined;
      }
    }
  }

  /** One try on the file at `lockPath` now: the lock, undefined if held, or 'replaced' if the file we locked is no longer the path's. */
  private static attempt(lockPath: string, waitMs: number): LocalGraphLock | undefined | 'replaced' {
    let before: FileIdentity | undefined;
    let connection: Database.Database;
    try {
      createPrivateFile(lockPath);
      before = identityOf(lockPath);
      if (before === undefined) {
        return 'replaced';
      }
      // fileMustExist: a file removed since must not be recreated by SQLite with its own mode.
      connection = new Database(lockPath, { timeout: waitMs, fileMustExist: true });
    } catch (error) {
      if (before !== undefined && identityOf(lockPath) === undefined) {
        return 'replaced';
      }
      throw new LocalGraphStoreError('LOCAL_GRAPH_OPEN_FAILED', `cannot open the lock file ${lockPath}`, { cause: error });
    }
    try {
      // The lock database never holds data: no need for a -journal file beside it. (This reads
      // the file, so it already meets a holder's lock.)
      connection.pragma('journal_mode = MEMORY');
      connection.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      connection.close();
      if (sqliteErrorCode(error)?.startsWith('SQLITE_BUSY') === true) {
        return undefined;
      }
      throw new LocalGraphStoreError('LOCAL_GRAPH_OPEN_FAILED', `cannot lock ${lockPath}`, { cause: error });
    }
    if (!sameFile(identityOf(lockPath), before)) {
      // The holder we waited for removed this file as it let go (see the class comment): whoever
      // holds the lock now holds it on the path's new file.
      connection.exec('ROLLBACK');
      connection.close();
      return 'replaced';
    }
    return new LocalGraphLock(connection, lockPath, before);
  }

  /** Lets the next session in, and removes the lock file. Idempotent. */
  release(): void {
    if (!this.connection.open) {
      return;
    }
    try {
      // Removed while still held, so no one can lock this file unnoticed (see the class comment).
      if (sameFile(identityOf(this.path), this.identity)) {
        unlinkSync(this.path);
      }
    } catch {
      // A lock file that cannot be removed (a read-only folder) is clutter, not a danger: the next
      // holder locks it as it is.
    } finally {
      try {
        this.connection.exec('ROLLBACK');
      } finally {
        this.connection.close();
      }
    }
  }
}

/** The identity of the file at `path`, undefined when there is none. */
function identityOf(path: string): FileIdentity | undefined {
  let stats: BigIntStats | undefined;
  try {
    stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch (error) {
    if (errnoCode(error) === 'ENOTDIR') {
      return undefined;
    }
    throw error;
  }
  return stats === undefined ? undefined : { dev: stats.dev, ino: stats.ino, ctimeNs: stats.ctimeNs };
}

function sameFile(a: FileIdentity | undefined, b: FileIdentity): boolean {
  return a !== undefined && a.dev === b.dev && a.ino === b.ino && a.ctimeNs === b.ctimeNs;
}
