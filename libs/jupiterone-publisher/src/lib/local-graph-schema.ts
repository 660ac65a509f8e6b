import type Database from 'better-sqlite3';
import { LocalGraphStoreError } from './local-graph-store.errors';

/** The schema this build writes and reads. Bump it with a migration in `migrateSchema`. */
export const LOCAL_GRAPH_SCHEMA_VERSION = 1;

/**
 * Version 1.
 *
 * - `runs`: one row per sync. Counts are JSON objects `{ "<_type>": n }`.
 * - `blobs`: canonical JSON of graph objects, content-addressed by SHA-256. Consecutive runs are
 *   mostly identical, so they share blobs: keeping five runs costs little more than one, and
 *   carrying partial types over copies references, not documents.
 * - `objects`: which objects (`kind` 'e'ntity / 'r'elationship, `_key`) a committed run holds, their
 *   `_type`, their blob, and whether they were carried over from the previous run. WITHOUT ROWID
 *   because rows are small and always reached by (run, kind, key). `blob_id` has no index (nor,
 *   therefore, a foreign key): one would cost a third of each run's size and most of `finish`'s
 *   index work, and only the sweep of unreferenced blobs needs it, which one NOT IN does as well.
 *
 * A running run's writes go to the connection's TEMP table `staged` (see STAGING_SCHEMA) and reach
 * `objects` in `finish`'s single transaction.
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

CREATE TABLE blobs (
  id   INTEGER PRIMARY KEY,
  hash BLOB NOT NULL UNIQUE,
  json TEXT NOT NULL
);

CREATE TABLE objects (
  run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind    TEXT    NOT NULL CHECK (kind IN ('e', 'r')),
  key     TEXT    NOT NULL,
  type    TEXT    NOT NULL,
  blob_id INTEGER NOT NULL,
  carried INTEGER NOT NULL DEFAULT 0 CHECK (carried IN (0, 1)),
  PRIMARY KEY (run_id, kind, key)
) WITHOUT ROWID;
CREATE INDEX objects_by_type ON objects (run_id, kind, type, key);
`;

/**
 * Where a session's batches land until `finish`: a TEMP table, private to the connection and kept
 * in a temporary file. Appending to it costs one sequential write per object, while inserting
 * straight into `objects`/`blobs` dirtied hundreds of scattered index pages per batch (SHA-256
 * keys are random), each rewritten to the WAL at every batch commit: ten times slower. And a run
 * that dies simply loses its staging, which is what an aborted run must leave behind anyway.
 * `seq` is the write order, so the later write of a key wins.
 */
const STAGING_SCHEMA = `
CREATE TEMP TABLE IF NOT EXISTS staged (
  seq  INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  key  TEXT NOT NULL,
  type TEXT NOT NULL,
  hash BLOB NOT NULL,
  json TEXT NOT NULL
);
`;

/**
 * Creates the schema in an empty database, or checks the version of an existing one, then
 * creates this connection's staging table. Refuses a database from a newer build (reading it
 * could lose data) and a SQLite file that is not ours.
 */
export function ensureSchema(db: Database.Database, path: string): void {
  db.transaction(() => {
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get() !== undefined;
    if (hasMeta) {
      checkVersion(db, path);
      return;
    }
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
    if (tables.n > 0) {
      throw new LocalGraphStoreError(
        'LOCAL_GRAPH_CORRUPT',
        `${path} is a SQLite database but not a jumpcloud-graph local graph (no meta table); refusing to touch it`,
      );
    }
    db.exec(SCHEMA_V1);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(LOCAL_GRAPH_SCHEMA_VERSION));
  }).immediate();
  db.exec(STAGING_SCHEMA);
}

function checkVersion(db: Database.Database, path: string): void {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  const version = row === undefined ? Number.NaN : Number(row.value);
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
  migrateSchema(db, version);
}

/** Brings an older schema up to date. Version 1 is the first, so there is nothing to do yet. */
function migrateSchema(_db: Database.Database, _fromVersion: number): void {
  return;
}
