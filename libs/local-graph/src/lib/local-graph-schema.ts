import type Database from 'better-sqlite3';
import { sqliteErrorCode } from './local-graph-lock';
import { LocalGraphStoreError } from './local-graph-store.errors';

/** The schema this build writes and reads. Bump it with a migration in `migrateSchema`. */
export const LOCAL_GRAPH_SCHEMA_VERSION = 3;

/**
 * Version 1.
 *
 * - `meta`: `schema_version`.
 * - `runs`: one row per sync. Counts are JSON objects `{ "<_type>": n }`.
 * - `run_<id>_objects` (see {@link createRunTable}): one table per run that is running or
 *   committed, holding that run's whole graph.
 *
 * Why a table per run, each a full copy: every object a sync writes costs one append to its
 * run's table in the batch's transaction, and nothing more. `finish` builds the table's
 * `(kind, key)` index in one sorted pass and copies nothing but carried-over objects, and
 * dropping a run (pruned, aborted, or abandoned by a crash) is a DROP TABLE, which hands the
 * table's pages to the freelist without any per-row work. The earlier layout
 * shared content-addressed blobs between runs, which kept the file smaller but cost a staging
 * copy, a random-hash index and a join per object at every `finish`, plus orphan sweeps: most of
 * a large sync's time in the store. The price is space: each kept run is a full copy (hence
 * `keepRuns` 2 by default), and the file holds up to `keepRuns + 1` copies while a run is being
 * written (pages of dropped tables are reused, so the file stops growing there).
 *
 * New databases use 16 KiB pages (see `configure` in local-graph-file.ts): rows of about a
 * kilobyte (a user with its `_rawData`) fill them better than 4 KiB ones, and a run is a quarter
 * as many pages to write to the WAL, checkpoint and free (measured on 400k objects: 30% less
 * CPU in SQLite for writes and `finish`, 12% less space).
 */
const SCHEMA_V1 = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE runs (
  id                          INTEGER PRIMARY KEY AUTOINCREMENT,
  status                      TEXT    NOT NULL CHECK (status IN ('running', 'committed', 'aborted')),
  description                 TEXT    NOT NULL,
  started_at                  INTEGER NOT NULL,
  finished_at                 INTEGER,
  partial_types               TEXT    NOT NULL DEFAULT '[]',
  entity_counts               TEXT    NOT NULL DEFAULT '{}',
  relationship_counts         TEXT    NOT NULL DEFAULT '{}',
  written_entity_counts       TEXT    NOT NULL DEFAULT '{}',
  written_relationship_counts TEXT    NOT NULL DEFAULT '{}',
  abort_reason                TEXT
);
CREATE INDEX runs_by_status ON runs (status, id);
`;

/**
 * Version 2: the state of alert rules (docs/alerts.md), kept beside the graph they are evaluated on.
 *
 * - `alert_results`: per query rule, the keys of its latest evaluation's results (what "new
 *   results" are new against).
 * - `alert_evaluations`: one row per evaluation (after a run).
 * - `alert_findings`: every finding, by its stable id, with its delivery state: `pending` until a
 *   webhook took it, `delivered`, `recorded` (its rule has no action), or `dropped` (its rule is
 *   gone). A replica delivering pending findings claims them first (`claimed_by` until
 *   `claimed_until`), so two never send the same finding at once; a claim that lapses (the
 *   process died) is taken again by the next evaluation.
 *
 * An evaluation's results, its row and its findings are written in one transaction, before any
 * delivery: a crash after it re-delivers (at least once), never loses.
 */
const SCHEMA_V2 = `
CREATE TABLE alert_results (
  rule_id      TEXT    PRIMARY KEY,
  run_id       INTEGER NOT NULL,
  keys         TEXT    NOT NULL,
  evaluated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE alert_evaluations (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id       INTEGER NOT NULL,
  evaluated_at INTEGER NOT NULL,
  rules        INTEGER NOT NULL,
  findings     INTEGER NOT NULL
);

CREATE TABLE alert_findings (
  id            TEXT    PRIMARY KEY,
  evaluation_id INTEGER NOT NULL,
  run_id        INTEGER NOT NULL,
  rule_id       TEXT    NOT NULL,
  severity      TEXT    NOT NULL,
  kind          TEXT    NOT NULL,
  object_type   TEXT    NOT NULL,
  object_key    TEXT    NOT NULL,
  finding       TEXT    NOT NULL,
  status        TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'recorded', 'dropped')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  claimed_by    TEXT,
  claimed_until INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  delivered_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX alert_findings_by_status ON alert_findings (status, created_at);
CREATE INDEX alert_findings_by_evaluation ON alert_findings (evaluation_id);
`;

/**
 * Version 3: incremental syncs. Columns added to `runs` (older runs get the defaults: they were
 * all full syncs, without watermarks):
 *
 * - `mode`: `full` (the sync read everything) or `incremental` (a delta run: the previous run's
 *   graph plus the changes the sync read).
 * - `watermarks`: per organization, the RFC 3339 timestamp of the last Directory Insights event
 *   the run processed (JSON object), where the next incremental sync starts reading.
 * - `last_full_at`: when the full sync this run's graph descends from started (epoch ms): its
 *   own `started_at` for a full run, its base's for an incremental one. On the run itself, so it
 *   survives the pruning of that full run.
 * - `entity_properties`: per entity `_type`, the property names its entities hold (the columns of
 *   the per-type views), so a delta run knows its base's without reading every entity.
 *
 * Run tables created from this version on also have the mapping columns (see {@link createRunTable}).
 */
const RUNS_V3_COLUMNS: readonly { name: string; definition: string }[] = [
  { name: 'mode', definition: "TEXT NOT NULL DEFAULT 'full' CHECK (mode IN ('full', 'incremental'))" },
  { name: 'watermarks', definition: "TEXT NOT NULL DEFAULT '{}'" },
  { name: 'last_full_at', definition: 'INTEGER' },
  { name: 'entity_properties', definition: "TEXT NOT NULL DEFAULT '{}'" },
];

/** Adds version 3's columns to `runs` (those it lacks: a database may have been half-faked by a test, or migrated by a newer build and downgraded). */
function addRunsV3Columns(db: Database.Database): void {
  const present = new Set((db.prepare("SELECT name FROM pragma_table_info('runs')").all() as { name: string }[]).map((c) => c.name));
  for (const { name, definition } of RUNS_V3_COLUMNS) {
    if (!present.has(name)) db.exec(`ALTER TABLE runs ADD COLUMN ${name} ${definition}`);
  }
  // A run committed before version 3 was a full sync: its own start is when its full sync was.
  db.exec("UPDATE runs SET last_full_at = started_at WHERE last_full_at IS NULL AND status = 'committed' AND mode = 'full'");
}

/**
 * The name of a run's object table. The id is interpolated into SQL, so it must be what SQLite
 * gave `runs.id`: a positive integer.
 */
export function runTableName(runId: number): string {
  if (!Number.isSafeInteger(runId) || runId <= 0) {
    throw new LocalGraphStoreError('LOCAL_GRAPH_CORRUPT', `invalid run id ${String(runId)}`);
  }
  return `run_${runId}_objects`;
}

/** The run id of a `run_<id>_objects` table name; undefined for any other name. */
export function runIdOfTable(name: string): number | undefined {
  const match = /^run_([1-9][0-9]{0,15})_objects$/.exec(name);
  const id = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * Creates a run's object table, when its session opens. A row is an object of the run: `kind`
 * 'e'ntity or 'r'elationship, its `_key` and `_type`, whether it was carried over from an earlier
 * run (a partial type's, or a delta run's copy of its base) rather than written by this run, and
 * the canonical JSON itself. A rowid table in write order, so a write appends to its last page
 * whatever the key.
 *
 * The mapping columns (version 3) keep what a mapped relationship was, so that a delta run can
 * resolve its Person entities exactly as a full run would without the other users' mappings:
 * `mapped` is 1 on a Person made from mapped relationships (0 on one the caller wrote itself) and
 * on a relationship resolved from a mapped one, which also has `person_key`, `source_key` (the
 * mapping's `sourceEntityKey`) and `person` (the canonical JSON of the Person it would make).
 *
 * No index while a full run is written: a `(kind, key)` index maintained per insert dirties index
 * pages all over the tree whenever keys do not arrive in order (Person entities never do: they
 * are keyed by email and come in user order), and each batch's commit writes every dirtied page
 * to the WAL again, which made writes two to five times slower. So a key written twice simply
 * has two rows until `finish` ({@link indexRunTable}). A delta run builds its indexes once its
 * base is copied ({@link copyBaseRun}): its few writes replace rows by key.
 */
export function createRunTable(db: Database.Database, runId: number): void {
  db.exec(`
    CREATE TABLE ${runTableName(runId)} (
      id      INTEGER PRIMARY KEY,
      kind    TEXT    NOT NULL CHECK (kind IN ('e', 'r')),
      key     TEXT    NOT NULL,
      type    TEXT    NOT NULL,
      carried INTEGER NOT NULL DEFAULT 0 CHECK (carried IN (0, 1)),
      mapped  INTEGER NOT NULL DEFAULT 0 CHECK (mapped IN (0, 1)),
      person_key TEXT,
      source_key TEXT,
      json    TEXT    NOT NULL,
      -- a relationship's ends and its _class in upper case (NULL for entities), for the query engine's joins
      from_key TEXT,
      to_key   TEXT,
      verb     TEXT,
      -- an entity's properties without _rawData, as SQLite's binary JSON (NULL for relationships):
      -- what the query engine's filters and the per-type views read
      props    BLOB,
      person   TEXT
    );
  `);
}

/** The columns a run table of this version has, in the order a copy lists them (`id` aside). */
export const RUN_TABLE_COLUMNS = 'kind, key, type, carried, mapped, person_key, source_key, json, from_key, to_key, verb, props, person';

/**
 * Whether a run's table has the mapping columns (tables created before version 3 do not): only
 * such a run can be the base of a delta run.
 */
export function hasMappingColumns(db: Database.Database, runId: number): boolean {
  return (db.prepare(`SELECT count(*) AS n FROM pragma_table_info(?) WHERE name IN ('mapped', 'person_key', 'source_key', 'person')`).get(runTableName(runId)) as { n: number }).n === 4;
}

/** A taken-over run's pre-images: the rows its successor replaced or removed, and the keys it added (`absent`). */
export const beforeTableName = (runId: number): string => `run_${runId}_before`;

const deltaTriggerNames = (runId: number) => [`run_${runId}_keep_removed`, `run_${runId}_note_added`];

/**
 * A delta run's start, in the caller's transaction (which stays open until the run commits or
 * aborts): the run takes over its base's table, renamed with its indexes (no row is copied), and
 * the base lives on as a view of the same name over that table and `run_<base>_before`, which
 * triggers fill as the run changes the table: the first version of every row it replaces or
 * removes, and a marker (`absent`) for every key it adds. Views of older runs name the base's
 * table, so they now read the base's view: each run reads as it was committed.
 */
export function takeOverBaseRun(db: Database.Database, runId: number, baseRunId: number): void {
  const base = runTableName(baseRunId);
  const table = runTableName(runId);
  const before = beforeTableName(baseRunId);
  const columns = RUN_TABLE_COLUMNS.split(', ');
  // The legacy rename leaves views alone: those of older runs must keep naming the base.
  db.pragma('legacy_alter_table = ON');
  try {
    db.exec(`ALTER TABLE ${base} RENAME TO ${table}`);
  } finally {
    db.pragma('legacy_alter_table = OFF');
  }
  db.exec(`
    CREATE TABLE ${before} (
      id INTEGER, kind TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, carried INTEGER NOT NULL DEFAULT 0,
      mapped INTEGER NOT NULL DEFAULT 0, person_key TEXT, source_key TEXT, json TEXT NOT NULL, from_key TEXT, to_key TEXT,
      verb TEXT, props BLOB, person TEXT, absent INTEGER NOT NULL, PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    CREATE TRIGGER ${deltaTriggerNames(runId)[0]} BEFORE DELETE ON ${table} BEGIN
      INSERT OR IGNORE INTO ${before} (id, ${RUN_TABLE_COLUMNS}, absent) VALUES (OLD.id, ${columns.map((c) => `OLD.${c}`).join(', ')}, 0);
    END;
    CREATE TRIGGER ${deltaTriggerNames(runId)[1]} AFTER INSERT ON ${table} BEGIN
      INSERT OR IGNORE INTO ${before} (kind, key, type, json, absent) VALUES (NEW.kind, NEW.key, NEW.type, '', 1);
    END;
    CREATE VIEW ${base} AS
      SELECT id, ${RUN_TABLE_COLUMNS} FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM ${before} b WHERE b.kind = t.kind AND b.key = t.key)
      UNION ALL SELECT id, ${RUN_TABLE_COLUMNS} FROM ${before} WHERE absent = 0;
  `);
}

/** A delta run's commit: its table stops recording pre-images (in the transaction that commits). */
export function endTakeOver(db: Database.Database, runId: number): void {
  for (const name of deltaTriggerNames(runId)) db.exec(`DROP TRIGGER IF EXISTS ${name}`);
}

/** Whether a run's objects are a view (a run a delta run took over from), rather than a table. */
export function isRunView(db: Database.Database, runId: number): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'view' AND name = ?").get(runTableName(runId)) !== undefined;
}

/**
 * Whether run `to` is the one that took over from run `from` and still holds the table: the
 * changes between the two are then exactly `run_<from>_before`'s rows.
 */
export function tookOverFrom(db: Database.Database, fromRunId: number, toRunId: number): boolean {
  const view = db.prepare<[string], { sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'view' AND name = ?").get(runTableName(fromRunId));
  return view !== undefined && view.sql.includes(` FROM ${runTableName(toRunId)} t `) && !isRunView(db, toRunId);
}

/** The name of a run table's `(kind, type)` index, whichever run built it (a table taken over keeps its indexes' names). */
export function typeIndexOf(db: Database.Database, runId: number): string | undefined {
  return db
    .prepare<[string], { name: string }>("SELECT name FROM pragma_index_list(?) WHERE name GLOB 'run_*_objects_type'")
    .get(runTableName(runId))?.name;
}

/**
 * `finish`'s first step: the unique `(kind, key)` index that `diff`, the carry-over and readers
 * rely on, built in one sorted pass. `removeSuperseded` runs only when the build finds a key
 * written more than once (the later write wins: it deletes the earlier rows), and the build is
 * then retried. Every committed run's table has this index.
 */
export function indexRunTable(db: Database.Database, runId: number, removeSuperseded: () => void): void {
  const table = runTableName(runId);
  const build = `CREATE UNIQUE INDEX ${table}_key ON ${table} (kind, key)`;
  try {
    db.exec(build);
  } catch (error) {
    if (sqliteErrorCode(error) !== 'SQLITE_CONSTRAINT_UNIQUE') {
      throw error;
    }
    // Only the failed statement was undone; the transaction goes on.
    removeSuperseded();
    db.exec(build);
  }
}

/** Drops a run's objects if they exist (an aborted run's may never have been created): its table, or its view and pre-images. */
export function dropRunTable(db: Database.Database, runId: number): void {
  if (isRunView(db, runId)) {
    db.exec(`DROP VIEW ${runTableName(runId)}`);
  } else {
    db.exec(`DROP TABLE IF EXISTS ${runTableName(runId)}`);
  }
  db.exec(`DROP TABLE IF EXISTS ${beforeTableName(runId)}`);
}

/** Creates the schema, in one transaction, in a database that was just created (see local-graph-file.ts). */
export function createSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(SCHEMA_V1);
    db.exec(SCHEMA_V2);
    addRunsV3Columns(db);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(LOCAL_GRAPH_SCHEMA_VERSION));
  }).immediate();
}

/**
 * Checks, reading only, that `db` is a jumpcloud-graph database this build can use, and returns
 * its schema version. Ours means a `meta` table recording `schema_version`: a SQLite database
 * without it is someone else's (`LOCAL_GRAPH_NOT_OURS`). Also throws `LOCAL_GRAPH_CORRUPT` (a
 * version that is no positive integer) and `LOCAL_GRAPH_SCHEMA_TOO_NEW` (a newer build's: reading
 * it could lose data).
 */
export function checkSchema(db: Database.Database, path: string): number {
  const recorded = recordedVersion(db);
  if (recorded === undefined) {
    throw notOurs(path, 'a SQLite database without the jumpcloud-graph meta table');
  }
  const version = Number(recorded);
  if (!Number.isInteger(version) || version < 1) {
    throw new LocalGraphStoreError('LOCAL_GRAPH_CORRUPT', `${path}: meta.schema_version is missing or invalid`);
  }
  if (version > LOCAL_GRAPH_SCHEMA_VERSION) {
    throw new LocalGraphStoreError(
      'LOCAL_GRAPH_SCHEMA_TOO_NEW',
      `${path} has local graph schema version ${version}, but this build reads up to version ${LOCAL_GRAPH_SCHEMA_VERSION}: ` +
        'upgrade jumpcloud-graph, or point --db at another file',
    );
  }
  return version;
}

/** Checks `db` (see {@link checkSchema}) and brings an older schema up to date; writes only to a database that is ours. */
export function upgradeSchema(db: Database.Database, path: string): void {
  if (checkSchema(db, path) < LOCAL_GRAPH_SCHEMA_VERSION) {
    // Checked again inside the write transaction: another process may have migrated meanwhile.
    db.transaction(() => migrateSchema(db, checkSchema(db, path))).immediate();
  }
}

/** `LOCAL_GRAPH_NOT_OURS` for the file at `path`, with why, in one line. */
export function notOurs(path: string, why: string): LocalGraphStoreError {
  return new LocalGraphStoreError('LOCAL_GRAPH_NOT_OURS', `${path} is not a jumpcloud-graph database (${why}); it was left as it is`);
}

/** `meta.schema_version` as stored; undefined when there is no such table, column or row (a database of someone else's). */
function recordedVersion(db: Database.Database): unknown {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  if (!hasMeta) {
    return undefined;
  }
  try {
    return (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: unknown } | undefined)?.value;
  } catch (error) {
    // Some other `meta` table, without our key and value columns.
    if (sqliteErrorCode(error) === 'SQLITE_ERROR') {
      return undefined;
    }
    throw error;
  }
}

/** Brings an older schema up to date, one version at a time, inside the caller's transaction. */
function migrateSchema(db: Database.Database, fromVersion: number): void {
  if (fromVersion < 2) {
    db.exec(SCHEMA_V2);
  }
  if (fromVersion < 3) {
    addRunsV3Columns(db);
  }
  db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(LOCAL_GRAPH_SCHEMA_VERSION));
}

/**
 * The indexes queries need, built when a run commits: entities by `_type` and relationships by
 * each end and `_class` (the `from_key`, `to_key` and `verb` columns every run table of this version has).
 */
export function indexRunTableForQueries(db: Database.Database, runId: number): void {
  const table = runTableName(runId);
  db.exec(`
    CREATE INDEX ${typeIndexName(table)} ON ${table} (kind, type);
    CREATE INDEX ${table}_from ON ${table} (from_key, verb) WHERE from_key IS NOT NULL;
    CREATE INDEX ${table}_to ON ${table} (to_key, verb) WHERE to_key IS NOT NULL;
  `);
}

/** The name of a run table's `(kind, type)` index. */
export const typeIndexName = (table: string): string => `${table}_type`;

/**
 * Whether a run's table has the query columns (`from_key`, `to_key`, `verb` and `props`): tables
 * written by versions before queries existed do not, and are read through their JSON instead.
 */
export function hasQueryColumns(db: Database.Database, runId: number): boolean {
  return (db.prepare(`SELECT count(*) AS n FROM pragma_table_info(?) WHERE name IN ('from_key', 'to_key', 'verb', 'props')`).get(runTableName(runId)) as { n: number }).n === 4;
}

/** SQLite's quoting of an identifier. */
const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The names a per-type view may not take: our tables and the two general views. */
const RESERVED_VIEW_NAMES = new Set(['meta', 'runs', 'entities', 'relationships']);

/**
 * The read model for people who use `sqlite3` directly: views with stable names over the latest
 * committed run, replaced in the transaction that commits a run (docs/query.md lists them):
 * `entities(key, type, class, props)`, `relationships(key, type, class, from_key, to_key, props)`
 * (`props` the canonical JSON without `_rawData`), and one view per entity `_type` with a column
 * per property its entities hold (booleans 0/1, arrays JSON text).
 */
export function replaceReadViews(db: Database.Database, runId: number, propertiesByType: ReadonlyMap<string, ReadonlySet<string>>): void {
  const table = runTableName(runId);
  // every read view, not the views of runs a delta run took over from (their objects)
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'view' AND name NOT GLOB 'run_*_objects'").all() as { name: string }[]) {
    db.exec(`DROP VIEW ${quoteIdentifier(name)}`);
  }
  db.exec(`
    CREATE VIEW entities AS
      SELECT key, type, json_extract(props, '$._class') AS class, json(props) AS props
      FROM ${table} WHERE kind = 'e';
    CREATE VIEW relationships AS
      SELECT key, type, json_extract(json, '$._class') AS class,
        from_key, to_key, json AS props
      FROM ${table} WHERE kind = 'r';
  `);
  for (const [type, properties] of [...propertiesByType].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/^[a-z][a-z0-9_]*$/.test(type) || RESERVED_VIEW_NAMES.has(type) || type.startsWith('run_')) continue;
    const columns = viewColumnNames(properties)
      .sort()
      .map((p) => `json_extract(props, ${quoteLiteral(`$."${p}"`)}) AS ${quoteIdentifier(p)}`);
    db.exec(`CREATE VIEW ${quoteIdentifier(type)} AS SELECT key AS _key, ${['type AS _type', ...columns].join(', ')} FROM ${table} WHERE kind = 'e' AND type = ${quoteLiteral(type)}`);
  }
}

/** The property names that become columns of a per-type view: not `_rawData`, nor `_key` and `_type` (columns already), nor a name with a double quote. */
export function viewColumnNames(properties: Iterable<string>): string[] {
  return [...properties].filter((p) => p !== '_rawData' && p !== '_key' && p !== '_type' && !p.includes('"'));
}

const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;
