/** A graph object as uploaded and stored: JSON, checked by `validateEntity`/`validateRelationship`. */
export type GraphObject = Record<string, unknown>;

/** The objects of one dataset, each list sorted by `_key`. */
export interface StoredGraph {
  entities: Record<string, unknown>[];
  relationships: Record<string, unknown>[];
}

/** What a synchronization job writes into: `{ scope }` for source api, `{ integrationInstanceId }` for integration sources. */
export type DatasetRef = { scope: string } | { integrationInstanceId: string };

/**
 * `api` uploads to a scope; the integration sources to an integration instance. JupiterOne's SDK
 * runs integrations with `integration-managed` (its default, also outside JupiterOne's
 * infrastructure) or `integration-external`; the fake treats the two alike.
 */
export type SyncSource = 'api' | 'integration-managed' | 'integration-external';

/** DIFF deletes what a job did not upload again; CREATE_OR_UPDATE never deletes. */
export type SyncMode = 'DIFF' | 'CREATE_OR_UPDATE';

export type SyncJobStatus =
  | 'AWAITING_UPLOADS'
  | 'FINALIZE_PENDING'
  | 'FINALIZING_ENTITIES'
  | 'FINALIZING_RELATIONSHIPS'
  | 'ABORTED'
  | 'FINISHED'
  | 'ERROR_BAD_DATA';

/** The finalize outcome counters, zero until the job is FINISHED. */
export interface FinalizeCounts {
  numEntitiesCreated: number;
  numEntitiesUpdated: number;
  numEntitiesDeleted: number;
  numRelationshipsCreated: number;
  numRelationshipsUpdated: number;
  numRelationshipsDeleted: number;
  numMappedRelationshipsCreated: number;
  numMappedRelationshipsUpdated: number;
  numMappedRelationshipsDeleted: number;
}

/** An event an integration published to its job (`POST .../jobs/{id}/events`), as JupiterOne's SDK sends it. */
export interface FakeJobEvent {
  name: string;
  description: string;
  /** Sent by later SDK releases only. */
  level?: string;
}

/** A synchronization job as the API returns it (`{ "job": FakeJob }`), with the field names of JupiterOne's SynchronizationJob. */
export interface FakeJob extends FinalizeCounts {
  id: string;
  source: SyncSource;
  /** null for integration sources. */
  scope: string | null;
  /** null for source api. */
  integrationInstanceId: string | null;
  /**
   * Integration sources: the integrationJobId sent at the start, which is also the job's `id`; when
   * none was sent, a new integration job of the same id as this job, as JupiterOne creates one.
   * null for source api.
   */
  integrationJobId: string | null;
  accountId: string;
  syncMode: SyncMode;
  status: SyncJobStatus;
  /** True once the job can change no more (FINISHED, ABORTED, ERROR_BAD_DATA). */
  done: boolean;
  /** Epoch milliseconds. */
  startTimestamp: number;
  numEntitiesUploaded: number;
  numEntityCreateErrors: number;
  numEntityUpdateErrors: number;
  numEntityDeleteErrors: number;
  /** Every relationship uploaded, plain and mapped. */
  numRelationshipsUploaded: number;
  numRelationshipCreateErrors: number;
  numRelationshipUpdateErrors: number;
  numRelationshipDeleteErrors: number;
  /** The mapped ones (with `_mapping`) among numRelationshipsUploaded; not a JupiterOne field. */
  numMappedRelationshipsUploaded: number;
  numMappedRelationshipCreateErrors: number;
  numMappedRelationshipUpdateErrors: number;
  numMappedRelationshipDeleteErrors: number;
  /** The reason sent with abort; not a JupiterOne field. */
  abortReason?: string;
  /** The events published to the job, in order, once there is one; not a JupiterOne field. */
  events?: FakeJobEvent[];
}
