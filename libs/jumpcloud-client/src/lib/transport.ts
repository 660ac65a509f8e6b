import { type Logger } from '@jumpcloud-graph/domain';
import { failureReason, type RequestFetch, retryDelay, scrubError, sleep } from '@jumpcloud-graph/http-retry';
import { JumpCloudAuthError, JumpCloudNetworkError } from './jumpcloud-client.errors';
import { type RequestBudget } from './request-budget';
import { type RequestCounters } from './request-counters';
import { type RequestScheduler } from './request-scheduler';
import { isRetryableStatus, type RetryOptions } from './retry';

export interface TransportOptions {
  scheduler: RequestScheduler;
  counters: RequestCounters;
  retry: RetryOptions;
  timeoutMs: number;
  logger: Logger;
  random: () => number;
  redact: (text: string) => string;
  /** The endpoint key of a request, set by the endpoint middleware; falls back to the path. */
  endpointOf: (request: Request) => string;
  fetch: RequestFetch;
  /** A budget shared with other processes using the same key (the worker's replicas), taken per attempt. */
  budget?: RequestBudget;
  /**
   * Whether `fetch` answers with the body already read whole (`createRequestFetch` does): the
   * response is then passed on as it is, instead of read and wrapped again.
   */
  fetchReadsBody?: boolean;
}

// Errors that say the host cannot be reached at all: retrying only delays the report.
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

type Attempt =
  | { kind: 'response'; response: Response }
  | { kind: 'retryable-error'; reason: string; error: unknown }
  | { kind: 'fatal-error'; reason: string; error: unknown };

/**
 * The fetch that openapi-fetch calls. Per attempt: waits for a scheduler slot, sends with a
 * per-request timeout and reads the whole body inside the slot (so a reset or a stall mid-body
 * is caught and retried too). Between attempts it releases the slot and waits for `Retry-After`
 * or the jittered backoff. 401/403 throw at once. `cancel` (the caller's signal) aborts the
 * attempt in flight and the wait between attempts.
 */
export function createRetryingFetch(options: TransportOptions): (request: Request, cancel?: AbortSignal) => Promise<Response> {
  const { scheduler, counters, retry, logger, redact } = options;

  const attemptOnce = (request: Request, endpoint: string, attempt: number, cancel: AbortSignal | undefined): Promise<Attempt> =>
    scheduler.run(async (slot) => {
      const lease = await options.budget?.acquire(cancel);
      let throttled = false;
      let retryAfter: string | null = null;
      counters.countAttempt(endpoint, attempt > 1);
      // One short-lived signal per attempt, its listener on `cancel` removed when it ends.
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new DOMException(`timed out after ${options.timeoutMs} ms`, 'TimeoutError'));
      }, options.timeoutMs);
      const onCancel = () => controller.abort(cancel?.reason);
      if (cancel?.aborted) onCancel();
      else cancel?.addEventListener('abort', onCancel, { once: true });
      try {
        // A body is read by sending it: each attempt sends a copy, so that a retry has one to send.
        const sent = request.body === null ? request : request.clone();
        const raw = await options.fetch(sent, { signal: controller.signal });
        const response = options.fetchReadsBody ? raw : await readWhole(raw);
        if (raw.status === 429) {
          slot.throttled();
          throttled = true;
          retryAfter = raw.headers.get('retry-after');
        } else if (raw.ok) slot.succeeded();
        return { kind: 'response', response };
      } catch (error) {
        if (cancel?.aborted) throw cancel.reason;
        if (timedOut) return { kind: 'retryable-error', reason: `timed out after ${options.timeoutMs} ms`, error };
        const { reason, code } = failureReason(error);
        if (code && UNREACHABLE_CODES.has(code)) return { kind: 'fatal-error', reason, error };
        return { kind: 'retryable-error', reason, error };
      } finally {
        clearTimeout(timer);
        cancel?.removeEventListener('abort', onCancel);
        lease?.release({ throttled, ...(throttled ? retryAfterMs(retryAfter) : {}) });
      }
    });

  return async (request: Request, cancel?: AbortSignal): Promise<Response> => {
    const endpoint = options.endpointOf(request);
    const host = new URL(request.url).host;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await attemptOnce(request, endpoint, attempt, cancel);
      const last = attempt >= retry.maxAttempts;

      if (outcome.kind === 'response') {
        const { status } = outcome.response;
        if (status === 401 || status === 403) {
          throw new JumpCloudAuthError(
            `JumpCloud refused the API key (HTTP ${status}) on ${endpoint}`,
            status,
            endpoint,
          );
        }
        if (!isRetryableStatus(status) || last) return outcome.response;
        const delay = retryDelay(attempt, outcome.response.headers.get('retry-after'), retry, options.random);
        logger.warn(
          { endpoint, status, attempt, maxAttempts: retry.maxAttempts, delayMs: delay },
          `JumpCloud answered ${status} on ${endpoint}; retrying in ${delay} ms`,
        );
        await sleep(delay, cancel);
        continue;
      }

      const reason = redact(outcome.reason);
      if (outcome.kind === 'fatal-error' || last) {
        const tries = outcome.kind === 'fatal-error' ? '' : ` after ${attempt} attempts`;
        throw new JumpCloudNetworkError(`cannot reach JumpCloud at ${host} on ${endpoint}${tries}: ${reason}`, endpoint, {
          cause: scrubError(outcome.error, redact),
        });
      }
      const delay = retryDelay(attempt, null, retry, options.random);
      logger.warn(
        { endpoint, attempt, maxAttempts: retry.maxAttempts, delayMs: delay, reason },
        `request to ${endpoint} failed (${reason}); retrying in ${delay} ms`,
      );
      await sleep(delay, cancel);
    }
  };
}

/** A `Retry-After` (seconds or an HTTP date) in milliseconds, when it says anything usable. */
function retryAfterMs(header: string | null): { retryAfterMs?: number } {
  if (header === null) return {};
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? { retryAfterMs: Math.min(ms, 300_000) } : {};
}

/** The response with its body read whole (a reset or a stall mid-body fails here, inside the attempt). */
async function readWhole(raw: Response): Promise<Response> {
  const body = await raw.arrayBuffer();
  return new Response(raw.status === 204 ? null : body, { status: raw.status, statusText: raw.statusText, headers: raw.headers });
}
