export { backoffDelay, parseRetryAfter, retryDelay, type RetryOptions, sleep } from './lib/retry';
export { describeError, errorCode, failureReason, scrubError } from './lib/fetch-errors';
