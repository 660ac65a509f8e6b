import type Database from 'better-sqlite3';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type Entity,
  type PublishSessionOptions,
  type StatefulGraphPublisher,
  type StoredRun,
  type Logger,
  type Relationship,
  silentLogger,
} from '@jumpcloud-graph/domain';
import { type GraphQueryEngine } from '@jumpcloud-graph/graph-query';
import { assertCreatable, createDatabaseFile, databaseFileExists, openOwnDatabase, toOpenError } from './local-graph-file';
import { LocalGraphLock, PRIVATE_FILE_MODE, sqliteErrorCode } from './local-graph-lock';
import { createRunTable, dropRunTable, hasMappingColumns, hasQueryColumns, runIdOfTable, runTableName, takeOverBaseRun, tookOverFrom, typeIndexOf } from './local-graph-schema';
import { LocalGraphAlertState } from './local-graph-alerts';
import { chooseStart, type GraphShape, layoutOf, readGraphShape, runPlan } from './local-graph-query';
import { LocalGraphSession } from './local-graph-session';
import { propertyChanges } from './local-graph-property-changes';
import {
  type DiffRow,
  type ExportRow,
  type LocalGraphStatements,
  type RunRow,
  prepareDiffRows,
  prepareTakeOverDiffRows,
  prepareExportRows,
  prepareStatements,
  toRunInfo,
} from './local-graph-statements';
import { LocalGraphStoreError } from './local-graph-store.errors';
import {
  type ExportedGraph,
  type GraphDiff,
  type J1IntegrationExportResult,
  type LocalGraphSessionOptions,
  type LocalGraphStoreOptions,
  type RunInfo,
  type TypeChanges,
  type UpdatedDetail,
} from './local-graph-types';

/** Each kept run is a full copy of the graph; `diff` needs two. */
const DEFAULT_KEEP_RUNS = 2;
/** How long `openSession` waits for another session's lock before reporting LOCAL_GRAPH_BUSY. */
const SESSION_LOCK_WAIT_MS = 500;
/** The JupiterOne SDK's limit of objects per graph file. */
const J1_OBJECTS_PER_FILE = 500;
/** `graphJsonChunks` yields text in pieces of about this many characters. */
const JSON_CHUNK_CHARS = 1 << 16;

/**
 * The local graph database: a `GraphPublisher` that keeps each sync as a run in a SQLite file
 * (better-sqlite3), with JupiterOne's DIFF semantics (partial types keep their previous objects),
 * plus what the `export` and `diff` commands read. One run at a time per database, across
 * processes; readers (`exportGraph`, `diff`, `listRuns`) work while a run is being written and
 * see only committed runs, each read from one snapshot of the database.
 *
 * Synchronous underneath (better-sqlite3 is); the session's methods return promises because the
 * port does. Use one store per database file per process, and `close` it when done.
 */
export class LocalGraphStore implements StatefulGraphPublisher {
  /** Undefined only while a store opened with `create: 'on-first-session'` has no file yet. */
  private connection: Connection | undefined;
  private activeSession: LocalGraphSession | undefined;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly logger: Logger,
    private readonly keepRuns: number,
  ) {}

  /**
   * Opens the database at `path`. An existing file must be a jumpcloud-graph database: it is
   * checked, reading only, before anything writes to it, and its mode is left alone. A missing one
   * is created now (mode 0600, with its missing folders, mode 0700), at the first session, or
   * never, as `options.create` says. Runs left 'running' by a process that died are marked
   * 'aborted' and their tables dropped. Throws `LocalGraphStoreError` (`LOCAL_GRAPH_NOT_OURS`,
   * `LOCAL_GRAPH_NOT_FOUND`, `LOCAL_GRAPH_OPEN_FAILED`, `LOCAL_GRAPH_CORRUPT`,
   * `LOCAL_GRAPH_SCHEMA_TOO_NEW`, `LOCAL_GRAPH_INVALID_OPTIONS`).
   */
  static open(path: string, options: LocalGraphStoreOptions = {}): LocalGraphStore {
    const keepRuns = options.keepRuns ?? DEFAULT_KEEP_RUNS;
    if (!Number.isInteger(keepRuns) || keepRuns < 2) {
      throw new LocalGraphStoreError(
        'LOCAL_GRAPH_INVALID_OPTIONS',
        `keepRuns must be an integer of at least 2 (diff compares two runs), got ${String(keepRuns)}`,
      );
    }
    const create = options.create ?? true;
    if (create !== true && create !== false && create !== 'on-first-session') {
      throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', `create must be true, false or 'on-first-session', got ${String(create)}`);
    }
    const store = new LocalGraphStore(resolve(path), options.logger ?? silentLogger, keepRuns);
    if (databaseFileExists(store.path)) {
      store.attach();
    } else if (create === true) {
      store.createFile();
    } else if (create === false) {
      throw new LocalGraphStoreError('LOCAL_GRAPH_NOT_FOUND', `the local graph database ${store.path} does not exist`);
    } else {
      // Fail now, before the caller reads anything, if the file could never be created.
      assertCreatable(store.path);
    }
    return store;
  }

  /**
   * Begins a run (creating the database first if the store was opened with `create:
   * 'on-first-session'`): a full run, or with `startFrom: 'latest'` a delta run whose graph starts
   * as the latest committed run's (its rows copied in SQL and indexed here, before this returns;
   * `LOCAL_GRAPH_NO_BASE` when there is no such run, or it was written before schema version 3).
   * Throws `LOCAL_GRAPH_BUSY` while another session (of this store, another store on the same
   * file, or another process) is open on this database.
   */
  async openSession(options: LocalGraphSessionOptions): Promise<LocalGraphSession> {
    this.assertOpen();
    const startFrom = options.startFrom ?? 'empty';
    if (startFrom !== 'empty' && startFrom !== 'latest') {
      throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', `startFrom must be 'empty' or 'latest', got ${String(startFrom)}`);
    }
    if (this.activeSession !== undefined) {
      throw this.busy();
    }
    const { db, statements } = this.database() ?? this.createFile();
    const lock = LocalGraphLock.tryAcquire(lockPathOf(this.path), SESSION_LOCK_WAIT_MS);
    if (lock === undefined) {
      throw this.busy();
    }
    let runId: number;
    let abandoned: number[];
    let base: RunRow | undefined;
    let session: LocalGraphSession;
    const startedAt = Date.now();
    const context = (from: RunRow | undefined) => ({
      db,
      statements,
      lock,
      logger: this.logger,
      keepRuns: this.keepRuns,
      path: this.path,
      base: from,
      onEnd: () => {
        this.activeSession = undefined;
      },
    });
    try {
      if (startFrom === 'latest') {
        // A delta run is one transaction, from here to its commit or abort: it takes over its
        // base's table (renamed, no row copied), and a rollback gives it back as it was. Readers
        // see the base until the run commits.
        db.exec('BEGIN IMMEDIATE');
        try {
          abandoned = discardAbandonedRuns(db, statements);
          base = this.deltaBase(db, statements);
          runId = Number(statements.insertRun.run(options.description, startedAt, 'incremental').lastInsertRowid);
          takeOverBaseRun(db, runId, base.id);
          session = new LocalGraphSession(runId, context(base));
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      } else {
        ({ runId, abandoned } = db
          .transaction(() => {
            // We hold the lock, so any run still 'running' has lost its process (or is this
            // connection's, whose end failed half-way).
            const stale = discardAbandonedRuns(db, statements);
            const inserted = statements.insertRun.run(options.description, Date.now(), 'full');
            const id = Number(inserted.lastInsertRowid);
            createRunTable(db, id);
            return { runId: id, abandoned: stale };
          })
          .immediate());
        session = new LocalGraphSession(runId, context(undefined));
      }
    } catch (error) {
      // A run row left 'running' (if the session could not be set up) is discarded by the next open or session.
      lock.release();
      if (error instanceof LocalGraphStoreError) throw error;
      throw new LocalGraphStoreError('LOCAL_GRAPH_WRITE_FAILED', `cannot start a run in ${this.path}`, { cause: error });
    }
    logAbandoned(this.logger, abandoned);
    this.activeSession = session;
    this.logger.info(
      {
        localRunId: runId,
        description: options.description,
        ...(base === undefined ? {} : { baseRunId: base.id, takeOverMs: Date.now() - startedAt }),
      },
      'local graph run started',
    );
    return session;
  }

  /** Every run still on record (committed, aborted, running), newest first. */
  listRuns(): RunInfo[] {
    return this.database()?.statements.allRuns.all().map(toRunInfo) ?? [];
  }

  /** The newest committed run; undefined before the first sync finished. */
  latestRun(): RunInfo | undefined {
    const row = this.database()?.statements.latestCommitted.get();
    return row === undefined ? undefined : toRunInfo(row);
  }

  /**
   * A `GraphQueryEngine` over the latest committed run, read in one snapshot per query (a sync
   * committing meanwhile is seen by the next query, never half-way). Plans compile to SQL over the
   * run's table; `execute` rejects with `LOCAL_GRAPH_NOT_FOUND` while no run is committed.
   */
  queryEngine(): GraphQueryEngine {
    // a committed run never changes, so its shape (what the join order is chosen from) is read once
    const shapes = new Map<number, GraphShape>();
    return {
      execute: async (plan, options = {}) =>
        this.readSnapshot(({ db, statements }) => {
          const run = this.committedRun(statements, undefined);
          const layout = layoutOf(runTableName(run.id), hasQueryColumns(db, run.id), typeIndexOf(db, run.id));
          let shape = shapes.get(run.id);
          if (shape === undefined) {
            const { entities, relationships } = toRunInfo(run);
            shape = readGraphShape(db, layout, entities, relationships);
            shapes.set(run.id, shape);
          }
          return runPlan(db, layout, plan, options.maxRows, chooseStart(plan, shape));
        }, () => this.noRun(undefined)),
    };
  }

  /**
   * The alert rules' state in this database (what each query rule found last, every finding and
   * its delivery status). Throws `LOCAL_GRAPH_NOT_FOUND` while the database does not exist.
   */
  alertState(): LocalGraphAlertState {
    return new LocalGraphAlertState(() => {
      const connection = this.database();
      if (connection === undefined) throw new LocalGraphStoreError('LOCAL_GRAPH_NOT_FOUND', `the local graph database ${this.path} does not exist`);
      return connection.db;
    });
  }

  /** The latest committed run as the sync core sees it (`StatefulGraphPublisher`); undefined before the first. */
  async latestStoredRun(): Promise<StoredRun | undefined> {
    const runs = this.listRuns();
    const latest = runs.find((run) => run.status === 'committed');
    const stored = toStoredRun(latest);
    if (stored === undefined || latest === undefined) return stored;
    // newest first: an incremental run aborted since the latest commit
    const failed = runs.find((run) => run.id > latest.id && run.status === 'aborted' && run.mode === 'incremental');
    return failed === undefined ? stored : { ...stored, failedIncremental: { startedAt: failed.startedAt, reason: failed.abortReason ?? 'aborted' } };
  }

  /** A delta run from the latest committed run: `openSession` with `startFrom: 'latest'`. */
  openDeltaSession(options: PublishSessionOptions): Promise<LocalGraphSession> {
    return this.openSession({ ...options, startFrom: 'latest' });
  }

  /**
   * The entities of `type` in the latest committed run, each with only the named top-level
   * properties it has (one that has none of them is left out), read in SQL from the run's
   * properties column; empty before the first run.
   */
  async latestEntityProperties(type: string, properties: readonly string[]): Promise<Array<{ key: string; properties: Record<string, unknown> }>> {
    const names = [...new Set(properties)];
    if (names.length === 0 || this.database() === undefined) return [];
    const paths = names.map((name) => `$.${JSON.stringify(name)}`);
    return this.readSnapshot(
      ({ db, statements }) => {
        const latest = statements.latestCommitted.get();
        if (latest === undefined) return [];
        const table = runTableName(latest.id);
        // Tables from before the properties column have the JSON only.
        const source = hasQueryColumns(db, latest.id) ? 'props' : 'json';
        const columns = paths.map((_, i) => `json_extract(${source}, @p${i}) AS v${i}, json_type(${source}, @p${i}) AS t${i}`).join(', ');
        const bound = Object.fromEntries(paths.map((path, i) => [`p${i}`, path]));
        const rows = db.prepare(`SELECT key, ${columns} FROM ${table} WHERE kind = 'e' AND type = @type ORDER BY key`).all({ ...bound, type }) as Record<string, unknown>[];
        const found: Array<{ key: string; properties: Record<string, unknown> }> = [];
        for (const row of rows) {
          const values: Record<string, unknown> = {};
          names.forEach((name, i) => {
            const kind = row[`t${i}`];
            if (kind === null || kind === undefined) return;
            const value = row[`v${i}`];
            values[name] = kind === 'array' || kind === 'object' ? JSON.parse(value as string) : kind === 'true' ? true : kind === 'false' ? false : value;
          });
          if (Object.keys(values).length > 0) found.push({ key: row['key'] as string, properties: values });
        }
        return found;
      },
      () => this.noRun(undefined),
    );
  }

  /**
   * The objects of a committed run with these keys (entities, or relationships with `kind` 'r'),
   * as stored, `_rawData` included; keys the run does not hold are left out. Throws
   * `LOCAL_GRAPH_NOT_FOUND` when the run is not a committed one.
   */
  readObjects(runId: number, kind: 'e' | 'r', keys: string[]): (Entity | Relationship)[] {
    return this.readSnapshot(({ db, statements }) => {
      const run = this.committedRun(statements, runId);
      if (keys.length === 0) return [];
      return (
        db.prepare(`SELECT json FROM ${runTableName(run.id)} WHERE kind = ? AND key IN (SELECT value FROM json_each(?)) ORDER BY key`).all(kind, JSON.stringify(keys)) as { json: string }[]
      ).map((row) => JSON.parse(row.json) as Entity | Relationship);
    }, () => this.noRun(runId));
  }

  /**
   * Every object of a committed run (the latest by default), ordered by `_type` then `_key`:
   * entities with their properties and `_rawData` (the local Person entities included), and plain
   * relationships with `_fromEntityKey`/`_toEntityKey`. Holds one parsed copy of the graph; for a
   * very large graph prefer `graphJsonChunks`. Throws `LOCAL_GRAPH_NOT_FOUND`.
   */
  exportGraph(runId?: number): ExportedGraph {
    return this.readSnapshot(({ db, statements }) => {
      const run = this.committedRun(statements, runId);
      const entities: Entity[] = [];
      const relationships: Relationship[] = [];
      for (const row of prepareExportRows(db, run.id).iterate()) {
        // Stored by a session from a validated Entity or Relationship, so the parse yields one.
        if (row.kind === 'e') {
          entities.push(JSON.parse(row.json) as Entity);
        } else {
          relationships.push(JSON.parse(row.json) as Relationship);
        }
      }
      return { entities, relationships };
    }, () => this.noRun(runId));
  }

  /**
   * The `exportGraph` document (`{"entities":[...],"relationships":[...]}`) as text pieces,
   * copied from the database without parsing, so an export of any size streams in constant
   * memory (e.g. `Readable.from(store.graphJsonChunks()).pipe(process.stdout)`). The run is
   * resolved at once (throws `LOCAL_GRAPH_NOT_FOUND`); the database connection stays busy until
   * the iteration ends, so do not use this store for anything else meanwhile.
   */
  graphJsonChunks(runId?: number): Iterable<string> {
    const { run, rows } = this.readSnapshot(({ db, statements }) => {
      const committed = this.committedRun(statements, runId);
      return { run: committed, rows: prepareExportRows(db, committed.id) };
    }, () => this.noRun(runId));
    return this.generateGraphJson(run.id, rows);
  }

  /**
   * Every object of a committed run (the latest by default), parsed one at a time in
   * `exportGraph`'s order: a large graph streamed without holding it. The rows are read in one
   * snapshot; until the iteration ends, do not use this store for anything else. Throws
   * `LOCAL_GRAPH_NOT_FOUND`.
   */
  *objects(runId?: number): Generator<Entity | Relationship> {
    const rows = this.readSnapshot(({ db, statements }) => prepareExportRows(db, this.committedRun(statements, runId).id), () => this.noRun(runId));
    for (const row of rows.iterate()) {
      yield JSON.parse(row.json) as Entity | Relationship;
    }
  }

  /**
   * Writes a committed run (the latest by default) in the JupiterOne SDK's layout:
   * `<dir>/.j1-integration/graph/<_type>/entities/<n>.json` holding `{"entities":[...]}` and
   * `.../<_type>/relationships/<n>.json` holding `{"relationships":[...]}`, at most 500 objects a
   * file, `n` counting from 1 in `_key` order, so the same run always gives the same files.
   * Replaces `<dir>/.j1-integration/graph` (stale files of an earlier export would otherwise mix
   * in); files are mode 0600 like the database. Throws `LOCAL_GRAPH_NOT_FOUND`.
   */
  exportJ1Integration(dir: string, runId?: number): J1IntegrationExportResult {
    return this.readSnapshot(({ db, statements }) => {
      const run = this.committedRun(statements, runId);
      const graphDir = join(resolve(dir), '.j1-integration', 'graph');
      rmSync(graphDir, { recursive: true, force: true });
      mkdirSync(graphDir, { recursive: true, mode: 0o700 });
      const result: J1IntegrationExportResult = { files: 0, entities: 0, relationships: 0 };
      let kind: ExportRow['kind'] | undefined;
      let type: string | undefined;
      let buffer: string[] = [];
      let fileNumber = 0;
      const flush = (): void => {
        if (kind === undefined || type === undefined || buffer.length === 0) {
          return;
        }
        const member = kind === 'e' ? 'entities' : 'relationships';
        fileNumber += 1;
        const folder = join(graphDir, typeDirectoryName(type), member);
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        writeFileSync(join(folder, `${fileNumber}.json`), `{"${member}":[${buffer.join(',')}]}`, { mode: PRIVATE_FILE_MODE });
        result.files += 1;
        result[member] += buffer.length;
        buffer = [];
      };
      for (const row of prepareExportRows(db, run.id).iterate()) {
        if (row.kind !== kind || row.type !== type) {
          flush();
          kind = row.kind;
          type = row.type;
          fileNumber = 0;
        }
        buffer.push(row.json);
        if (buffer.length === J1_OBJECTS_PER_FILE) {
          flush();
        }
      }
      flush();
      return result;
    }, () => this.noRun(runId));
  }

  /**
   * What changed between two committed runs, by `_type`: created (key only in `to`), deleted
   * (only in `from`), updated (in both, stored object differs), and for each updated key the
   * properties that changed (`updatedDetails`, see {@link propertyChanges}; only updated objects
   * are parsed). By default the last two committed runs; with only `fromRunId`, up to the latest;
   * with only `toRunId`, from the run before it.
   * Throws `LOCAL_GRAPH_NO_DIFF` when there is no earlier run to compare with, and
   * `LOCAL_GRAPH_NOT_FOUND` for a run that does not exist or is not committed.
   */
  diff(fromRunId?: number, toRunId?: number): GraphDiff {
    const askedFor = toRunId ?? fromRunId;
    const result = this.readSnapshot(({ db, statements }) => {
      const to = toRunId === undefined ? statements.latestCommitted.get() : this.committedRun(statements, toRunId);
      if (to === undefined) {
        throw noDiff(this.path);
      }
      const from = fromRunId === undefined ? statements.committedBefore.get(to.id) : this.committedRun(statements, fromRunId);
      if (from === undefined) {
        throw noDiff(this.path);
      }
      const changed: GraphDiff = { from: from.id, to: to.id, entities: {}, relationships: {} };
      const rows = tookOverFrom(db, from.id, to.id) ? prepareTakeOverDiffRows(db, from.id, to.id) : prepareDiffRows(db, from.id, to.id);
      for (const row of rows.iterate()) {
        const byType = row.kind === 'e' ? changed.entities : changed.relationships;
        const changes: TypeChanges = (byType[row.type] ??= { created: [], updated: [], deleted: [], updatedDetails: [] });
        changes[row.change].push(row.key);
        if (row.change === 'updated') {
          changes.updatedDetails.push(updatedDetail(row));
        }
      }
      return changed;
    }, () => (askedFor === undefined ? noDiff(this.path) : this.noRun(askedFor)));
    for (const byType of [result.entities, result.relationships]) {
      for (const changes of Object.values(byType)) {
        changes.created.sort();
        changes.updated.sort();
        changes.deleted.sort();
        // The order of `updated` (UTF-16 code units, as sort() compares strings); keys are unique per kind.
        changes.updatedDetails.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      }
    }
    result.entities = sortedByKey(result.entities);
    result.relationships = sortedByKey(result.relationships);
    return result;
  }

  /**
   * Closes the database. A session still open is aborted first (its run must not linger as
   * 'running'). Idempotent; any later call throws `LOCAL_GRAPH_CLOSED`.
   */
  close(): void {
    if (this.closed) {
      return;
    }
    try {
      this.activeSession?.abortNow('the local graph store was closed before the run finished');
    } finally {
      this.closed = true;
      this.connection?.db.close();
    }
  }

  /**
   * One statement, hence one read transaction for the whole iteration: a run pruned meanwhile by
   * another connection stays readable until the end. Only a prune between `graphJsonChunks` and
   * the first chunk can make the table vanish: that reads as LOCAL_GRAPH_NOT_FOUND.
   */
  private *generateGraphJson(runId: number, rows: Database.Statement<[], ExportRow>): Generator<string> {
    let chunk = '{"entities":[';
    let kind: ExportRow['kind'] = 'e';
    let first = true;
    try {
      for (const row of rows.iterate()) {
        if (row.kind !== kind) {
          kind = row.kind;
          chunk += '],"relationships":[';
          first = true;
        }
        chunk += first ? row.json : `,${row.json}`;
        first = false;
        if (chunk.length >= JSON_CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
    } catch (error) {
      throw isNoSuchTable(error)
        ? new LocalGraphStoreError('LOCAL_GRAPH_NOT_FOUND', `run ${runId} was pruned from ${this.path} while it was being exported`, {
            cause: error,
          })
        : error;
    }
    yield kind === 'e' ? `${chunk}],"relationships":[]}` : `${chunk}]}`;
  }

  /**
   * Runs `read` in one read transaction: the runs it resolves and the tables it reads are one
   * snapshot. Without a database file yet, there is no run to read: `whenNone` says what that means.
   */
  private readSnapshot<T>(read: (connection: Connection) => T, whenNone: () => LocalGraphStoreError): T {
    const connection = this.database();
    if (connection === undefined) {
      throw whenNone();
    }
    return connection.db.transaction(() => read(connection)).deferred();
  }

  /**
   * The open database. Undefined while a store opened with `create: 'on-first-session'` has no
   * file yet; one created since (by another process) is opened then.
   */
  private database(): Connection | undefined {
    this.assertOpen();
    if (this.connection === undefined && databaseFileExists(this.path)) {
      this.attach();
    }
    return this.connection;
  }

  /** Creates the database file (unless another process just did) and opens it. */
  private createFile(): Connection {
    createDatabaseFile(this.path, this.logger);
    return this.attach();
  }

  /** Opens the existing file, once it is known to be ours, and discards abandoned runs. */
  private attach(): Connection {
    const db = openOwnDatabase(this.path, this.logger);
    try {
      const connection = { db, statements: prepareStatements(db) };
      this.abortAbandonedRuns(connection);
      this.connection = connection;
      return connection;
    } catch (error) {
      db.close();
      throw toOpenError(error, this.path);
    }
  }

  /**
   * At open: if no session holds the lock, any 'running' run belongs to a process that died:
   * mark it aborted and drop what it wrote.
   */
  private abortAbandonedRuns({ db, statements }: Connection): void {
    const lock = LocalGraphLock.tryAcquire(lockPathOf(this.path), 0);
    if (lock === undefined) {
      this.logger.debug({ path: this.path }, 'a local graph run is in progress elsewhere');
      return;
    }
    let abandoned: number[];
    try {
      abandoned = db.transaction(() => discardAbandonedRuns(db, statements)).immediate();
    } finally {
      lock.release();
    }
    logAbandoned(this.logger, abandoned);
  }

  /** The latest committed run, which a delta run starts from; `LOCAL_GRAPH_NO_BASE` if there is none it can start from. */
  private deltaBase(db: Database.Database, statements: LocalGraphStatements): RunRow {
    const latest = statements.latestCommitted.get();
    if (latest === undefined) {
      throw new LocalGraphStoreError('LOCAL_GRAPH_NO_BASE', `a delta run starts from the latest committed run, and ${this.path} has none: run a full sync first`);
    }
    if (!hasMappingColumns(db, latest.id)) {
      throw new LocalGraphStoreError(
        'LOCAL_GRAPH_NO_BASE',
        `run ${latest.id} in ${this.path} was written before schema version 3, without what a delta run needs: run a full sync first`,
      );
    }
    return latest;
  }

  private committedRun(statements: LocalGraphStatements, runId: number | undefined): RunRow {
    const row = runId === undefined ? statements.latestCommitted.get() : statements.runById.get(runId);
    if (row === undefined || row.status !== 'committed') {
      throw this.noRun(runId, row);
    }
    return row;
  }

  /** `LOCAL_GRAPH_NOT_FOUND` for a run (the latest when `runId` is undefined) that is not there or not committed. */
  private noRun(runId: number | undefined, row?: RunRow): LocalGraphStoreError {
    return new LocalGraphStoreError(
      'LOCAL_GRAPH_NOT_FOUND',
      runId === undefined
        ? `no committed run in ${this.path}: run a sync first`
        : `run ${runId} is not a committed run in ${this.path} (${row === undefined ? 'no such run, or pruned' : row.status})`,
    );
  }

  private busy(): LocalGraphStoreError {
    return new LocalGraphStoreError(
      'LOCAL_GRAPH_BUSY',
      `another sync is writing to ${this.path}; one run at a time per database`,
    );
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new LocalGraphStoreError('LOCAL_GRAPH_CLOSED', `the local graph store ${this.path} is closed`);
    }
  }
}

/** An open database file and its prepared statements. */
interface Connection {
  db: Database.Database;
  statements: LocalGraphStatements;
}

const ABANDONED_REASON = 'abandoned: the process running it ended before finish or abort';

/**
 * Only while holding the lock, so no run is being written: marks runs still 'running' aborted,
 * and drops every run table whose run is not committed (an abandoned run's, or one whose abort
 * failed half-way). Returns the ids of the runs marked aborted.
 */
function discardAbandonedRuns(db: Database.Database, statements: LocalGraphStatements): number[] {
  const abandoned = statements.abortRunning.all(Date.now(), ABANDONED_REASON).map((row) => row.id);
  for (const { name } of statements.runTables.all()) {
    const id = runIdOfTable(name);
    if (id !== undefined && statements.runById.get(id)?.status !== 'committed') {
      dropRunTable(db, id);
    }
  }
  return abandoned;
}


function logAbandoned(logger: Logger, runIds: readonly number[]): void {
  for (const id of runIds) {
    logger.warn({ localRunId: id }, 'local graph run abandoned by a process that ended; marked aborted');
  }
}

/** SQLite's error for a statement whose table was dropped (by another connection) since it was prepared. */
function isNoSuchTable(error: unknown): boolean {
  // By shape, like sqliteErrorCode: the error may come from another realm's Error.
  const message = (error as { message?: unknown } | null)?.message;
  return sqliteErrorCode(error) === 'SQLITE_ERROR' && typeof message === 'string' && message.startsWith('no such table');
}

function lockPathOf(databasePath: string): string {
  return `${databasePath}.lock`;
}

function noDiff(path: string): LocalGraphStoreError {
  return new LocalGraphStoreError('LOCAL_GRAPH_NO_DIFF', `diff needs two committed runs in ${path}; there are fewer`);
}

/** The property changes of one updated diff row, which brings both versions' canonical JSON. */
function updatedDetail(row: DiffRow): UpdatedDetail {
  if (row.before === null || row.after === null) {
    throw new Error(`diff row of ${row.key} is updated but lacks a version`);
  }
  return { key: row.key, changes: propertyChanges(JSON.parse(row.before) as Record<string, unknown>, JSON.parse(row.after) as Record<string, unknown>) };
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * `_type` names are plain identifiers (`jumpcloud_user`); anything else is percent-encoded so a
 * type can never name a path outside the export directory.
 */
function typeDirectoryName(type: string): string {
  return /^[A-Za-z0-9_-]+$/.test(type) ? type : encodeURIComponent(type).replace(/\./g, '%2E');
}

/** A run as the sync core's port reports it. */
function toStoredRun(run: RunInfo | undefined): StoredRun | undefined {
  if (run === undefined) return undefined;
  return { runId: String(run.id), mode: run.mode, startedAt: run.startedAt, watermarks: run.watermarks, lastFullSyncAt: run.lastFullSyncAt };
}
