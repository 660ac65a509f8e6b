import { ConfigurationError, SourceAuthError, SourceFeatureUnavailableError, SourceRequestError, SourceResponseError } from '@jumpcloud-graph/domain';

/**
 * JumpCloud answered 401 or 403: the key is wrong, revoked, or has no access to the organization.
 * Thrown on the first such answer, never retried; the CLI exits 2.
 */
export class JumpCloudAuthError extends SourceAuthError {
  override readonly code = 'JUMPCLOUD_AUTH_ERROR';
  constructor(
    message: string,
    readonly status: number,
    readonly endpoint: string,
  ) {
    super(message);
  }
}

/**
 * JumpCloud answered an error status that retries did not cure (or that retries cannot cure,
 * such as 400 or 404). Fails the step that made the request.
 */
export class JumpCloudApiError extends SourceRequestError {
  override readonly code = 'JUMPCLOUD_API_ERROR';
  constructor(
    message: string,
    readonly status: number,
    readonly endpoint: string,
  ) {
    super(message);
  }
}

/**
 * JumpCloud answered 403 on a plan feature's endpoint (System Insights): the organization's plan
 * does not include it, or the key may not read it. Not fatal: the feature's data is left out.
 */
export class JumpCloudFeatureUnavailableError extends SourceFeatureUnavailableError {
  override readonly code = 'JUMPCLOUD_FEATURE_UNAVAILABLE';
  constructor(
    message: string,
    readonly feature: string,
    readonly endpoint: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/**
 * Directory Insights cannot be read: it answered 401, 403 or 404 (the organization's plan or the
 * key gives no access to it, or a JumpCloud-compatible server has no such endpoint), or no
 * Directory Insights address is known for the console in use (`status` null, nothing was sent).
 * Not fatal, and not an ordinary failure: an incremental sync falls back to a full one, and last
 * logins are left out. A 5xx that retries did not cure stays a `JumpCloudApiError`.
 */
export class DirectoryInsightsUnavailableError extends SourceFeatureUnavailableError {
  override readonly code = 'JUMPCLOUD_DIRECTORY_INSIGHTS_UNAVAILABLE';
  readonly feature = 'Directory Insights';
  constructor(
    message: string,
    readonly status: number | null,
    readonly endpoint: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/**
 * The request never got an HTTP answer: the host is unreachable, the connection was reset on
 * every attempt, or every attempt timed out.
 */
export class JumpCloudNetworkError extends SourceRequestError {
  override readonly code = 'JUMPCLOUD_NETWORK_ERROR';
  constructor(
    message: string,
    readonly endpoint: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** JumpCloud answered 2xx with a body that is not what the API documents (bad JSON, wrong shape). */
export class JumpCloudResponseError extends SourceResponseError {
  override readonly code = 'JUMPCLOUD_RESPONSE_ERROR';
  constructor(
    message: string,
    readonly endpoint: string,
  ) {
    super(message);
  }
}

/** Options given to `createJumpCloudClient` that cannot work (bad base URL, insecure http). */
export class JumpCloudClientConfigError extends ConfigurationError {
  override readonly code = 'JUMPCLOUD_CLIENT_CONFIG_ERROR';
}
