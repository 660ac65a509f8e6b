import {
  ConfigurationError,
  type GraphPublisher,
  type Logger,
  type PublishResult,
  type PublishSessionOptions,
} from '@jumpcloud-graph/domain';
import { z } from 'zod';
import { checkSecretUrl, InsecureUrlError } from '@jumpcloud-graph/http-retry';
import { JupiterOneRequestError } from './jupiterone-errors';
import { errorBody, JupiterOneHttp } from './jupiterone-http';
import { jobResponseSchema } from './jupiterone-job';
import { DEFAULT_JUPITERONE_RETRY } from './jupiterone-retry';
import { JupiterOneSyncSession } from './jupiterone-sync-session';

/** Where the data goes: an integration instance's job, or an API-sourced `scope`. */
export type JupiterOneSyncTarget = { integrationInstanceId: string } | { scope?: string };

export interface JupiterOneSyncPublisherOptions {
  apiKey: string;
  /** The JupiterOne account id (`JupiterOne-Account` header). */
  account: string;
  /**
   * The API's base URL, already resolved (see `jupiterOneBaseUrl`). The API key travels to it, so
   * it must be https or loopback (see `allowInsecureHttp`), and never carry user:password@.
   */
  baseUrl: string;
  /** Allow an `http://` base URL that is not loopback (default off: the key would travel in clear). */
  allowInsecureHttp?: boolean;
  /**
   * `{ integrationInstanceId }`: an `integration-external` job of that instance. `{ scope }`: an
   * `api` job of that scope; without `scope`, `jumpcloud-graph:<organization ids>` of the session.
   */
  target: JupiterOneSyncTarget;
  /** Largest request body, in bytes (default 5,000,000; JupiterOne's own limit is a little above). */
  batchBytes?: number;
  /** Uploads in flight at once, both kinds together (default 6). */
  uploadConcurrency?: number;
  /** Attempts per request, the first included (default 6). */
  maxAttempts?: number;
  /** Per attempt, the answer's body included (default 60,000). */
  requestTimeoutMs?: number;
  /** Ceiling of the first backoff; it doubles per attempt (default 500). */
  retryBaseMs?: number;
  /** The backoff never grows past this (default 30,000). */
  retryMaxMs?: number;
  /** A `Retry-After` longer than this is cut to it (default 120,000). */
  retryAfterMaxMs?: number;
  /** `finish` (and `uninstall`) poll the job until it ends and report its graph changes. */
  wait?: boolean;
  /** Between two polls (default 2,000). */
  pollIntervalMs?: number;
  /** How long `wait` waits for the job to end (default 30 minutes). */
  waitTimeoutMs?: number;
  logger: Logger;
  /** For tests: the fetch to use (default the global one). */
  fetch?: typeof globalThis.fetch;
  /** For tests: the jitter's random source (default Math.random). */
  random?: () => number;
}

/** The GraphQL operation of `verifyCredentials`: JupiterOne's J1QL query field. */
const VERIFY_QUERY = 'query VerifyCredentials($query: String!) { queryV1(query: $query) { type data } }';

const graphQlAnswerSchema = z.object({
  data: z.object({ queryV1: z.object({ type: z.string().optional(), data: z.unknown() }).nullable().optional() }).nullable().optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

/** The body of `POST /persister/synchronization/jobs`. */
export type JupiterOneJobConfiguration =
  | { source: 'integration-external'; integrationInstanceId: string; syncMode: 'DIFF' }
  | { source: 'api'; scope: string; syncMode: 'DIFF' };

export const DEFAULT_BATCH_BYTES = 5_000_000;
export const DEFAULT_UPLOAD_CONCURRENCY = 6;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_POLL_INTERVAL_MS = 2_000;
const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;
/** Below this a batch holds hardly one object. */
const MIN_BATCH_BYTES = 1_024;
const SCOPE_PREFIX = 'jumpcloud-graph:';

/**
 * The scope of an `api` job for these organizations: `jumpcloud-graph:<id>[+<id>...]`. The ids
 * are sorted and deduplicated, so the scope does not change with the order organizations are
 * listed in (a changed scope would leave the old one's objects behind, never deleted).
 */
export function defaultJupiterOneScope(organizationIds: readonly string[] | undefined): string {
  const ids = [...new Set((organizationIds ?? []).map((id) => id.trim()).filter((id) => id !== ''))].sort();
  if (ids.length === 0) {
    throw new ConfigurationError(
      'a JupiterOne scope is needed: pass one, or the organization ids to derive it from (or an integration instance id)',
    );
  }
  return `${SCOPE_PREFIX}${ids.join('+')}`;
}

/** The start-job body for a target, the scope defaulted from the organizations. */
export function jupiterOneJobConfiguration(
  target: JupiterOneSyncTarget,
  organizationIds: readonly string[] | undefined,
): JupiterOneJobConfiguration {
  if ('integrationInstanceId' in target) {
    return { source: 'integration-external', integrationInstanceId: target.integrationInstanceId, syncMode: 'DIFF' };
  }
  const scope = target.scope?.trim() || defaultJupiterOneScope(organizationIds);
  return { source: 'api', scope, syncMode: 'DIFF' };
}

/**
 * A `GraphPublisher` on JupiterOne's persister synchronization API: each session is one DIFF
 * job (start, upload entities and relationships in batches, finalize with the partial types, or
 * abort). `uninstall` finalizes an empty job, which deletes everything this target holds.
 */
export class JupiterOneSyncPublisher implements GraphPublisher {
  private readonly settings: Required<Omit<JupiterOneSyncPublisherOptions, 'target' | 'logger'>>;

  constructor(private readonly options: JupiterOneSyncPublisherOptions) {
    this.settings = {
      apiKey: options.apiKey,
      account: options.account,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      allowInsecureHttp: options.allowInsecureHttp ?? false,
      batchBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
      uploadConcurrency: options.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY,
      maxAttempts: options.maxAttempts ?? DEFAULT_JUPITERONE_RETRY.maxAttempts,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      retryBaseMs: options.retryBaseMs ?? DEFAULT_JUPITERONE_RETRY.baseDelayMs,
      retryMaxMs: options.retryMaxMs ?? DEFAULT_JUPITERONE_RETRY.maxDelayMs,
      retryAfterMaxMs: options.retryAfterMaxMs ?? DEFAULT_JUPITERONE_RETRY.maxRetryAfterMs,
      wait: options.wait ?? false,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      waitTimeoutMs: options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
      fetch: options.fetch ?? globalThis.fetch,
      random: options.random ?? Math.random,
    };
    validate(this.settings, options.target);
  }

  /** Starts a DIFF job for the target; the scope defaults from `options.organizationIds`. */
  async openSession(options: PublishSessionOptions): Promise<JupiterOneSyncSession> {
    const configuration = jupiterOneJobConfiguration(this.options.target, options.organizationIds);
    const http = this.createHttp();
    // A start whose answer was lost and is retried may leave an empty job behind; JupiterOne
    // expires jobs left awaiting uploads, and no data is ever written to it.
    const response = await http.request('start', 'POST', '/persister/synchronization/jobs', JSON.stringify(configuration));
    if (response.status < 200 || response.status >= 300) {
      throw new JupiterOneRequestError(
        'JUPITERONE_REQUEST_ERROR',
        `JupiterOne refused to start a synchronization job (HTTP ${response.status})${http.errorDetail(response.body)}`,
        { endpoint: 'start', status: response.status, serverCode: errorBody(response.body).code, correlationId: response.correlationId },
      );
    }
    const parsed = jobResponseSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new JupiterOneRequestError('JUPITERONE_RESPONSE_ERROR', "JupiterOne's answer to start has no readable job", {
        endpoint: 'start',
        status: response.status,
        correlationId: response.correlationId,
      });
    }
    const { job } = parsed.data;
    const target = configuration.source === 'api' ? { scope: configuration.scope } : { integrationInstanceId: configuration.integrationInstanceId };
    this.options.logger.info(
      { jobId: job.id, status: job.status, ...target, description: options.description },
      'JupiterOne synchronization job started',
    );
    return new JupiterOneSyncSession(job.id, {
      http,
      logger: this.options.logger,
      batchBytes: this.settings.batchBytes,
      uploadConcurrency: this.settings.uploadConcurrency,
      wait: this.settings.wait,
      pollIntervalMs: this.settings.pollIntervalMs,
      waitTimeoutMs: this.settings.waitTimeoutMs,
    });
  }

  /**
   * Deletes everything this integration published to the target: a DIFF job finalized with no
   * objects and no partial types. Waits for the job to end when `wait` is set.
   */
  async uninstall(options: { organizationIds?: readonly string[] } = {}): Promise<PublishResult> {
    const session = await this.openSession({ description: 'uninstall', organizationIds: options.organizationIds });
    this.options.logger.warn({ jobId: session.jobId }, 'finalizing an empty JupiterOne job: every object of the target is deleted');
    try {
      return await session.finish({ partialTypes: [] });
    } catch (error) {
      // Never leave the job open: an aborted uninstall deletes nothing, and can simply be re-run.
      await session.abort(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /**
   * Checks the API key and account with a harmless read: a J1QL query for one `jumpcloud_account`
   * through JupiterOne's GraphQL API (`POST /graphql`, `queryV1`), which writes nothing and
   * starts no job. Resolves with how many accounts the query found (0 or 1); throws
   * `JupiterOneAuthError` for a refused key or account, `JupiterOneRequestError` otherwise.
   */
  async verifyCredentials(signal?: AbortSignal): Promise<{ accountsFound: number }> {
    const http = this.createHttp();
    const body = JSON.stringify({ query: VERIFY_QUERY, variables: { query: 'FIND jumpcloud_account LIMIT 1' } });
    const response = await http.request('graphql', 'POST', '/graphql', body, signal);
    const parsed = graphQlAnswerSchema.safeParse(response.body);
    if (response.status < 200 || response.status >= 300 || !parsed.success || parsed.data.errors?.length) {
      const detail = parsed.success && parsed.data.errors?.length ? `: ${parsed.data.errors[0].message}` : http.errorDetail(response.body);
      throw new JupiterOneRequestError('JUPITERONE_REQUEST_ERROR', `JupiterOne did not answer the credentials check (HTTP ${response.status})${detail}`, {
        endpoint: 'graphql',
        status: response.status,
        correlationId: response.correlationId,
      });
    }
    const data = parsed.data.data?.queryV1?.data;
    return { accountsFound: Array.isArray(data) ? data.length : 0 };
  }

  private createHttp(): JupiterOneHttp {
    const s = this.settings;
    return new JupiterOneHttp({
      apiKey: s.apiKey,
      account: s.account,
      baseUrl: s.baseUrl,
      retry: { maxAttempts: s.maxAttempts, baseDelayMs: s.retryBaseMs, maxDelayMs: s.retryMaxMs, maxRetryAfterMs: s.retryAfterMaxMs },
      timeoutMs: s.requestTimeoutMs,
      logger: this.options.logger,
      fetch: s.fetch,
      random: s.random,
    });
  }
}

function validate(settings: Required<Omit<JupiterOneSyncPublisherOptions, 'target' | 'logger'>>, target: JupiterOneSyncTarget): void {
  if (settings.apiKey.trim() === '') throw new ConfigurationError('the JupiterOne API key is empty');
  if (settings.account.trim() === '') throw new ConfigurationError('the JupiterOne account id is empty');
  try {
    checkSecretUrl(settings.baseUrl, { what: 'the JupiterOne base URL', allowInsecureHttp: settings.allowInsecureHttp });
  } catch (error) {
    throw new ConfigurationError(error instanceof InsecureUrlError ? error.message : String(error));
  }
  if ('integrationInstanceId' in target && target.integrationInstanceId.trim() === '') {
    throw new ConfigurationError('the JupiterOne integration instance id is empty');
  }
  const integer = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) {
      throw new ConfigurationError(`JupiterOne publisher option ${name} must be an integer of at least ${min}, got ${String(value)}`);
    }
  };
  integer('batchBytes', settings.batchBytes, MIN_BATCH_BYTES);
  integer('uploadConcurrency', settings.uploadConcurrency, 1);
  integer('maxAttempts', settings.maxAttempts, 1);
  integer('requestTimeoutMs', settings.requestTimeoutMs, 1);
  integer('retryBaseMs', settings.retryBaseMs, 0);
  integer('retryMaxMs', settings.retryMaxMs, 0);
  integer('retryAfterMaxMs', settings.retryAfterMaxMs, 0);
  integer('pollIntervalMs', settings.pollIntervalMs, 0);
  integer('waitTimeoutMs', settings.waitTimeoutMs, 1);
}
