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
export { JupiterOneSyncSession } from './jupiterone-sync-session';
export {
  JupiterOneAuthError,
  type JupiterOneEndpoint,
  JupiterOneJobError,
  type JupiterOneJobErrorCode,
  JupiterOneRequestError,
  type JupiterOneRequestErrorCode,
} from './jupiterone-errors';
export {
  batchBySize,
  bodyBytes,
  envelopeBytes,
  type RawDataTruncation,
  requestBody,
  type SerializedObject,
  serializeObject,
  splitBatch,
  TRUNCATED_MARKER,
  truncateRawData,
  type UploadKind,
} from './jupiterone-batching';
export { parseRetryAfter } from '@jumpcloud-graph/http-retry';
