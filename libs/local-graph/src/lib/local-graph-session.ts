import type Database from 'better-sqlite3';
import {
  canonicalJson,
  type Entity,
  type GraphRelationship,
  type Logger,
  type PublishResult,
  type RelationshipSelector,
  isMappedRelationship,
} from '@jumpcloud-graph/domain';
import { type LocalGraphLock, sqliteErrorCode } from './local-graph-lock';
import { PERSON_ENTITY_TYPE, resolveMappedRelationship } from './local-graph-mapped-relationship';
import { dropRunTable, endTakeOver, indexRunTable, indexRunTableForQueries, replaceReadViews, runTableName, viewColumnNames } from './local-graph-schema';
import {
  type DeltaStatements,
  type LocalGraphStatements,
  type ObjectKind,
  type PutParams,
  type RemovedRow,
  type RunRow,
  type RunTableStatements,
  prepareCarryOver,
  prepareDeltaStatements,
  prepareRunTableStatements,
  toRunInfo,
} from './local-graph-statements';
import { LocalGraphStoreError } from './local-graph-store.errors';
import { type GraphObjectKey, type LocalGraphFinishOptions, type LocalGraphPublishSession, type RunInfo, type RunMode } from './local-graph-types';

/** What a session needs from the store that opened it. */
export interface LocalGraphSessionContext {
  db: Database.Database;
  statements: LocalGraphStatements;
  lock: LocalGraphLock;
  logger: Logger;
  keepRuns: number;
  path: string;
  /** A delta run's base, whose rows the store already copied into the run's table; undefined for a full run. */
  base?: RunRow;
  /** Called once the session has ended (committed or aborted) and released the lock. */
  onEnd: () => void;
}

/** The run's result, plus what the commit log line reports. */
type CommitOutcome = PublishResult & { carried: number; pruned: number; removed: number };

/** What `finish` commits with, checked before the commit transaction. */
interface CommitOptions {
  partialTypes: readonly string[];
  mode: RunMode;
  watermarks: Record<string, string>;
}

/** Marks a Person the caller wrote itself with `writeEntities`: mapped relationships never replace it. */
const WRITTEN_EXPLICITLY = null;

/** An RFC 3339 date-time (what Directory Insights' timestamps are). */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * One run of the local graph store, created by `LocalGraphStore.openSession` together with the
 * run's table (`run_<id>_objects`). Each batch is one transaction on that table (canonical JSON,
 * computed once per object); `finish` commits the run in one more. Readers only see committed
 * runs, so a crash at any point leaves the previous committed run as the latest (the dead run's
 * table is dropped at the next open). Methods throw `LOCAL_GRAPH_SESSION_CLOSED` once the run
 * was finished or aborted.
 *
 * A full run appends every write; `finish` indexes the table, keeps a key's later write and
 * carries over partial types (DIFF semantics). A delta run (`startFrom: 'latest'`) starts with
 * its base's rows, copied and indexed by the store: a write replaces the row of its kind and key,
 * `deleteObjects` removes rows (an entity with its relationships), and `finish` resolves again
 * the Person entities whose relationships changed. Either way, nothing the run did not change is
 * read into JavaScript.
 */
export class LocalGraphSession implements LocalGraphPublishSession {
  /** The run's id (`PublishResult.runId` is its decimal string). */
  readonly runId: number;
  /** The committed run a delta run started from; undefined for a full run. */
  readonly baseRun: RunInfo | undefined;
  private readonly context: LocalGraphSessionContext;
  /** What the session runs on its own run's table. */
  private readonly runStatements: RunTableStatements;
  /** A delta run's statements and bookkeeping; undefined for a full run. */
  private readonly delta: { statements: DeltaStatements; book: DeltaBook } | undefined;
  private readonly startedAt = Date.now();
  private ended = false;
  /**
   * Which source entity's target properties each Person carries (or WRITTEN_EXPLICITLY). Users
   * sharing an email share a Person; the one with the smallest key wins, so the Person does not
   * flip between runs (and show up in `diff`) when the users arrive in another order.
   * (A full run's; a delta run resolves its Persons at `finish`.)
   */
  private readonly personOwners = new Map<string, string | typeof WRITTEN_EXPLICITLY>();
  /** The current batch's changes to personOwners, applied only once its transaction commits. */
  private readonly batchOwners = new Map<string, string | typeof WRITTEN_EXPLICITLY>();
  /**
   * Rows appended by committed batches, by kind and `_type` (rewrites of a key included: `finish`
   * subtracts the rows it finds superseded), so `finish` need not count the table. (A full run's.)
   */
  private readonly appended: KindCounts = { e: new Map(), r: new Map() };
  /** The current batch's rows, added to `appended` once its transaction commits. */
  private readonly batchAppended: KindCounts = { e: new Map(), r: new Map() };
  /** A delta run's bookkeeping of the current batch, applied to its book in order once the batch commits. */
  private readonly batchEffects: ((book: DeltaBook) => void)[] = [];
  /** The property names of the entities written, by `_type`: the columns of the per-type views. */
  private readonly propertiesByType = new Map<string, Set<string>>();
  private readonly writeEntityBatch: (batch: readonly Entity[]) => void;
  private readonly writeRelationshipBatch: (batch: readonly GraphRelationship[]) => void;
  private readonly deleteBatch: (keys: readonly GraphObjectKey[]) => void;
  private readonly deleteRelationshipBatch: (selectors: readonly RelationshipSelector[]) => void;
  private readonly commit: Database.Transaction<(options: CommitOptions) => CommitOutcome>;

  constructor(runId: number, context: LocalGraphSessionContext) {
    this.runId = runId;
    this.context = context;
    const { db, base } = context;
    this.runStatements = prepareRunTableStatements(db, runId);
    this.baseRun = base === undefined ? undefined : toRunInfo(base);
    this.delta = base === undefined ? undefined : { statements: prepareDeltaStatements(db, runId), book: DeltaBook.of(base) };
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
    this.deleteBatch = db.transaction((keys: readonly GraphObjectKey[]) => {
      for (const key of keys) {
        this.deleteObject(key);
      }
    });
    this.deleteRelationshipBatch = db.transaction((selectors: readonly RelationshipSelector[]) => {
      for (const selector of selectors) {
        this.deleteRelationshipsOf(selector);
      }
    });
    this.commit = db.transaction((options: CommitOptions) => (this.delta === undefined ? this.commitRun(options) : this.commitDeltaRun(options, this.delta)));
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
   * A delta run's deletions, in one transaction (see {@link LocalGraphPublishSession.deleteObjects}):
   * an entity goes with every relationship from or to it, found through the run's end indexes.
   * A key that is not a non-empty string, or a kind other than 'e' and 'r', rejects the whole
   * batch (`LOCAL_GRAPH_INVALID_OBJECT`, not fatal); a full run refuses (`LOCAL_GRAPH_INVALID_OPTIONS`:
   * what it does not write is not in its graph).
   */
  async deleteObjects(keys: readonly GraphObjectKey[]): Promise<void> {
    this.assertActive('deleteObjects');
    if (this.delta === undefined) {
      throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', `deleteObjects: run ${this.runId} is a full run (open the session with startFrom: 'latest' for a delta run)`);
    }
    for (const key of keys) {
      if ((key.kind !== 'e' && key.kind !== 'r') || !isNonEmptyString(key.key)) {
        throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OBJECT', `deleteObjects: run ${this.runId}: each key needs kind 'e' or 'r' and a non-empty string key`);
      }
    }
    this.runWrite(() => this.deleteBatch(keys));
  }

  /**
   * A delta run's removal of relationships by type and end, in one transaction (see
   * {@link LocalGraphPublishSession.deleteRelationships}). A selector without a non-empty `type`
   * and at least one end rejects the whole batch (`LOCAL_GRAPH_INVALID_OBJECT`).
   */
  async deleteRelationships(selectors: readonly RelationshipSelector[]): Promise<void> {
    this.assertActive('deleteRelationships');
    this.assertDelta('deleteRelationships');
    for (const selector of selectors) {
      const end = (value: unknown) => value === undefined || isNonEmptyString(value);
      if (!isNonEmptyString(selector.type) || (selector.fromKey === undefined && selector.toKey === undefined) || !end(selector.fromKey) || !end(selector.toKey)) {
        throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OBJECT', `deleteRelationships: run ${this.runId}: each selector needs a type and a fromKey or a toKey`);
      }
    }
    this.runWrite(() => this.deleteRelationshipBatch(selectors));
  }

  /** A delta run's entities with these keys, as the run's graph holds them now (see {@link LocalGraphPublishSession.readEntities}). */
  async readEntities(keys: readonly string[]): Promise<Entity[]> {
    this.assertActive('readEntities');
    const { statements } = this.assertDelta('readEntities');
    if (keys.length === 0) return [];
    return statements.entities.all(JSON.stringify(keys)).map((row) => JSON.parse(row.json) as Entity);
  }

  private assertDelta(operation: string): { statements: DeltaStatements; book: DeltaBook } {
    if (this.delta === undefined) {
      throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', `${operation}: run ${this.runId} is a full run (open the session with startFrom: 'latest' for a delta run)`);
    }
    return this.delta;
  }

  /**
   * Commits the run. A full run's graph is what it wrote plus, for each of `partialTypes`, the
   * previous committed run's objects of that type it did not write again; a delta run's is its
   * base's with its writes and deletions applied. Records `watermarks` and `mode` (see
   * {@link LocalGraphFinishOptions}), and prunes runs beyond `keepRuns`. The result counts what
   * this run wrote and kept (Person entities and resolved relationships included, carried-over
   * objects not). If the commit fails, the session stays open so it can be aborted.
   */
  async finish(options: LocalGraphFinishOptions): Promise<PublishResult> {
    this.assertActive('finish');
    const partialTypes = [...new Set(options.partialTypes)].sort();
    const mode = options.mode ?? (this.delta === undefined ? 'full' : 'incremental');
    if (mode !== 'full' && mode !== 'incremental') {
      throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', `finish: mode must be 'full' or 'incremental', got ${String(mode)}`);
    }
    if (this.delta !== undefined && mode === 'full') {
      throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', `finish: run ${this.runId} is a delta run, so its mode is 'incremental' (it did not write everything)`);
    }
    const watermarks = checkedWatermarks(options.watermarks ?? {});
    let outcome: CommitOutcome;
    try {
      // IMMEDIATE: take the write lock up front rather than fail half-way on a reader's upgrade.
      // (A delta run's transaction is already open: this is a savepoint in it, committed below.)
      outcome = this.commit.immediate({ partialTypes, mode, watermarks });
    } catch (error) {
      throw this.wrapWriteError(error, 'commit');
    }
    if (this.delta !== undefined) {
      try {
        this.context.db.exec('COMMIT');
      } catch (error) {
        this.abortNow('the commit failed');
        throw this.wrapWriteError(error, 'commit');
      }
    }
    this.end();
    const { carried, pruned, removed, ...result } = outcome;
    this.context.logger.info(
      {
        localRunId: this.runId,
        mode,
        ...(this.baseRun === undefined ? {} : { baseRunId: this.baseRun.id, baseObjectsReplacedOrRemoved: removed }),
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
      if (this.delta !== undefined) {
        // A delta run is one transaction: rolling it back gives the base its table back. It is
        // then recorded as an aborted run of its own (`latestStoredRun` reports it).
        const description = statements.runById.get(this.runId)?.description ?? '';
        if (db.inTransaction) db.exec('ROLLBACK');
        db.transaction(() => {
          const id = Number(statements.insertRun.run(description, this.startedAt, 'incremental').lastInsertRowid);
          statements.abortRun.run(Date.now(), reason, id);
        }).immediate();
      } else {
        // Everything the run wrote is in its own table: dropping it is all there is to undo.
        db.transaction(() => {
          dropRunTable(db, this.runId);
          statements.abortRun.run(Date.now(), reason, this.runId);
        }).immediate();
      }
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
    if (this.delta === undefined && (entity._type === PERSON_ENTITY_TYPE || this.ownerOf(entity._key) !== undefined)) {
      this.batchOwners.set(entity._key, WRITTEN_EXPLICITLY);
    }
    // Written by the caller, so never a Person made from mappings (mapped 0), whatever its type.
    this.putObject('e', entity._key, entity._type, entity, undefined);
  }

  private putRelationship(relationship: GraphRelationship): void {
    assertEnvelope(relationship, 'relationship');
    if (!isMappedRelationship(relationship)) {
      if (!isNonEmptyString(relationship._fromEntityKey) || !isNonEmptyString(relationship._toEntityKey)) {
        throw invalidObject(relationship, 'relationship', 'has no _fromEntityKey/_toEntityKey (nor _mapping)');
      }
      this.putObject('r', relationship._key, relationship._type, relationship, undefined);
      return;
    }
    const { person, relationship: resolved } = resolveMappedRelationship(relationship);
    const sourceKey = relationship._mapping.sourceEntityKey;
    const mapping = { personKey: person._key, sourceKey, person: canonicalJson(person) };
    if (this.delta !== undefined) {
      // Which user's properties the Person takes depends on every relationship to it, most of
      // them in the base: resolved at finish, once the writes and deletions are all known.
      this.putObject('r', resolved._key, resolved._type, resolved, mapping);
      this.batchEffects.push((book) => book.persons.add(person._key));
      return;
    }
    const owner = this.ownerOf(person._key);
    if (owner === undefined || (owner !== WRITTEN_EXPLICITLY && sourceKey <= owner)) {
      this.putObject('e', person._key, person._type, person, 'person', mapping.person);
      this.batchOwners.set(person._key, sourceKey);
    }
    this.putObject('r', resolved._key, resolved._type, resolved, mapping);
  }

  /**
   * Writes one object. `mapping` is what a relationship resolved from a mapped one keeps of it,
   * or 'person' for a Person made from one (then `json` is its canonical JSON, already made).
   */
  private putObject(
    kind: ObjectKind,
    key: string,
    type: string,
    object: object,
    mapping: { personKey: string; sourceKey: string; person: string } | 'person' | undefined,
    json = canonicalJson(object),
  ): void {
    const edge = kind === 'r' ? (object as { _fromEntityKey?: unknown; _toEntityKey?: unknown; _class?: unknown }) : undefined;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    const resolved = typeof mapping === 'object' ? mapping : undefined;
    const params: PutParams = [
      kind,
      key,
      type,
      mapping === undefined ? 0 : 1,
      resolved?.personKey ?? null,
      resolved?.sourceKey ?? null,
      json,
      text(edge?._fromEntityKey),
      text(edge?._toEntityKey),
      typeof edge?._class === 'string' ? edge._class.toUpperCase() : null,
      kind === 'e' ? json : null,
      resolved?.person ?? null,
    ];
    if (this.delta !== undefined) {
      // The later write wins: the row it replaces goes first (through the unique index).
      for (const row of this.delta.statements.remove.all(kind, key)) {
        this.noteRemoved(row);
      }
      this.runStatements.put.run(...params);
      this.batchEffects.push((book) => book.added(kind, key, type, false));
    } else {
      this.runStatements.put.run(...params);
      addCount(this.batchAppended[kind], type, 1);
    }
    if (kind === 'e') {
      let properties = this.propertiesByType.get(type);
      if (!properties) {
        properties = new Set();
        this.propertiesByType.set(type, properties);
      }
      for (const name in object) properties.add(name);
    }
  }

  /** A delta run's deletion of one object (an entity with its relationships). */
  private deleteObject({ kind, key }: GraphObjectKey): void {
    const { statements } = this.delta as { statements: DeltaStatements };
    for (const row of statements.remove.all(kind, key)) {
      this.noteRemoved(row);
    }
    if (kind === 'e') {
      for (const row of [...statements.removeFrom.all(key), ...statements.removeTo.all(key)]) {
        this.noteRemoved(row);
      }
    }
  }

  /** A delta run's removal of the relationships one selector names. */
  private deleteRelationshipsOf({ type, fromKey, toKey }: RelationshipSelector): void {
    const { statements } = this.delta as { statements: DeltaStatements };
    const rows =
      fromKey !== undefined && toKey !== undefined
        ? statements.removeTypeBetween.all(fromKey, toKey, type)
        : fromKey !== undefined
          ? statements.removeTypeFrom.all(fromKey, type)
          : statements.removeTypeTo.all(toKey as string, type);
    for (const row of rows) {
      this.noteRemoved(row);
    }
  }

  /** A row a delta run's write or deletion removed, for the counts and the Persons to resolve again. */
  private noteRemoved(row: RemovedRow): void {
    this.batchEffects.push((book) => book.removed(row));
  }

  private commitRun({ partialTypes, mode, watermarks }: CommitOptions): CommitOutcome {
    const { db, statements } = this.context;
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
    const properties = new Map<string, Set<string>>();
    for (const [type, names] of this.propertiesByType) properties.set(type, new Set(names));
    for (const type of carried.e.keys()) {
      const names = properties.get(type) ?? new Set<string>();
      const carriedNames = db
        .prepare(`SELECT DISTINCT j.key AS name FROM ${runTableName(this.runId)} o, json_each(o.props) j WHERE o.kind = 'e' AND o.carried = 1 AND o.type = ?`)
        .all(type) as { name: string }[];
      for (const { name } of carriedNames) names.add(name);
      properties.set(type, names);
    }
    const inheritedLastFullAt = mode === 'full' ? null : (previous?.last_full_at ?? null);
    return {
      ...this.recordCommit({ counts, properties, mode, watermarks, partialTypes, inheritedLastFullAt }),
      carried: counts.carried,
      removed: 0,
    };
  }

  /**
   * A delta run's commit: the table already holds its graph (the base's rows, the writes and
   * deletions applied) and every index. What is left: the Persons whose relationships changed,
   * the counts (the base's, plus and minus what changed), the views' columns (the base's, checked
   * again only for the types that lost or changed entities), and the run's row.
   */
  private commitDeltaRun({ partialTypes, mode, watermarks }: CommitOptions, delta: { statements: DeltaStatements; book: DeltaBook }): CommitOutcome {
    // A copy: if the commit rolls back, the session (still open, to be aborted) keeps its book as it was.
    const book = delta.book.clone();
    const properties = new Map<string, Set<string>>();
    for (const [type, names] of this.propertiesByType) properties.set(type, new Set(names));
    this.resolvePersons(delta.statements, book, properties);

    const written: KindCounts = { e: new Map(), r: new Map() };
    for (const { kind, type } of book.written.values()) addCount(written[kind], type, 1);
    const counts = tallyCounts(written, { e: new Map(), r: new Map() });
    counts.entities = sortedRecord(book.totals.e);
    counts.relationships = sortedRecord(book.totals.r);
    counts.carried = sum(counts.entities) + sum(counts.relationships) - sum(counts.writtenEntities) - sum(counts.writtenRelationships);

    const baseProperties = JSON.parse((this.context.base as RunRow).entity_properties) as Record<string, string[]>;
    const columns = new Map<string, Set<string>>();
    for (const type of Object.keys(counts.entities)) {
      const names = new Set([...(baseProperties[type] ?? []), ...viewColumnNames(properties.get(type) ?? [])]);
      // A name can only have gone with a row that left: the types that lost or replaced none keep theirs.
      columns.set(type, book.touched.has(type) ? new Set([...names].filter((name) => delta.statements.hasProperty.get(type, `$."${name}"`) !== undefined)) : names);
    }
    endTakeOver(this.context.db, this.runId);
    return {
      ...this.recordCommit({ counts, properties: columns, mode, watermarks, partialTypes, inheritedLastFullAt: (this.context.base as RunRow).last_full_at }),
      carried: counts.carried,
      removed: book.changedInBase,
    };
  }

  /**
   * A delta run's Person entities, resolved again for each Person a changed relationship resolves
   * (or resolved) to, as a full run would resolve them: made from the relationship with the
   * smallest source key, gone when no relationship resolves to it any more, and left alone when
   * the caller wrote it itself.
   */
  private resolvePersons(statements: DeltaStatements, book: DeltaBook, properties: Map<string, Set<string>>): void {
    for (const personKey of [...book.persons].sort()) {
      const current = statements.entity.get(personKey);
      if (current !== undefined && current.mapped === 0) continue;
      const source = statements.personSource.get({ key: personKey });
      for (const row of statements.remove.all('e', personKey)) book.removed(row, source === undefined);
      if (source === undefined) continue;
      const carried = !book.written.has(`r\0${source.key}`);
      // Made from a relationship of the base, it is carried like the base's objects (not this run's write).
      statements.putPerson.run(personKey, PERSON_ENTITY_TYPE, carried ? 1 : 0, source.person, source.person);
      book.added('e', personKey, PERSON_ENTITY_TYPE, carried);
      let names = properties.get(PERSON_ENTITY_TYPE);
      if (!names) {
        names = new Set();
        properties.set(PERSON_ENTITY_TYPE, names);
      }
      for (const name of Object.keys(JSON.parse(source.person) as object)) names.add(name);
    }
  }

  /** The end of both commits: views, the run's row, pruning. */
  private recordCommit(commit: {
    counts: ReturnType<typeof tallyCounts>;
    properties: ReadonlyMap<string, Iterable<string>>;
    mode: RunMode;
    watermarks: Record<string, string>;
    partialTypes: readonly string[];
    inheritedLastFullAt: number | null;
  }): PublishResult & { pruned: number } {
    const { db, statements, keepRuns } = this.context;
    const { counts } = commit;
    const columns = new Map<string, Set<string>>();
    for (const [type, names] of commit.properties) columns.set(type, new Set(viewColumnNames(names)));
    replaceReadViews(db, this.runId, columns);
    const entityProperties = Object.fromEntries([...columns].filter(([type]) => (counts.entities[type] ?? 0) > 0).sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, names]) => [type, [...names].sort()]));
    const changes = statements.commitRun.run({
      id: this.runId,
      finishedAt: Date.now(),
      partialTypes: JSON.stringify(commit.partialTypes),
      entities: JSON.stringify(counts.entities),
      relationships: JSON.stringify(counts.relationships),
      writtenEntities: JSON.stringify(counts.writtenEntities),
      writtenRelationships: JSON.stringify(counts.writtenRelationships),
      mode: commit.mode,
      watermarks: JSON.stringify(commit.watermarks),
      inheritedLastFullAt: commit.inheritedLastFullAt,
      entityProperties: JSON.stringify(entityProperties),
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
      if (this.delta !== undefined) {
        for (const effect of this.batchEffects) effect(this.delta.book);
      }
    } catch (error) {
      throw this.wrapWriteError(error, 'write');
    } finally {
      this.batchOwners.clear();
      this.batchAppended.e.clear();
      this.batchAppended.r.clear();
      this.batchEffects.length = 0;
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

/**
 * What a delta run changed, kept as its batches commit, so that `finish` counts without reading
 * the table: the counts start from the base's and follow every row added and removed.
 */
class DeltaBook {
  private constructor(
    /** The run's objects by kind and `_type`. */
    readonly totals: KindCounts,
    /** The objects this run wrote that are still in its graph (by kind and key), with their `_type`. */
    readonly written: Map<string, { kind: ObjectKind; type: string }>,
    /** Persons that a changed relationship resolves or resolved to: resolved again at finish. */
    readonly persons: Set<string>,
    /** Entity types that lost or replaced an entity: their views' columns are checked again (gaining one only adds names). */
    readonly touched: Set<string>,
    /** How many of the base's objects the run removed or replaced. */
    public changedInBase: number,
  ) {}

  static of(base: RunRow): DeltaBook {
    const counts = (json: string) => new Map(Object.entries(JSON.parse(json) as Record<string, number>));
    return new DeltaBook({ e: counts(base.entity_counts), r: counts(base.relationship_counts) }, new Map(), new Set(), new Set(), 0);
  }

  clone(): DeltaBook {
    return new DeltaBook({ e: new Map(this.totals.e), r: new Map(this.totals.r) }, new Map(this.written), new Set(this.persons), new Set(this.touched), this.changedInBase);
  }

  added(kind: ObjectKind, key: string, type: string, carried: boolean): void {
    addCount(this.totals[kind], type, 1);
    if (!carried) this.written.set(`${kind}\0${key}`, { kind, type });
  }

  /** A row removed; `change` false when it is only made again (a Person resolved again), not a change of the base. */
  removed(row: RemovedRow, change = true): void {
    addCount(this.totals[row.kind], row.type, -1);
    // A row this run wrote, or one of its base (whatever its carried column says: a delta run's
    // table is its base's, whose own writes are not carried).
    const key = `${row.kind}\0${row.key}`;
    if (this.written.has(key)) {
      this.written.delete(key);
    } else if (change) {
      this.changedInBase += 1;
    }
    if (row.person_key !== null) this.persons.add(row.person_key);
    if (row.kind === 'e') this.touched.add(row.type);
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

/** The watermarks as recorded: organization ids (non-empty) to RFC 3339 timestamps; anything else is `LOCAL_GRAPH_INVALID_OPTIONS`. */
function checkedWatermarks(watermarks: Readonly<Record<string, string>>): Record<string, string> {
  if (typeof watermarks !== 'object' || watermarks === null || Array.isArray(watermarks)) {
    throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', 'finish: watermarks must be an object of organization id to RFC 3339 timestamp');
  }
  const checked: Record<string, string> = {};
  for (const orgId of Object.keys(watermarks).sort()) {
    const value: unknown = watermarks[orgId];
    if (orgId === '' || typeof value !== 'string' || !RFC_3339.test(value) || Number.isNaN(Date.parse(value))) {
      throw new LocalGraphStoreError('LOCAL_GRAPH_INVALID_OPTIONS', `finish: the watermark of organization ${JSON.stringify(orgId)} must be an RFC 3339 timestamp, got ${JSON.stringify(value)}`);
    }
    checked[orgId] = value;
  }
  return checked;
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
