export { LocalGraphStore } from './lib/local-graph-store';
export type { LocalGraphSession } from './lib/local-graph-session';
export { LocalGraphStoreError, type LocalGraphStoreErrorCode } from './lib/local-graph-store.errors';
export { LOCAL_GRAPH_SCHEMA_VERSION } from './lib/local-graph-schema';
export { PERSON_ENTITY_TYPE } from './lib/local-graph-mapped-relationship';
export type {
  ExportedGraph,
  GraphDiff,
  J1IntegrationExportResult,
  LocalGraphStoreOptions,
  RunInfo,
  RunStatus,
  TypeChanges,
} from './lib/local-graph-types';
export {
  isLocalGraphWorkerData,
  type LocalGraphWorkerData,
  LocalGraphWorkerPublisher,
  serveLocalGraphStore,
  serveLocalGraphThread,
} from './lib/local-graph-worker';
