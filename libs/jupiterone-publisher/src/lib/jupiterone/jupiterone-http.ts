import { randomUUID } from 'node:crypto';
import { type Logger } from '@jumpcloud-graph/domain';
import { failureReason, retryDelay, scrubError, sleep } from '@jumpcloud-graph/http-retry';
import {
  JupiterOneAuthError,
  type JupiterOneEndpoint,
  JupiterOneRequestError,
} from './jupiterone-errors';
import { isRetryableStatus, type JupiterOneRetryOptions } from './jupiterone-retry';

export interface JupiterOneHttpOptions {
  apiKey: string;
  account: string;
  baseUrl: string;
  retry: JupiterOneRetryOptions;
  /** Per attempt, the answer's body included. */
  timeoutMs: number;
  logger: Logger;
  fetch: typeof globalThis.fetch;
  random: () => number;
}

/** An answer that was not retried away: a 2xx, or a status the caller interprets. */
export interface JupiterOneResponse {
  status: number;
  /** The parsed JSON body (undefined when empty or not JSON). */
  body: unknown;
  correlationId: string;
  /** Attempts made, the first included. */
  attempts: number;
}

/** `{"error":{"code","message"}}`, the synchronization API's error body. */
export interface JupiterOneErrorBody {
  code: string | undefined;
  message: string | undefined;
}

/** The header JupiterOne's SDK sets on uploads; sent too, with the same value, so either name finds a request. */
const SDK_CORRELATION_HEADER = 'JupiterOne-Correlation-Id';
// A wrong host name does not become right on the next attempt.
const UNREACHABLE_CODES = new Set(['ENOTFOUND']);
const REDACTED = '[REDACTED]';
const MAX_MESSAGE_CHARS = 300;

type Attempt =
  | { kind: 'response'; status: number; text: string; retryAfter: string | null }
  | { kind: 'error'; reason: string; retryable: boolean; error: unknown };

/**
 * HTTP for the synchronization API: fixed headers, a timeout per attempt, retries with full
 * jitter (or the server's `Retry-After`, capped) on 429, 5xx, resets and timeouts. 401/403 throw
 * `JupiterOneAuthError` at once. Other answers go back to the caller, who knows what a 413 or a
 * 400 means for its call. The API key is scrubbed from every message this class produces.
 *
 * One `X-Correlation-Id` per logical request, kept across its retries, so the server's log ties
 * the attempts together; a split half or a poll is a new request with a new id.
 */
export class JupiterOneHttp {
  private retryCount = 0;

  constructor(private readonly options: JupiterOneHttpOptions) {}

  /** Attempts repeated so far, over every request. */
  get retries(): number {
    return this.retryCount;
  }

  /** Replaces the API key wherever it appears in `text`. */
  scrub(text: string): string {
    const key = this.options.apiKey;
    return key.length >= 4 ? text.split(key).join(REDACTED) : text;
  }

  async request(
    endpoint: JupiterOneEndpoint,
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    signal?: AbortSignal,
  ): Promise<JupiterOneResponse> {
    const { retry, logger } = this.options;
    const correlationId = randomUUID();
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(method, path, body, correlationId, signal);
      const last = attempt >= retry.maxAttempts;

      if (outcome.kind === 'response') {
        const { status } = outcome;
        if (status === 401 || status === 403) {
          const detail = this.errorDetail(parseJson(outcome.text));
          throw new JupiterOneAuthError(
            `JupiterOne refused the API key or account (HTTP ${status}) on ${endpoint}${detail}`,
            status,
            endpoint,
          );
        }
        if (!isRetryableStatus(status)) {
          return { status, body: parseJson(outcome.text), correlationId, attempts: attempt };
        }
        if (last) {
          const detail = this.errorDetail(parseJson(outcome.text));
          throw new JupiterOneRequestError(
            'JUPITERONE_UNAVAILABLE',
            `JupiterOne answered ${status} on ${endpoint} after ${attempt} attempts${detail}`,
            { endpoint, status, serverCode: errorBody(parseJson(outcome.text)).code, correlationId },
          );
        }
        const delay = retryDelay(attempt, outcome.retryAfter, retry, this.options.random);
        this.retryCount += 1;
        logger.warn(
          { endpoint, status, attempt, maxAttempts: retry.maxAttempts, delayMs: delay, correlationId },
          `JupiterOne answered ${status} on ${endpoint}; retrying in ${delay} ms`,
        );
        await sleep(delay, signal);
        continue;
      }

      const reason = this.scrub(outcome.reason);
      if (!outcome.retryable || last) {
        const tries = outcome.retryable ? ` after ${attempt} attempts` : '';
        throw new JupiterOneRequestError(
          'JUPITERONE_UNAVAILABLE',
          `cannot reach JupiterOne on ${endpoint}${tries}: ${reason}`,
          { endpoint, correlationId, cause: scrubError(outcome.error, (text) => this.scrub(text)) },
        );
      }
      const delay = retryDelay(attempt, null, retry, this.options.random);
      this.retryCount += 1;
      logger.warn(
        { endpoint, attempt, maxAttempts: retry.maxAttempts, delayMs: delay, reason, correlationId },
        `request to JupiterOne ${endpoint} failed (${reason}); retrying in ${delay} ms`,
      );
      await sleep(delay, signal);
    }
  }

  /** `": <server code>: <message>"` for an error answer, scrubbed, one line; empty if the body says nothing. */
  errorDetail(body: unknown): string {
    const { code, message } = errorBody(body);
    const parts = [code, message].filter((p): p is string => p !== undefined && p !== '');
    if (parts.length === 0) return '';
    const line = this.scrub(parts.join(': ')).replace(/\s+/g, ' ').trim();
    return `: ${line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS)}...` : line}`;
  }

  private async attempt(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    correlationId: string,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    try {
      const response = await this.options.fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.options.apiKey}`,
          'JupiterOne-Account': this.options.account,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-Correlation-Id': correlationId,
          [SDK_CORRELATION_HEADER]: correlationId,
        },
        body,
        signal: combined,
      });
      // The body is read inside the timeout, so a stall or a reset mid-answer is retried too.
      const text = await response.text();
      return { kind: 'response', status: response.status, text, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        return { kind: 'error', reason: `timed out after ${this.options.timeoutMs} ms`, retryable: true, error };
      }
      const { reason, code } = failureReason(error);
      return { kind: 'error', reason, retryable: !(code && UNREACHABLE_CODES.has(code)), error };
    }
  }

}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The `error` of a synchronization API error body (or a bare `{code, message}`), when present. */
export function errorBody(body: unknown): JupiterOneErrorBody {
  const record = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const outer = record(body);
  const inner = record(outer?.error) ?? outer;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { code: text(inner?.code), message: text(inner?.message) ?? text(outer?.message) };
}
