import { type RetryOptions } from '@jumpcloud-graph/http-retry';

/** How JupiterOne requests are retried after a 429, 5xx, reset or timeout. */
export type JupiterOneRetryOptions = RetryOptions;

export const DEFAULT_JUPITERONE_RETRY: JupiterOneRetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/** Statuses worth another attempt: throttling and failures of the server or a gateway in front of it. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}
