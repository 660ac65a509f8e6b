/**
 * Base of every error this project throws on purpose.
 *
 * `code` is stable (scripts and tests match on it), `fatal` says whether the whole run must stop
 * (true) or only the step that met it (false), and `cause` keeps the underlying error.
 * Messages never carry secrets: throwers scrub them before constructing the error.
 */
export abstract class IntegrationError extends Error {
  abstract readonly code: string;
  readonly fatal: boolean;

  constructor(message: string, options: { fatal: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.fatal = options.fatal;
  }
}

/**
 * The source refused our credentials (HTTP 401 or 403). Fatal: retrying cannot help, and the
 * CLI exits with code 2 at once.
 */
export class SourceAuthError extends IntegrationError {
  readonly code: string = 'SOURCE_AUTH_ERROR';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { fatal: true, cause: options.cause });
  }
}

/**
 * A request to the source failed after its retries were spent, or could not be sent at all
 * (unreachable host, timeout). Fails the step that made it; the run goes on with other steps.
 */
export class SourceRequestError extends IntegrationError {
  readonly code: string = 'SOURCE_REQUEST_ERROR';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { fatal: false, cause: options.cause });
  }
}

/**
 * The source answered with something that does not match its contract (malformed JSON, a page
 * of the wrong shape). Fails the step that read it.
 */
export class SourceResponseError extends IntegrationError {
  readonly code: string = 'SOURCE_RESPONSE_ERROR';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { fatal: false, cause: options.cause });
  }
}

/**
 * The source does not offer what was asked for this organization (a feature its plan lacks, such
 * as System Insights, answered with HTTP 403). Not fatal, and not a failure of the step that asked:
 * what the feature would add is left out.
 */
export class SourceFeatureUnavailableError extends IntegrationError {
  readonly code: string = 'SOURCE_FEATURE_UNAVAILABLE';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { fatal: false, cause: options.cause });
  }
}

/** Configuration that cannot be used (bad value, missing secret). Fatal; exit code 2. */
export class ConfigurationError extends IntegrationError {
  readonly code: string = 'CONFIGURATION_ERROR';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { fatal: true, cause: options.cause });
  }
}

/**
 * The publisher's target refused our credentials (HTTP 401 or 403). Fatal; the CLI exits with
 * code 2, as for the source. Each target subclasses it with its own `code`.
 */
export class TargetAuthError extends IntegrationError {
  readonly code: string = 'TARGET_AUTH_ERROR';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { fatal: true, cause: options.cause });
  }
}
