export { LocalGraphStore } from './lib/local-graph-store';
export type { LocalGraphSession } from './lib/local-graph-session';
export { LocalGraphStoreError, type LocalGraphStoreErrorCode } from './lib/local-graph-store.errors';
export { LOCAL_GRAPH_SCHEMA_VERSION } from './lib/local-graph-schema';
export { PERSON_ENTITY_TYPE } from './lib/local-graph-mapped-relationship';
export type {
  ExportedGraph,
  GraphDiff,
  GraphObjectKey,
  J1IntegrationExportResult,
  LocalGraphFinishOptions,
  LocalGraphPublishSession,
  LocalGraphSessionOptions,
  LocalGraphStoreOptions,
  PropertyChange,
  PropertyChanges,
  RunInfo,
  RunMode,
  RunStatus,
  TypeChanges,
  UpdatedDetail,
} from './lib/local-graph-types';
export { propertyChanges } from './lib/local-graph-property-changes';
export {
  isLocalGraphWorkerData,
  type LocalGraphWorkerData,
  LocalGraphWorkerPublisher,
  serveLocalGraphStore,
  serveLocalGraphThread,
} from './lib/local-graph-worker';
export { type AlertEvaluationRecord, type AlertFindingRecord, type AlertFindingStatus, KEPT_DONE_FINDINGS, LocalGraphAlertState, type StoredAlertFinding } from './lib/local-graph-alerts';
