export { defaultErrorCode, errorBody, FakeApiError, type FakeErrorBody } from './lib/api-error';
export { checkFault, FAKE_ENDPOINTS, type FakeEndpoint, type FakeFault } from './lib/faults';
export {
  ACCOUNT_HEADERS,
  CORRELATION_ID_HEADERS,
  DEFAULT_ACCOUNT,
  DEFAULT_API_KEY,
  DEFAULT_BODY_LIMIT_BYTES,
  JupiterOneFake,
  startJupiterOneFake,
  type FakeRequestRecord,
  type FakeStats,
  type JupiterOneFakeOptions,
} from './lib/fake';
export type { DatasetRef, FakeJob, FakeJobEvent, FinalizeCounts, StoredGraph, SyncJobStatus, SyncMode, SyncSource } from './lib/job.types';
export { datasetId, type FakeState } from './lib/synchronization';
export { entityProblem, MAX_KEY_LENGTH, MIN_KEY_LENGTH, relationshipProblem } from './lib/validation';
