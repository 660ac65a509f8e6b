import type Database from 'better-sqlite3';
import { runTableName } from './local-graph-schema';

/** 'e' for entities, 'r' for relationships: the `kind` column of the run tables. */
export type ObjectKind = 'e' | 'r';

/** A `runs` row as SQLite returns it. */
export interface RunRow {
  id: number;
  status: 'running' | 'committed' | 'aborted';
  description: string;
  started_at: number;
  finished_at: number | null;
  partial_types: string;
  entity_counts: string;
  relationship_counts: string;
  written_entity_counts: string;
  written_relationship_counts: string;
  abort_reason: string | null;
}

interface CommitParams {
  id: number;
  finishedAt: number;
  partialTypes: string;
  entities: string;
  relationships: string;
  writtenEntities: string;
  writtenRelationships: string;
}

export interface CountRow {
  kind: ObjectKind;
  type: string;
  n: number;
}

/** What a deleted row was, for the counts. */
export interface KindAndType {
  kind: ObjectKind;
  type: string;
}

export interface ExportRow {
  kind: ObjectKind;
  type: string;
  json: string;
}

export interface DiffRow {
  change: 'created' | 'updated' | 'deleted';
  kind: ObjectKind;
  type: string;
  key: string;
  /** The canonical JSON in `from` and in `to`, for an updated row only (null otherwise). */
  before: string | null;
  after: string | null;
}

/** The statements on `runs` (and the schema) that the store and its sessions run, prepared once per open database. */
export interface LocalGraphStatements {
  insertRun: Database.Statement<[string, number]>;
  runById: Database.Statement<[number], RunRow>;
  allRuns: Database.Statement<[], RunRow>;
  latestCommitted: Database.Statement<[], RunRow>;
  committedBefore: Database.Statement<[number], RunRow>;
  abortRunning: Database.Statement<[number, string], { id: number }>;
  abortRun: Database.Statement<[number, string, number]>;
  commitRun: Database.Statement<[CommitParams]>;
  committedBeyond: Database.Statement<[number], { id: number }>;
  deleteRun: Database.Statement<[number]>;
  deleteAbortedRunsBefore: Database.Statement<[number]>;
  runTables: Database.Statement<[], { name: string }>;
}

export function prepareStatements(db: Database.Database): LocalGraphStatements {
  return {
    insertRun: db.prepare<[string, number]>("INSERT INTO runs (status, description, started_at) VALUES ('running', ?, ?)"),
    runById: db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id = ?'),
    allRuns: db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY id DESC'),
    latestCommitted: db.prepare<[], RunRow>("SELECT * FROM runs WHERE status = 'committed' ORDER BY id DESC LIMIT 1"),
    committedBefore: db.prepare<[number], RunRow>("SELECT * FROM runs WHERE status = 'committed' AND id < ? ORDER BY id DESC LIMIT 1"),
    abortRunning: db.prepare<[number, string], { id: number }>(
      "UPDATE runs SET status = 'aborted', finished_at = ?, abort_reason = ? WHERE status = 'running' RETURNING id",
    ),
    abortRun: db.prepare<[number, string, number]>(
      "UPDATE runs SET status = 'aborted', finished_at = ?, abort_reason = ? WHERE id = ? AND status = 'running'",
    ),
    commitRun: db.prepare<CommitParams>(
      `UPDATE runs SET status = 'committed', finished_at = @finishedAt, partial_types = @partialTypes,
         entity_counts = @entities, relationship_counts = @relationships,
         written_entity_counts = @writtenEntities, written_relationship_counts = @writtenRelationships
       WHERE id = @id AND status = 'running'`,
    ),
    committedBeyond: db.prepare<[number], { id: number }>("SELECT id FROM runs WHERE status = 'committed' ORDER BY id DESC LIMIT -1 OFFSET ?"),
    deleteRun: db.prepare<[number]>('DELETE FROM runs WHERE id = ?'),
    deleteAbortedRunsBefore: db.prepare<[number]>("DELETE FROM runs WHERE status = 'aborted' AND id < ?"),
    runTables: db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name GLOB 'run_*_objects'"),
  };
}

/** What a session runs on its own run's table, prepared once the table exists. */
export interface RunTableStatements {
  /** Appends an object; a key written again gets another row, and the later one wins at `finish`. */
  put: Database.Statement<[ObjectKind, string, string, string, string | null, string | null, string | null, string | null]>;
  /** Deletes the rows a later write of the same key superseded (all but the last), returning what they were. */
  deleteSuperseded: Database.Statement<[], KindAndType>;
  /** The last rowid (through the rowid tree: no scan); null for an empty table. */
  lastId: Database.Statement<[], { id: number | null }>;
  /** Counts of the rows after a rowid: the carried-over objects, appended by `finish`. */
  countsAfter: Database.Statement<[number], CountRow>;
}

export function prepareRunTableStatements(db: Database.Database, runId: number): RunTableStatements {
  const table = runTableName(runId);
  return {
    // the last parameter: the JSON again for an entity (its `props`), null for a relationship
    put: db.prepare<[ObjectKind, string, string, string, string | null, string | null, string | null, string | null]>(
      `INSERT INTO ${table} (kind, key, type, json, from_key, to_key, verb, props) VALUES (?, ?, ?, ?, ?, ?, ?, jsonb(json_remove(?, '$._rawData')))`,
    ),
    deleteSuperseded: db.prepare<[], KindAndType>(
      `DELETE FROM ${table} WHERE id IN (
         SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY kind, key ORDER BY id DESC) AS newer FROM ${table})
         WHERE newer > 1)
       RETURNING kind, type`,
    ),
    lastId: db.prepare<[], { id: number | null }>(`SELECT max(id) AS id FROM ${table}`),
    countsAfter: db.prepare<[number], CountRow>(`SELECT kind, type, count(*) AS n FROM ${table} WHERE id > ? GROUP BY kind, type`),
  };
}

/**
 * DIFF with partial types: the previous run's objects of the types in `types` (a JSON array,
 * read with json_each) that this run did not write again survive, marked carried. Runs once the
 * run's table has its unique index (the NOT EXISTS goes through it).
 */
export function prepareCarryOver(db: Database.Database, runId: number, previousRunId: number): Database.Statement<[string]> {
  const table = runTableName(runId);
  return db.prepare<[string]>(
    `INSERT INTO ${table} (kind, key, type, json, carried, from_key, to_key, verb, props)
     SELECT p.kind, p.key, p.type, p.json, 1,
       CASE p.kind WHEN 'r' THEN json_extract(p.json, '$._fromEntityKey') END, CASE p.kind WHEN 'r' THEN json_extract(p.json, '$._toEntityKey') END,
       CASE p.kind WHEN 'r' THEN upper(json_extract(p.json, '$._class')) END,
       CASE p.kind WHEN 'e' THEN jsonb(json_remove(p.json, '$._rawData')) END
     FROM ${runTableName(previousRunId)} p
     WHERE p.type IN (SELECT value FROM json_each(?))
       AND NOT EXISTS (SELECT 1 FROM ${table} n WHERE n.kind = p.kind AND n.key = p.key)`,
  );
}

/**
 * A run's objects, entities first ('e' < 'r'), each kind ordered by (type, key): deterministic
 * exports. Sorted at read time rather than through a second index every run would pay for. NOT
 * INDEXED: SQLite would otherwise walk the (kind, key) index for the first term and look every
 * row up, three times slower than one pass over the table into the sorter.
 */
export function prepareExportRows(db: Database.Database, runId: number): Database.Statement<[], ExportRow> {
  return db.prepare<[], ExportRow>(`SELECT kind, type, json FROM ${runTableName(runId)} NOT INDEXED ORDER BY kind, type, key`);
}

/**
 * What changed from run `from` to run `to`, joined on (kind, key) through the tables' unique
 * index (which committed runs have): created (key only in `to`), deleted (only in `from`), updated (same type, other canonical JSON:
 * equal objects have byte-identical text, so the text itself is compared; no hash per object).
 * An object whose `_type` changed counts as deleted from the old type and created in the new one.
 * An updated row also brings both texts, from the same pass (already read for the comparison), for
 * its property changes; other rows bring none, so only updated objects ever reach JavaScript.
 */
export function prepareDiffRows(db: Database.Database, fromRunId: number, toRunId: number): Database.Statement<[], DiffRow> {
  const from = runTableName(fromRunId);
  const to = runTableName(toRunId);
  return db.prepare<[], DiffRow>(
    `SELECT CASE WHEN o.id IS NULL OR o.type <> n.type THEN 'created' ELSE 'updated' END AS change,
            n.kind AS kind, n.type AS type, n.key AS key,
            CASE WHEN o.type = n.type THEN o.json END AS before, CASE WHEN o.type = n.type THEN n.json END AS after
       FROM ${to} n LEFT JOIN ${from} o ON o.kind = n.kind AND o.key = n.key
       WHERE o.id IS NULL OR o.type <> n.type OR o.json <> n.json
     UNION ALL
     SELECT 'deleted', o.kind, o.type, o.key, NULL, NULL
       FROM ${from} o LEFT JOIN ${to} n ON n.kind = o.kind AND n.key = o.key
       WHERE n.id IS NULL OR n.type <> o.type`,
  );
}
