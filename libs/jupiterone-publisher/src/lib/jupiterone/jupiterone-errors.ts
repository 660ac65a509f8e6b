import { IntegrationError, TargetAuthError } from '@jumpcloud-graph/domain';

/** The calls this publisher makes to the synchronization API, as named in logs and errors. */
export type JupiterOneEndpoint = 'start' | 'entities' | 'relationships' | 'finalize' | 'abort' | 'status' | 'graphql';

/** JupiterOne refused the API key or the account (HTTP 401 or 403). Fatal; the CLI exits with code 2. */
export class JupiterOneAuthError extends TargetAuthError {
  override readonly code: string = 'JUPITERONE_AUTH_ERROR';
  constructor(
    message: string,
    readonly status: number,
    readonly endpoint: JupiterOneEndpoint,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export type JupiterOneRequestErrorCode =
  /** A 4xx other than those below: the request itself is wrong (BAD_DATA, DUPLICATE_KEY, ...). */
  | 'JUPITERONE_REQUEST_ERROR'
  /** The job ended (aborted, expired, finalized) while this run still had something to send. */
  | 'JUPITERONE_JOB_NOT_AWAITING_UPLOADS'
  /** One object is still too large for a request after its `_rawData` was cut. */
  | 'JUPITERONE_PAYLOAD_TOO_LARGE'
  /** 429, 5xx, resets or timeouts outlasted the attempts, or the host cannot be reached. */
  | 'JUPITERONE_UNAVAILABLE'
  /** A successful answer whose body is not what the API documents. */
  | 'JUPITERONE_RESPONSE_ERROR';

/**
 * A synchronization API request that failed for good. Always fatal: a run with a lost upload
 * must not be finalized (DIFF would delete what was lost), so it is aborted instead.
 */
export class JupiterOneRequestError extends IntegrationError {
  readonly code: JupiterOneRequestErrorCode;
  readonly endpoint: JupiterOneEndpoint;
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  /** The server's `error.code`, when it gave one. */
  readonly serverCode: string | undefined;
  /** The `X-Correlation-Id` of the failed request, to find it in the server's logs. */
  readonly correlationId: string | undefined;

  constructor(
    code: JupiterOneRequestErrorCode,
    message: string,
    details: { endpoint: JupiterOneEndpoint; status?: number; serverCode?: string; correlationId?: string; cause?: unknown },
  ) {
    super(message, { fatal: true, cause: details.cause });
    this.code = code;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.serverCode = details.serverCode;
    this.correlationId = details.correlationId;
  }
}

export type JupiterOneJobErrorCode =
  /** The finalized job ended in a status other than FINISHED (ABORTED, ERROR_BAD_DATA, ...). */
  | 'JUPITERONE_JOB_FAILED'
  /** The finalized job was still running when `waitTimeoutMs` ran out. */
  | 'JUPITERONE_JOB_TIMEOUT'
  /** A write, `finish` or `uninstall` on a session that already ended. */
  | 'JUPITERONE_SESSION_CLOSED';

/** The synchronization job did not end as it should. Fatal. */
export class JupiterOneJobError extends IntegrationError {
  readonly code: JupiterOneJobErrorCode;
  readonly jobId: string;
  /** The job's last known status. */
  readonly status: string | undefined;

  constructor(code: JupiterOneJobErrorCode, message: string, details: { jobId: string; status?: string; cause?: unknown }) {
    super(message, { fatal: true, cause: details.cause });
    this.code = code;
    this.jobId = details.jobId;
    this.status = details.status;
  }
}
