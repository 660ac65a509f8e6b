import { type DeltaPublishSession, type Entity, type Logger, type PublishResult, type PublishSessionOptions, type Relationship, type RelationshipSelector } from '@jumpcloud-graph/domain';

/** Options of `LocalGraphStore.open`. */
export interface LocalGraphStoreOptions {
  /** Where run lifecycle events go (never object contents). Default: silent. */
  logger?: Logger;
  /**
   * Committed runs kept (the newest ones); at least 2 so `diff` works. Default 2. Each kept run is
   * a full copy of the graph in the database file, which holds one more while a run is written.
   */
  keepRuns?: number;
  /**
   * When the database file does not exist yet:
   * - `true` (the default): `open` creates it, and its missing folders;
   * - `'on-first-session'`: `open` only checks that it could be created, and the first
   *   `openSession` creates it, so a sync that fails before it has anything to write leaves
   *   nothing behind; until then the store reads as one without runs;
   * - `false` (readers): `open` throws `LOCAL_GRAPH_NOT_FOUND` and creates nothing.
   *
   * Whatever this says, an existing file is only read until it is known to be a jumpcloud-graph
   * database (else `LOCAL_GRAPH_NOT_OURS`, the file left as it was).
   */
  create?: boolean | 'on-first-session';
}

/** A run's status: `running` until `finish` (committed) or `abort`/a crash (aborted). */
export type RunStatus = 'running' | 'committed' | 'aborted';

/**
 * How a run's sync read JumpCloud: `full` (everything) or `incremental` (only what changed since
 * the previous run, applied to that run's graph by a delta run).
 */
export type RunMode = 'full' | 'incremental';

/** Options of `LocalGraphStore.openSession`. */
export interface LocalGraphSessionOptions extends PublishSessionOptions {
  /**
   * What the run's graph starts from:
   * - `'empty'` (the default): nothing. The run's graph is what it writes (plus the previous run's
   *   objects of its partial types): a full sync, with DIFF semantics.
   * - `'latest'`: the latest committed run's graph (a delta run). The session's writes replace
   *   objects with the same kind and `_key`, and `deleteObjects` removes objects; everything else
   *   stays as it was. Throws `LOCAL_GRAPH_NO_BASE` when no committed run can be the base (none,
   *   or one written before schema version 3: run a full sync first).
   */
  startFrom?: 'empty' | 'latest';
}

/** An object of the graph by its kind ('e'ntity or 'r'elationship) and `_key`, for `deleteObjects`. */
export interface GraphObjectKey {
  kind: 'e' | 'r';
  key: string;
}

/** Options of a local graph session's `finish`. */
export interface LocalGraphFinishOptions {
  /** Types whose previous objects survive when not written again (a full run; a delta run keeps everything anyway). */
  partialTypes: readonly string[];
  /**
   * Per JumpCloud organization id, the RFC 3339 timestamp of the last Directory Insights event
   * the sync processed: where the next incremental sync reads from. Recorded as given (an
   * organization left out has no watermark on this run). Default `{}`.
   */
  watermarks?: Readonly<Record<string, string>>;
  /**
   * Default: `incremental` for a delta run, `full` otherwise. A delta run cannot be `full` (it
   * did not read everything): `LOCAL_GRAPH_INVALID_OPTIONS`.
   */
  mode?: RunMode;
}

/**
 * A session of the local graph store, in this thread (`LocalGraphSession`) or in a worker
 * (`LocalGraphWorkerPublisher`): a `PublishSession` that can also delete objects of a delta run,
 * and records watermarks and the sync's mode when it finishes.
 */
export interface LocalGraphPublishSession extends DeltaPublishSession {
  /** The run's id (`PublishResult.runId` is its decimal string). */
  readonly runId: number;
  /** The committed run a delta run started from (read its `watermarks`); undefined for a full run. */
  readonly baseRun: RunInfo | undefined;
  /**
   * Delta runs only (else `LOCAL_GRAPH_INVALID_OPTIONS`): removes these objects from the run's
   * graph, in one transaction. Deleting an entity also removes every relationship that has it at
   * either end (a Person entity made from mapped relationships then goes too once no relationship
   * resolves to it, as a full run would not make it). Writes and deletions apply in the order
   * they are made: an object written after its deletion is in the graph, one written before is
   * not. Keys the graph does not hold are ignored.
   */
  deleteObjects(keys: readonly GraphObjectKey[]): Promise<void>;
  /**
   * Delta runs only: removes every relationship of `type` from `fromKey` (or to `toKey`; both:
   * those between the two), in one transaction, as `deleteObjects` would remove each.
   */
  deleteRelationships(selectors: readonly RelationshipSelector[]): Promise<void>;
  /** Delta runs only: the entities of the run's graph now with these keys (unknown keys left out), ordered by key. */
  readEntities(keys: readonly string[]): Promise<Entity[]>;
  finish(options: LocalGraphFinishOptions): Promise<PublishResult>;
}

/** One sync run of the local store, as `listRuns`/`latestRun` report it. */
export interface RunInfo {
  id: number;
  status: RunStatus;
  /** The session's description (the account name). */
  description: string;
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt: number | null;
  partialTypes: string[];
  /** The run's graph by `_type` (what `exportGraph(id)` returns: written plus carried over). Empty unless committed. */
  entities: Record<string, number>;
  relationships: Record<string, number>;
  /** What the run itself wrote by `_type` (its `PublishResult`); differs from the above only for partial types. */
  written: { entities: Record<string, number>; relationships: Record<string, number> };
  /** Why the run was aborted; null otherwise. */
  abortReason: string | null;
  /** `full` or `incremental` (a delta run); runs older than schema version 3 are `full`. */
  mode: RunMode;
  /** Per organization id, the Directory Insights watermark the run recorded (RFC 3339); `{}` if none. */
  watermarks: Record<string, string>;
  /**
   * When (epoch ms) the full sync this run's graph descends from started: its own `startedAt` for
   * a full run, its base's for a delta run, so "a full sync every 24 h" can be decided from the
   * latest run even after that full run was pruned. Null until the run commits.
   */
  lastFullSyncAt: number | null;
}

/** A top-level property's value before and after (`null` on the side where the property is absent). */
export interface PropertyChange {
  from: unknown;
  to: unknown;
}

/**
 * The top-level properties that differ between two versions of an object, in sorted order: each
 * a {@link PropertyChange}, except `_rawData`, which is only ever `{}` (it changed; its values
 * are not repeated).
 */
export type PropertyChanges = Record<string, PropertyChange | Record<string, never>>;

/** What changed in one updated object. */
export interface UpdatedDetail {
  key: string;
  changes: PropertyChanges;
}

/** Keys (`_key`, sorted) of one `_type` that changed between two runs. */
export interface TypeChanges {
  created: string[];
  updated: string[];
  deleted: string[];
  /** One entry per key of `updated`, in the same order: which properties changed, and how. */
  updatedDetails: UpdatedDetail[];
}

/**
 * What changed between two committed runs, by `_type` (the `diff --json` output). Types without
 * changes are left out. "Updated" means the stored object differs (a property or `_rawData`).
 */
export interface GraphDiff {
  from: number;
  to: number;
  entities: Record<string, TypeChanges>;
  relationships: Record<string, TypeChanges>;
}

/** A committed run's whole graph: entities (Person entities included) and plain relationships. */
export interface ExportedGraph {
  entities: Entity[];
  relationships: Relationship[];
}

/** What `exportJ1Integration` wrote. */
export interface J1IntegrationExportResult {
  files: number;
  entities: number;
  relationships: number;
}
