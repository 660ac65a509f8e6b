import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import {
  type Stats,
  accessSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { type Logger } from '@jumpcloud-graph/domain';
import { createPrivateFile, errnoCode, sqliteErrorCode } from './local-graph-lock';
import { checkSchema, createSchema, notOurs, upgradeSchema } from './local-graph-schema';
import { LocalGraphStoreError } from './local-graph-store.errors';

/**
 * The database file: telling ours from anything else before touching it, and creating a new one.
 * `--db` may name anything (a typo, another program's file), so an existing file is only read
 * until it is known to be a jumpcloud-graph database, and modes are set only on what we create.
 */

/** How long a statement waits for another connection's write to finish (WAL lets readers through). */
const BUSY_TIMEOUT_MS = 5_000;
/** Page size of new databases (bytes). */
const PAGE_SIZE = 16_384;
/** Folders we create for the database: owner only, like the file. */
const PRIVATE_DIR_MODE = 0o700;
/** The first 16 bytes of every SQLite database file. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** The SQLite file header; no database is shorter. */
const HEADER_BYTES = 100;
/** Header bytes 18 and 19 (the write and read format versions) are 2 in a WAL-mode database. */
const WAL_FORMAT = 2;
/** What link() fails with on filesystems without hard links (FAT, some network shares). */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Whether something is at `path`; false when nothing is. Anything but a regular file (a folder,
 * `/dev/null`, a pipe) is refused with `LOCAL_GRAPH_NOT_OURS` without being opened.
 */
export function databaseFileExists(path: string): boolean {
  const stats = statIfAny(path, cannotOpen(path));
  if (stats === undefined) {
    return false;
  }
  if (!stats.isFile()) {
    throw notOurs(path, stats.isDirectory() ? 'a folder' : 'not a regular file');
  }
  return true;
}

/**
 * Throws `LOCAL_GRAPH_OPEN_FAILED` unless a database could be created at `path`: its nearest
 * existing folder must be a folder we may write in. Creates nothing.
 */
export function assertCreatable(path: string): void {
  let folder = dirname(path);
  for (;;) {
    const stats = statIfAny(folder, (error) => cannotCreate(path, error));
    if (stats !== undefined) {
      if (!stats.isDirectory()) {
        throw cannotCreate(path, new Error(`${folder} is not a folder`));
      }
      try {
        accessSync(folder, constants.W_OK | constants.X_OK);
      } catch (error) {
        throw cannotCreate(path, error);
      }
      return;
    }
    folder = dirname(folder);
  }
}

/**
 * Creates a new database at `path`, and its missing folders (mode 0700). It is built in a temp
 * file beside it (mode 0600, WAL, schema), then linked into place, never over an existing file:
 * so the path never holds a half-made database (which the next open would take for someone
 * else's empty file), and of two processes creating it at once, both use the one that got there
 * first. Something already at `path` is left as it is. Throws `LOCAL_GRAPH_OPEN_FAILED`.
 */
export function createDatabaseFile(path: string, logger: Logger): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.new`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
    createPrivateFile(temp);
  } catch (error) {
    throw cannotCreate(path, error);
  }
  try {
    const db = new Database(temp, { fileMustExist: true });
    try {
      configure(db, path, logger);
      createSchema(db);
    } finally {
      // Closing checkpoints the WAL into the file: what is linked is complete on its own.
      db.close();
    }
    linkNew(temp, path);
  } catch (error) {
    throw cannotCreate(path, error);
  } finally {
    for (const suffix of ['', '-journal', '-wal', '-shm']) {
      rmSync(`${temp}${suffix}`, { force: true });
    }
  }
}

/**
 * Opens the existing database at `path` (a regular file: see {@link databaseFileExists}) for
 * reading and writing, once it is known to be ours. It is checked first on a connection that
 * writes nothing; then, on the connection returned, `meta` is read again before anything is
 * written (the file may have been replaced in between). Throws `LOCAL_GRAPH_NOT_OURS`,
 * `LOCAL_GRAPH_CORRUPT`, `LOCAL_GRAPH_SCHEMA_TOO_NEW`, `LOCAL_GRAPH_OPEN_FAILED`.
 */
export function openOwnDatabase(path: string, logger: Logger): Database.Database {
  assertOurs(path);
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw toOpenError(error, path);
  }
  try {
    upgradeSchema(db, path);
    configure(db, path, logger);
    return db;
  } catch (error) {
    db.close();
    throw toOpenError(error, path);
  }
}

/**
 * Throws `LOCAL_GRAPH_NOT_OURS` unless the file at `path` is a SQLite database with our `meta`
 * table: its header is read first, then its schema, on a connection that writes nothing.
 */
function assertOurs(path: string): void {
  const header = readHeader(path);
  if (header.length === 0) {
    throw notOurs(path, 'an empty file');
  }
  if (header.length < HEADER_BYTES || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw notOurs(path, 'not a SQLite database');
  }
  let db: Database.Database;
  try {
    db = openForCheck(path, header);
  } catch (error) {
    throw toOpenError(error, path);
  }
  try {
    checkSchema(db, path);
  } catch (error) {
    throw toOpenError(error, path);
  } finally {
    db.close();
  }
}

/** The file's first bytes (up to the header's 100). Non-blocking, so a pipe swapped in after the stat cannot hang us. */
function readHeader(path: string): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK is not defined on Windows, where there are no such pipes.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw cannotOpen(path)(error);
  }
  try {
    if (!fstatSync(fd).isFile()) {
      throw notOurs(path, 'not a regular file');
    }
    const header = Buffer.alloc(HEADER_BYTES);
    return header.subarray(0, readSync(fd, header, 0, HEADER_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The connection that checks a file: read-only, but for a WAL database without a -wal file. A
 * read-only connection to that creates -wal and -shm and, not allowed to write, leaves them
 * behind; a read-write one that only reads writes nothing to the file (there is no WAL to
 * checkpoint) and removes both when it closes. With a -wal there, someone uses the database or
 * crashed with it: a read-write connection might then checkpoint into it when it closes.
 */
function openForCheck(path: string, header: Buffer): Database.Database {
  const wal = header[18] === WAL_FORMAT && header[19] === WAL_FORMAT;
  const readonly = !wal || existsSync(`${path}-wal`);
  return new Database(path, { readonly, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
}

/** Links `temp` at `path`, unless something is there already. */
function linkNew(temp: string, path: string): void {
  try {
    linkSync(temp, path);
    return;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') {
      return;
    }
    if (code === undefined || !NO_HARD_LINKS.has(code)) {
      throw error;
    }
  }
  // Without hard links, a copy: not atomic, but it still never replaces a file.
  try {
    copyFileSync(temp, path, constants.COPYFILE_EXCL);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') {
      return;
    }
    rmSync(path, { force: true });
    throw error;
  }
}

/** Connection settings; the first two only matter (and only work) on a new, empty database. */
function configure(db: Database.Database, path: string, logger: Logger): void {
  // Takes effect only while the file is still empty, so before anything writes it (switching to
  // WAL does); an existing database keeps its page size. See local-graph-schema.ts.
  db.pragma(`page_size = ${PAGE_SIZE}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    // Some filesystems (network shares) cannot do WAL; the store still works, with less concurrency.
    logger.warn({ path, journalMode: mode }, 'local graph database could not switch to WAL');
  }
  // NORMAL in WAL mode: a power loss may drop the last commits, never corrupt the file.
  db.pragma('synchronous = NORMAL');
  // Let checkpoints shrink the WAL back after a large run instead of keeping its peak size.
  db.pragma('journal_size_limit = 67108864');
  db.pragma('cache_size = -16384');
  // Exports sort a whole run: their sorter spills to a temp file, not to memory.
  db.pragma('temp_store = FILE');
}

/** The stats of `path`; undefined when nothing is there (nor can be: a file stands where a folder of the path should). */
function statIfAny(path: string, failure: (error: unknown) => LocalGraphStoreError): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if (errnoCode(error) === 'ENOTDIR') {
      return undefined;
    }
    throw failure(error);
  }
}

export function toOpenError(error: unknown, path: string): LocalGraphStoreError {
  if (error instanceof LocalGraphStoreError) {
    return error;
  }
  const code = sqliteErrorCode(error);
  if (code !== undefined && /^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
    return new LocalGraphStoreError('LOCAL_GRAPH_CORRUPT', `${path} is not a usable SQLite database (${code})`, {
      cause: error,
    });
  }
  return cannotOpen(path)(error);
}

function cannotOpen(path: string): (error: unknown) => LocalGraphStoreError {
  return (error) =>
    new LocalGraphStoreError('LOCAL_GRAPH_OPEN_FAILED', `cannot open the local graph database ${path}${reason(error)}`, {
      cause: error,
    });
}

function cannotCreate(path: string, error: unknown): LocalGraphStoreError {
  if (error instanceof LocalGraphStoreError) {
    return error;
  }
  return new LocalGraphStoreError('LOCAL_GRAPH_OPEN_FAILED', `cannot create the local graph database ${path}${reason(error)}`, {
    cause: error,
  });
}

/** The first line of an underlying error's message, for ours: the CLI prints one line. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message.split('\n')[0] : '';
  return message === '' ? '' : ` (${message})`;
}
