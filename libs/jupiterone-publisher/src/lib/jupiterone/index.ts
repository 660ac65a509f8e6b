export { jupiterOneBaseUrl, isJupiterOneRegion, type JupiterOneRegion } from './jupiterone-region';
export {
  DEFAULT_BATCH_BYTES,
  DEFAULT_UPLOAD_CONCURRENCY,
  defaultJupiterOneScope,
  type JupiterOneJobConfiguration,
  jupiterOneJobConfiguration,
  JupiterOneSyncPublisher,
  type JupiterOneSyncPublisherOptions,
  type JupiterOneSyncTarget,
} from './jupiterone-sync-publisher';
export { type JupiterOneResult, JupiterOneSyncSession } from './jupiterone-sync-session';
export { type JupiterOneJobSummary, type JupiterOneReport, jupiterOneReportOf, type JupiterOneUploadStats } from './jupiterone-job';
export {
  JupiterOneAuthError,
  type JupiterOneEndpoint,
  JupiterOneJobError,
  type JupiterOneJobErrorCode,
  JupiterOneRequestError,
  type JupiterOneRequestErrorCode,
} from './jupiterone-errors';
// What a consumer may meet in its data: the marker left where a too-large `_rawData` value was
// cut to fit a request. The batching itself is internal.
export { TRUNCATED_MARKER } from './jupiterone-batching';
