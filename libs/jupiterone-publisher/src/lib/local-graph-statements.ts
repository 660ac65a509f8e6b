import type Database from 'better-sqlite3';

/** 'e' for entities, 'r' for relationships: the `objects.kind` column. */
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

/** `types`: a JSON array of `_type` names, read with json_each so one statement serves any list. */
interface CarryOverParams {
  run: number;
  previous: number;
  types: string;
}

export interface CountRow {
  kind: ObjectKind;
  type: string;
  carried: 0 | 1;
  n: number;
}

export interface ExportRow {
  type: string;
  json: string;
}

interface DiffParams {
  from: number;
  to: number;
}

export interface DiffRow {
  change: 'created' | 'updated' | 'deleted';
  kind: ObjectKind;
  type: string;
  key: string;
}

/** Every statement the store and its sessions run, prepared once per open database. */
export interface LocalGraphStatements {
  stage: Database.Statement<[ObjectKind, string, string, Buffer, string]>;
  clearStaged: Database.Statement<[]>;
  publishBlobs: Database.Statement<[]>;
  publishObjects: Database.Statement<[number]>;
  insertRun: Database.Statement<[string, number]>;
  runById: Database.Statement<[number], RunRow>;
  allRuns: Database.Statement<[], RunRow>;
  latestCommitted: Database.Statement<[], RunRow>;
  committedBefore: Database.Statement<[number], RunRow>;
  abortRunning: Database.Statement<[number, string], { id: number }>;
  abortRun: Database.Statement<[number, string, number]>;
  commitRun: Database.Statement<[CommitParams]>;
  carryOver: Database.Statement<[CarryOverParams]>;
  countsByType: Database.Statement<[number], CountRow>;
  deleteRunObjects: Database.Statement<[number]>;
  committedBeyond: Database.Statement<[number], { id: number }>;
  deleteRun: Database.Statement<[number]>;
  deleteAbortedRunsBefore: Database.Statement<[number]>;
  deleteOrphanBlobs: Database.Statement<[]>;
  exportRows: Database.Statement<[number, ObjectKind], ExportRow>;
  diffRows: Database.Statement<[DiffParams], DiffRow>;
}

export function prepareStatements(db: Database.Database): LocalGraphStatements {
  return {
    stage: db.prepare<[ObjectKind, string, string, Buffer, string]>(
      'INSERT INTO temp.staged (kind, key, type, hash, json) VALUES (?, ?, ?, ?, ?)',
    ),
    clearStaged: db.prepare<[]>('DELETE FROM temp.staged'),
    // Unchanged objects hit the conflict and store nothing new. Write order, so blob ids follow
    // key order roughly and exports read blobs almost sequentially. (WHERE true: SQLite needs a
    // WHERE before ON CONFLICT in INSERT ... SELECT.)
    publishBlobs: db.prepare<[]>(
      'INSERT INTO blobs (hash, json) SELECT hash, json FROM temp.staged WHERE true ORDER BY seq ON CONFLICT (hash) DO NOTHING',
    ),
    // Rows go in key order, and for a key written twice in the run in write order: the later wins.
    publishObjects: db.prepare<[number]>(
      `INSERT INTO objects (run_id, kind, key, type, blob_id, carried)
       SELECT ?, s.kind, s.key, s.type, b.id, 0 FROM temp.staged s JOIN blobs b ON b.hash = s.hash
       WHERE true ORDER BY s.kind, s.key, s.seq
       ON CONFLICT (run_id, kind, key) DO UPDATE SET type = excluded.type, blob_id = excluded.blob_id`,
    ),
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
    // DIFF with partial types: objects of a partial type that this run did not write again survive.
    carryOver: db.prepare<CarryOverParams>(
      `INSERT INTO objects (run_id, kind, key, type, blob_id, carried)
       SELECT @run, p.kind, p.key, p.type, p.blob_id, 1 FROM objects p
       WHERE p.run_id = @previous AND p.kind IN ('e', 'r') AND p.type IN (SELECT value FROM json_each(@types))
         AND NOT EXISTS (SELECT 1 FROM objects n WHERE n.run_id = @run AND n.kind = p.kind AND n.key = p.key)`,
    ),
    countsByType: db.prepare<[number], CountRow>(
      'SELECT kind, type, carried, count(*) AS n FROM objects WHERE run_id = ? GROUP BY kind, type, carried',
    ),
    deleteRunObjects: db.prepare<[number]>('DELETE FROM objects WHERE run_id = ?'),
    committedBeyond: db.prepare<[number], { id: number }>("SELECT id FROM runs WHERE status = 'committed' ORDER BY id DESC LIMIT -1 OFFSET ?"),
    deleteRun: db.prepare<[number]>('DELETE FROM runs WHERE id = ?'),
    deleteAbortedRunsBefore: db.prepare<[number]>("DELETE FROM runs WHERE status = 'aborted' AND id < ?"),
    deleteOrphanBlobs: db.prepare<[]>('DELETE FROM blobs WHERE id NOT IN (SELECT blob_id FROM objects)'),
    // Ordered by (type, key) through objects_by_type: deterministic, and no sort of the documents.
    exportRows: db.prepare<[number, ObjectKind], ExportRow>(
      `SELECT o.type AS type, b.json AS json FROM objects o JOIN blobs b ON b.id = o.blob_id
       WHERE o.run_id = ? AND o.kind = ? ORDER BY o.type, o.key`,
    ),
    // An object whose _type changed counts as deleted from the old type and created in the new one.
    diffRows: db.prepare<DiffParams, DiffRow>(
      `SELECT 'created' AS change, n.kind AS kind, n.type AS type, n.key AS key FROM objects n
         WHERE n.run_id = @to AND NOT EXISTS
           (SELECT 1 FROM objects o WHERE o.run_id = @from AND o.kind = n.kind AND o.key = n.key AND o.type = n.type)
       UNION ALL
       SELECT 'deleted', o.kind, o.type, o.key FROM objects o
         WHERE o.run_id = @from AND NOT EXISTS
           (SELECT 1 FROM objects n WHERE n.run_id = @to AND n.kind = o.kind AND n.key = o.key AND n.type = o.type)
       UNION ALL
       SELECT 'updated', n.kind, n.type, n.key FROM objects n
         JOIN objects o ON o.run_id = @from AND o.kind = n.kind AND o.key = n.key AND o.type = n.type
         WHERE n.run_id = @to AND n.blob_id <> o.blob_id`,
    ),
  };
}
