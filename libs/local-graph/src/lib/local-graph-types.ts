import { type Entity, type Logger, type Relationship } from '@jumpcloud-graph/domain';

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
