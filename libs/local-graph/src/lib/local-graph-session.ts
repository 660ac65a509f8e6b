import type Database from 'better-sqlite3';
import {
  canonicalJson,
  type Entity,
  type GraphRelationship,
  type Logger,
  type PublishResult,
  type PublishSession,
  isMappedRelationship,
} from '@jumpcloud-graph/domain';
import { type LocalGraphLock, sqliteErrorCode } from './local-graph-lock';
import { PERSON_ENTITY_TYPE, resolveMappedRelationship } from './local-graph-mapped-relationship';
import { dropRunTable, indexRunTable, indexRunTableForQueries, replaceReadViews, runTableName } from './local-graph-schema';
import {
  type LocalGraphStatements,
  type ObjectKind,
  type RunTableStatements,
  prepareCarryOver,
  prepareRunTableStatements,
} from './local-graph-statements';
import { LocalGraphStoreError } from './local-graph-store.errors';

/** What a session needs from the store that opened it. */
export interface LocalGraphSessionContext {
  db: Database.Database;
  statements: LocalGraphStatements;
  lock: LocalGraphLock;
  logger: Logger;
  keepRuns: number;
  path: string;
  /** Called once the session has ended (committed or aborted) and released the lock. */
  onEnd: () => void;
}

/** The run's result, plus what the commit log line reports. */
type CommitOutcome = PublishResult & { carried: number; pruned: number };

/** Marks a Person the caller wrote itself with `writeEntities`: mapped relationships never replace it. */
const WRITTEN_EXPLICITLY = null;

/**
 * One run of the local graph store, created by `LocalGraphStore.openSession` together with the
 * run's table (`run_<id>_objects`). Each batch is one transaction appending straight to that
 * table (canonical JSON, computed once per object); `finish` indexes the table and
 * commits the run with DIFF semantics in one more. Readers only see committed runs, so a crash at
 * any point leaves the previous committed run as the latest (the dead run's table is dropped at
 * the next open). Methods throw `LOCAL_GRAPH_SESSION_CLOSED` once the run was finished or aborted.
 */
export class LocalGraphSession implements PublishSession {
  /** The run's id (`PublishResult.runId` is its decimal string). */
  readonly runId: number;
  private readonly context: LocalGraphSessionContext;
  /** What the session runs on its own run's table. */
  private readonly runStatements: RunTableStatements;
  private readonly startedAt = Date.now();
  private ended = false;
  /**
   * Which source entity's target properties each Person carries (or WRITTEN_EXPLICITLY). Users
   * sharing an email share a Person; the one with the smallest key wins, so the Person does not
   * flip between runs (and show up in `diff`) when the users arrive in another order.
   */
  private readonly personOwners = new Map<string, string | typeof WRITTEN_EXPLICITLY>();
  /** The current batch's changes to personOwners, applied only once its transaction commits. */
  private readonly batchOwners = new Map<string, string | typeof WRITTEN_EXPLICITLY>();
  /**
   * Rows appended by committed batches, by kind and `_type` (rewrites of a key included: `finish`
   * subtracts the rows it finds superseded), so `finish` need not count the table.
   */
  private readonly appended: KindCounts = { e: new Map(), r: new Map() };
  /** The current batch's rows, added to `appended` once its transaction commits. */
  private readonly batchAppended: KindCounts = { e: new Map(), r: new Map() };
  /** The property names of the entities written, by `_type`: the columns of the per-type views. */
  private readonly propertiesByType = new Map<string, Set<string>>();
  private readonly writeEntityBatch: (batch: readonly Entity[]) => void;
  private readonly writeRelationshipBatch: (batch: readonly GraphRelationship[]) => void;
  private readonly commit: Database.Transaction<(partialTypes: readonly string[]) => CommitOutcome>;

  constructor(runId: number, context: LocalGraphSessionContext) {
    this.runId = runId;
    this.context = context;
    const { db } = context;
    this.runStatements = prepareRunTableStatements(db, runId);
    this.writeEntityBatch = db.transaction((batch: readonly Entity[]) => {
      for (const entity of batch) {
        this.putEntity(entity);
      }
    });
    this.writeRelationshipBatch = db.transaction((batch: readonly GraphRelationship[]) => {
      for (const relationship of batch) {
        this.putRelationship(relationship);
      }
    });
    this.commit = db.transaction((partialTypes: readonly string[]) => this.commitRun(partialTypes));
  }

  /** One transaction: an invalid object rejects the whole batch (`LOCAL_GRAPH_INVALID_OBJECT`, not fatal). */
  async writeEntities(batch: readonly Entity[]): Promise<void> {
    this.assertActive('writeEntities');
    this.runWrite(() => this.writeEntityBatch(batch));
  }

  /**
   * Stores plain relationships as they are; a mapped relationship becomes a Person entity
   * (`employee:<lower-case email>`, created once per email in this run) and a plain relationship
   * to it with the same `_key`. One transaction, like `writeEntities`.
   */
  async writeRelationships(batch: readonly GraphRelationship[]): Promise<void> {
    this.assertActive('writeRelationships');
    this.runWrite(() => this.writeRelationshipBatch(batch));
  }

  /**
   * Commits the run: its graph is what it wrote plus, for each of `partialTypes`, the previous
   * committed run's objects of that type it did not write again. Prunes runs beyond `keepRuns`.
   * The result counts what this run wrote (Person entities and resolved relationships included,
   * carried-over objects not). If the commit fails, the session stays open so it can be aborted.
   */
  async finish(options: { partialTypes: readonly string[] }): Promise<PublishResult> {
    this.assertActive('finish');
    const partialTypes = [...new Set(options.partialTypes)].sort();
    let outcome: CommitOutcome;
    try {
      // IMMEDIATE: take the write lock up front rather than fail half-way on a reader's upgrade.
      outcome = this.commit.immediate(partialTypes);
    } catch (error) {
      throw this.wrapWriteError(error, 'commit');
    }
    this.end();
    const { carried, pruned, ...result } = outcome;
    this.context.logger.info(
      {
        localRunId: this.runId,
        entities: sum(result.entities),
        relationships: sum(result.relationships),
        carriedOver: carried,
        partialTypes,
        prunedRuns: pruned,
        durationMs: Date.now() - this.startedAt,
      },
      'local graph run committed',
    );
    return result;
  }

  /** Discards everything this run wrote and marks it aborted; the previous committed run stays the latest. */
  async abort(reason: string): Promise<void> {
    this.assertActive('abort');
    this.abortNow(reason);
  }

  /** Synchronous abort, for `LocalGraphStore.close` with a session still open. */
  abortNow(reason: string): void {
    if (this.ended) {
      return;
    }
    const { db, statements, logger } = this.context;
    try {
      // Everything the run wrote is in its own table: dropping it is all there is to undo.
      db.transaction(() => {
        dropRunTable(db, this.runId);
        statements.abortRun.run(Date.now(), reason, this.runId);
      }).immediate();
    } catch (error) {
      logger.error({ localRunId: this.runId, reason }, 'local graph run could not be marked aborted; the next open will');
      // The lock is released below anyway: the row still says 'running', and the next open or
      // session sees a free lock, marks it aborted and drops its table.
      throw this.wrapWriteError(error, 'abort');
    } finally {
      this.end();
    }
    logger.warn({ localRunId: this.runId, reason }, 'local graph run aborted');
  }

  private putEntity(entity: Entity): void {
    assertEnvelope(entity, 'entity');
    if (entity._type === PERSON_ENTITY_TYPE || this.ownerOf(entity._key) !== undefined) {
      this.batchOwners.set(entity._key, WRITTEN_EXPLICITLY);
    }
    this.putObject('e', entity._key, entity._type, entity);
  }

  private putRelationship(relationship: GraphRelationship): void {
    assertEnvelope(relationship, 'relationship');
    if (!isMappedRelationship(relationship)) {
      if (!isNonEmptyString(relationship._fromEntityKey) || !isNonEmptyString(relationship._toEntityKey)) {
        throw invalidObject(relationship, 'relationship', 'has no _fromEntityKey/_toEntityKey (nor _mapping)');
      }
      this.putObject('r', relationship._key, relationship._type, relationship);
      return;
    }
    const { person, relationship: resolved } = resolveMappedRelationship(relationship);
    const sourceKey = relationship._mapping.sourceEntityKey;
    const owner = this.ownerOf(person._key);
    if (owner === undefined || (owner !== WRITTEN_EXPLICITLY && sourceKey <= owner)) {
      this.putObject('e', person._key, person._type, person);
      this.batchOwners.set(person._key, sourceKey);
    }
    this.putObject('r', resolved._key, resolved._type, resolved);
  }

  private putObject(kind: ObjectKind, key: string, type: string, object: object): void {
    const edge = kind === 'r' ? (object as { _fromEntityKey?: unknown; _toEntityKey?: unknown; _class?: unknown }) : undefined;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    const json = canonicalJson(object);
    this.runStatements.put.run(kind, key, type, json, text(edge?._fromEntityKey), text(edge?._toEntityKey), typeof edge?._class === 'string' ? edge._class.toUpperCase() : null, kind === 'e' ? json : null);
    if (kind === 'e') {
      let properties = this.propertiesByType.get(type);
      if (!properties) {
        properties = new Set();
        this.propertiesByType.set(type, properties);
      }
      for (const name in object) properties.add(name);
    }
    addCount(this.batchAppended[kind], type, 1);
  }

  private commitRun(partialTypes: readonly string[]): CommitOutcome {
    const { db, statements, keepRuns } = this.context;
    const written: KindCounts = { e: new Map(this.appended.e), r: new Map(this.appended.r) };
    // The writes are already in the run's table; it only needs its index.
    indexRunTable(db, this.runId, () => {
      for (const row of this.runStatements.deleteSuperseded.iterate()) {
        addCount(written[row.kind], row.type, -1);
      }
    });
    // Only carried-over objects are copied, after the last written row.
    const carried: KindCounts = { e: new Map(), r: new Map() };
    const previous = statements.latestCommitted.get();
    if (previous !== undefined && partialTypes.length > 0) {
      const lastWritten = this.runStatements.lastId.get()?.id ?? 0;
      prepareCarryOver(db, this.runId, previous.id).run(JSON.stringify(partialTypes));
      for (const row of this.runStatements.countsAfter.iterate(lastWritten)) {
        addCount(carried[row.kind], row.type, row.n);
      }
    }
    const counts = tallyCounts(written, carried);
    // The read model: the planner's indexes and the views, over this run from now on.
    indexRunTableForQueries(db, this.runId);
    for (const type of carried.e.keys()) {
      const properties = this.propertiesByType.get(type) ?? new Set<string>();
      const carriedNames = db
        .prepare(`SELECT DISTINCT j.key AS name FROM ${runTableName(this.runId)} o, json_each(o.props) j WHERE o.kind = 'e' AND o.carried = 1 AND o.type = ?`)
        .all(type) as { name: string }[];
      for (const { name } of carriedNames) properties.add(name);
      this.propertiesByType.set(type, properties);
    }
    replaceReadViews(db, this.runId, this.propertiesByType);
    const changes = statements.commitRun.run({
      id: this.runId,
      finishedAt: Date.now(),
      partialTypes: JSON.stringify(partialTypes),
      entities: JSON.stringify(counts.entities),
      relationships: JSON.stringify(counts.relationships),
      writtenEntities: JSON.stringify(counts.writtenEntities),
      writtenRelationships: JSON.stringify(counts.writtenRelationships),
    }).changes;
    if (changes !== 1) {
      // Someone marked the run aborted under us (was our lock file deleted?): an aborted run must
      // stay aborted, so the whole commit rolls back.
      throw new LocalGraphStoreError('LOCAL_GRAPH_CORRUPT', `run ${this.runId} is no longer running in ${this.context.path}`);
    }
    // Pruning a run drops its table: its pages go to the freelist, for the next run to reuse.
    const pruned = statements.committedBeyond.all(keepRuns);
    for (const { id } of pruned) {
      dropRunTable(db, id);
      statements.deleteRun.run(id);
    }
    const oldestKept = statements.committedBeyond.all(keepRuns - 1)[0];
    if (oldestKept !== undefined) {
      // Aborted runs older than the history we keep are of no more use in `listRuns` (their
      // tables went with their abort).
      statements.deleteAbortedRunsBefore.run(oldestKept.id);
    }
    return {
      runId: String(this.runId),
      entities: counts.writtenEntities,
      relationships: counts.writtenRelationships,
      carried: counts.carried,
      pruned: pruned.length,
    };
  }

  /** undefined: no Person with this key in the run yet. */
  private ownerOf(personKey: string): string | typeof WRITTEN_EXPLICITLY | undefined {
    return this.batchOwners.has(personKey) ? this.batchOwners.get(personKey) : this.personOwners.get(personKey);
  }

  private runWrite(write: () => void): void {
    try {
      write();
      // Only now: a rolled-back batch must not leave owners of Persons that were never stored,
      // nor count rows that are not there.
      for (const [key, owner] of this.batchOwners) {
        this.personOwners.set(key, owner);
      }
      for (const kind of ['e', 'r'] as const) {
        for (const [type, n] of this.batchAppended[kind]) {
          addCount(this.appended[kind], type, n);
        }
      }
    } catch (error) {
      throw this.wrapWriteError(error, 'write');
    } finally {
      this.batchOwners.clear();
      this.batchAppended.e.clear();
      this.batchAppended.r.clear();
    }
  }

  private wrapWriteError(error: unknown, what: string): unknown {
    if (error instanceof LocalGraphStoreError) {
      return error;
    }
    const code = sqliteErrorCode(error);
    if (code !== undefined) {
      return new LocalGraphStoreError(
        'LOCAL_GRAPH_WRITE_FAILED',
        `local graph ${what} of run ${this.runId} failed in ${this.context.path}: ${code}`,
        { cause: error },
      );
    }
    if (error instanceof TypeError) {
      // canonicalJson refuses values with no JSON form: a bad object, not a broken store.
      return new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OBJECT', `run ${this.runId}: ${error.message}`, { cause: error });
    }
    return error;
  }

  private assertActive(method: string): void {
    if (this.ended) {
      throw new LocalGraphStoreError(
        'LOCAL_GRAPH_SESSION_CLOSED',
        `${method}: run ${this.runId} was already finished or aborted`,
      );
    }
  }

  private end(): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.personOwners.clear();
    try {
      this.context.lock.release();
    } finally {
      this.context.onEnd();
    }
  }
}

/** Object counts by `_type`, per kind. */
type KindCounts = Record<ObjectKind, Map<string, number>>;

function addCount(counts: Map<string, number>, type: string, n: number): void {
  counts.set(type, (counts.get(type) ?? 0) + n);
}

function tallyCounts(
  written: KindCounts,
  carried: KindCounts,
): {
  entities: Record<string, number>;
  relationships: Record<string, number>;
  writtenEntities: Record<string, number>;
  writtenRelationships: Record<string, number>;
  carried: number;
} {
  const writtenEntities = sortedRecord(written.e);
  const writtenRelationships = sortedRecord(written.r);
  const entities = sortedRecord(merged(written.e, carried.e));
  const relationships = sortedRecord(merged(written.r, carried.r));
  let carriedTotal = 0;
  for (const n of [...carried.e.values(), ...carried.r.values()]) {
    carriedTotal += n;
  }
  return { entities, relationships, writtenEntities, writtenRelationships, carried: carriedTotal };
}

function merged(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const sum = new Map(a);
  for (const [type, n] of b) {
    addCount(sum, type, n);
  }
  return sum;
}

/** Types with no object left out, sorted so the JSON stored and returned lists types in a stable order. */
function sortedRecord(counts: Map<string, number>): Record<string, number> {
  const types = [...counts.keys()].filter((type) => (counts.get(type) ?? 0) > 0).sort();
  return Object.fromEntries(types.map((type) => [type, counts.get(type) ?? 0]));
}

function assertEnvelope(object: { _key: unknown; _type: unknown }, kind: string): void {
  if (!isNonEmptyString(object._key) || !isNonEmptyString(object._type)) {
    throw invalidObject(object, kind, 'needs a non-empty string _key and _type');
  }
}

function invalidObject(object: { _key: unknown; _type: unknown }, kind: string, problem: string): LocalGraphStoreError {
  // Only the envelope goes into the message: properties may hold personal data.
  const key = typeof object._key === 'string' ? object._key : String(object._key);
  const type = typeof object._type === 'string' ? object._type : String(object._type);
  return new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OBJECT', `${kind} ${key} (${type}) ${problem}`);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, n) => total + n, 0);
}
