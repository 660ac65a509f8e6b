import type Database from 'better-sqlite3';
import { beforeTableName, hasMappingColumns, isRunView, runTableName } from './local-graph-schema';
import { type RunInfo, type RunMode } from './local-graph-types';

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
  mode: RunMode;
  watermarks: string;
  last_full_at: number | null;
  entity_properties: string;
}

interface CommitParams {
  id: number;
  finishedAt: number;
  partialTypes: string;
  entities: string;
  relationships: string;
  writtenEntities: string;
  writtenRelationships: string;
  mode: RunMode;
  watermarks: string;
  /** For an incremental run: its base's `last_full_at` (a full run records its own start). */
  inheritedLastFullAt: number | null;
  entityProperties: string;
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

/** What a delta run's write or deletion removed: enough for the counts and the Person entities to resolve again. */
export interface RemovedRow {
  kind: ObjectKind;
  key: string;
  type: string;
  carried: 0 | 1;
  mapped: 0 | 1;
  person_key: string | null;
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
  insertRun: Database.Statement<[string, number, RunMode]>;
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
    insertRun: db.prepare<[string, number, RunMode]>("INSERT INTO runs (status, description, started_at, mode) VALUES ('running', ?, ?, ?)"),
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
         written_entity_counts = @writtenEntities, written_relationship_counts = @writtenRelationships,
         mode = @mode, watermarks = @watermarks, entity_properties = @entityProperties,
         last_full_at = CASE @mode WHEN 'full' THEN started_at ELSE @inheritedLastFullAt END
       WHERE id = @id AND status = 'running'`,
    ),
    committedBeyond: db.prepare<[number], { id: number }>("SELECT id FROM runs WHERE status = 'committed' ORDER BY id DESC LIMIT -1 OFFSET ?"),
    deleteRun: db.prepare<[number]>('DELETE FROM runs WHERE id = ?'),
    deleteAbortedRunsBefore: db.prepare<[number]>("DELETE FROM runs WHERE status = 'aborted' AND id < ?"),
    runTables: db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name GLOB 'run_*_objects'"),
  };
}

/** The values of a run table row that a session writes (`carried` aside). */
export type PutParams = [
  kind: ObjectKind,
  key: string,
  type: string,
  mapped: 0 | 1,
  personKey: string | null,
  sourceKey: string | null,
  json: string,
  fromKey: string | null,
  toKey: string | null,
  verb: string | null,
  /** The JSON again for an entity (its `props`), null for a relationship. */
  props: string | null,
  person: string | null,
];

/** What a session runs on its own run's table, prepared once the table exists. */
export interface RunTableStatements {
  /** Appends an object; in a full run a key written again gets another row, and the later one wins at `finish`. */
  put: Database.Statement<PutParams>;
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
    put: db.prepare<PutParams>(
      `INSERT INTO ${table} (kind, key, type, mapped, person_key, source_key, json, from_key, to_key, verb, props, person)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, jsonb(json_remove(?, '$._rawData')), ?)`,
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

/** What a delta run's session runs on its table, once the base is copied and indexed: everything goes through an index. */
export interface DeltaStatements {
  /** Removes the object with this kind and key (before it is written again, or deleted). */
  remove: Database.Statement<[ObjectKind, string], RemovedRow>;
  /** Removes every relationship from an entity (the `_from` index). */
  removeFrom: Database.Statement<[string], RemovedRow>;
  /** Removes every relationship to an entity (the `_to` index). */
  removeTo: Database.Statement<[string], RemovedRow>;
  /** The entity at a key, if any. */
  entity: Database.Statement<[string], { mapped: 0 | 1; type: string }>;
  /**
   * The relationship that gives a Person its properties: of the relationships resolved from mapped
   * ones to it, the one with the smallest source key, the later written of equals (a full run's rule).
   */
  personSource: Database.Statement<[{ key: string }], { person: string; carried: 0 | 1; key: string }>;
  /** Writes a Person made from mapped relationships: key, type, carried, then its canonical JSON twice (`json`, `props`). */
  putPerson: Database.Statement<[string, string, 0 | 1, string, string]>;
  /** Whether an entity of a type holds a property (`$."name"`): stops at the first that does. */
  hasProperty: Database.Statement<[string, string], { found: 1 }>;
  /** Removes the relationships of a type from an entity (the `_from` index). */
  removeTypeFrom: Database.Statement<[string, string], RemovedRow>;
  /** Removes the relationships of a type to an entity (the `_to` index). */
  removeTypeTo: Database.Statement<[string, string], RemovedRow>;
  /** Removes the relationships of a type from one entity to another. */
  removeTypeBetween: Database.Statement<[string, string, string], RemovedRow>;
  /** The entities with these keys (a JSON array), as stored. */
  entities: Database.Statement<[string], { json: string }>;
}

export function prepareDeltaStatements(db: Database.Database, runId: number): DeltaStatements {
  const table = runTableName(runId);
  const removed = 'RETURNING kind, key, type, carried, mapped, person_key';
  return {
    remove: db.prepare<[ObjectKind, string], RemovedRow>(`DELETE FROM ${table} WHERE kind = ? AND key = ? ${removed}`),
    removeFrom: db.prepare<[string], RemovedRow>(`DELETE FROM ${table} WHERE from_key = ? ${removed}`),
    removeTo: db.prepare<[string], RemovedRow>(`DELETE FROM ${table} WHERE to_key = ? ${removed}`),
    entity: db.prepare<[string], { mapped: 0 | 1; type: string }>(`SELECT mapped, type FROM ${table} WHERE kind = 'e' AND key = ?`),
    // A Person is an end of each of its relationships: the two end indexes find them.
    personSource: db.prepare<[{ key: string }], { person: string; carried: 0 | 1; key: string }>(
      `SELECT person, carried, key FROM (
         SELECT person, carried, source_key, id, key FROM ${table} WHERE to_key = @key AND person_key = @key
         UNION ALL
         SELECT person, carried, source_key, id, key FROM ${table} WHERE from_key = @key AND person_key = @key)
       ORDER BY source_key, id DESC LIMIT 1`,
    ),
    putPerson: db.prepare<[string, string, 0 | 1, string, string]>(
      `INSERT INTO ${table} (kind, key, type, carried, mapped, json, props) VALUES ('e', ?, ?, ?, 1, ?, jsonb(json_remove(?, '$._rawData')))`,
    ),
    hasProperty: db.prepare<[string, string], { found: 1 }>(
      `SELECT 1 AS found FROM ${table} WHERE kind = 'e' AND type = ? AND json_type(props, ?) IS NOT NULL LIMIT 1`,
    ),
    removeTypeFrom: db.prepare<[string, string], RemovedRow>(`DELETE FROM ${table} WHERE from_key = ? AND kind = 'r' AND type = ? ${removed}`),
    removeTypeTo: db.prepare<[string, string], RemovedRow>(`DELETE FROM ${table} WHERE to_key = ? AND kind = 'r' AND type = ? ${removed}`),
    removeTypeBetween: db.prepare<[string, string, string], RemovedRow>(`DELETE FROM ${table} WHERE from_key = ? AND to_key = ? AND kind = 'r' AND type = ? ${removed}`),
    entities: db.prepare<[string], { json: string }>(`SELECT json FROM ${table} WHERE kind = 'e' AND key IN (SELECT value FROM json_each(?)) ORDER BY key`),
  };
}

/**
 * DIFF with partial types: the previous run's objects of the types in `types` (a JSON array,
 * read with json_each) that this run did not write again survive, marked carried. Runs once the
 * run's table has its unique index (the NOT EXISTS goes through it). The query columns are
 * computed from the JSON (tables older than queries lack them); a table older than version 3
 * has no mapping columns, so its objects come without.
 */
export function prepareCarryOver(db: Database.Database, runId: number, previousRunId: number): Database.Statement<[string]> {
  const table = runTableName(runId);
  const mapping = hasMappingColumns(db, previousRunId) ? 'p.mapped, p.person_key, p.source_key, p.person' : '0, NULL, NULL, NULL';
  return db.prepare<[string]>(
    `INSERT INTO ${table} (kind, key, type, json, carried, from_key, to_key, verb, props, mapped, person_key, source_key, person)
     SELECT p.kind, p.key, p.type, p.json, 1,
       CASE p.kind WHEN 'r' THEN json_extract(p.json, '$._fromEntityKey') END, CASE p.kind WHEN 'r' THEN json_extract(p.json, '$._toEntityKey') END,
       CASE p.kind WHEN 'r' THEN upper(json_extract(p.json, '$._class')) END,
       CASE p.kind WHEN 'e' THEN jsonb(json_remove(p.json, '$._rawData')) END,
       ${mapping}
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
  // (A run a delta run took over from is a view: no index to refuse.)
  const notIndexed = isRunView(db, runId) ? '' : ' NOT INDEXED';
  return db.prepare<[], ExportRow>(`SELECT kind, type, json FROM ${runTableName(runId)}${notIndexed} ORDER BY kind, type, key`);
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

/**
 * The same as {@link prepareDiffRows} from a run to the delta run that took it over (see
 * `takeOverBaseRun`): what changed is exactly the base's pre-images and the keys the delta run
 * added, so only those are read, through the table's unique index.
 */
export function prepareTakeOverDiffRows(db: Database.Database, fromRunId: number, toRunId: number): Database.Statement<[], DiffRow> {
  const before = beforeTableName(fromRunId);
  const to = runTableName(toRunId);
  return db.prepare<[], DiffRow>(
    `SELECT CASE WHEN b.absent = 1 OR b.type <> n.type THEN 'created' ELSE 'updated' END AS change,
            n.kind AS kind, n.type AS type, n.key AS key,
            CASE WHEN b.absent = 0 AND b.type = n.type THEN b.json END AS before, CASE WHEN b.absent = 0 AND b.type = n.type THEN n.json END AS after
       FROM ${before} b JOIN ${to} n ON n.kind = b.kind AND n.key = b.key
       WHERE b.absent = 1 OR b.type <> n.type OR b.json <> n.json
     UNION ALL
     SELECT 'deleted', b.kind, b.type, b.key, NULL, NULL
       FROM ${before} b LEFT JOIN ${to} n ON n.kind = b.kind AND n.key = b.key
       WHERE b.absent = 0 AND (n.id IS NULL OR n.type <> b.type)`,
  );
}

/** A `runs` row as the store reports it. */
export function toRunInfo(row: RunRow): RunInfo {
  return {
    id: row.id,
    status: row.status,
    description: row.description,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    partialTypes: JSON.parse(row.partial_types) as string[],
    entities: JSON.parse(row.entity_counts) as Record<string, number>,
    relationships: JSON.parse(row.relationship_counts) as Record<string, number>,
    written: {
      entities: JSON.parse(row.written_entity_counts) as Record<string, number>,
      relationships: JSON.parse(row.written_relationship_counts) as Record<string, number>,
    },
    abortReason: row.abort_reason,
    mode: row.mode,
    watermarks: JSON.parse(row.watermarks) as Record<string, string>,
    lastFullSyncAt: row.last_full_at,
  };
}
