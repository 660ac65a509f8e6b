export { backoffDelay, parseRetryAfter, retryDelay, type RetryOptions, sleep, untilAborted } from './lib/retry';
export { describeError, errorCode, failureReason, scrubError } from './lib/fetch-errors';
export { checkSecretUrl, InsecureUrlError, isLoopbackHost, type SecretUrlOptions } from './lib/secret-url';
export { createRequestFetch, type RequestFetch, type RequestFetchOptions } from './lib/request-fetch';
