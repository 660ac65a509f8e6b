/**
 * How a request that failed for a reason that may pass (429, 5xx, reset, timeout) is retried.
 * Each client sets its own values and decides which statuses are worth another attempt.
 */
export interface RetryOptions {
  /** Attempts in all, the first included. 1 disables retries. */
  maxAttempts: number;
  /** Ceiling of the first backoff; doubles with each attempt (full jitter draws below it). */
  baseDelayMs: number;
  /** The backoff ceiling never grows past this. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is cut to it, so one answer cannot stall a run for hours. */
  maxRetryAfterMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform draw in [0, min(maxDelay, base * 2^(attempt-1))).
 * `attempt` is the attempt that just failed, starting at 1.
 */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses `Retry-After`, which is either delay-seconds or an HTTP date. Returns milliseconds to
 * wait (0 for a date in the past), or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse also takes bare numbers such as "-1"; an HTTP date always names its day or month.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Delay before the next attempt: the server's `Retry-After` when it gave one, else the backoff. */
export function retryDelay(
  attempt: number,
  retryAfter: string | null | undefined,
  options: RetryOptions,
  random: () => number,
  now: number = Date.now(),
): number {
  const serverDelay = parseRetryAfter(retryAfter, now);
  if (serverDelay !== undefined) return Math.min(serverDelay, options.maxRetryAfterMs);
  return backoffDelay(attempt, options, random);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `pending`, or a rejection with the signal's reason as soon as it aborts. `discard` gets a value
 * that arrives after that (a late response whose body must still be released).
 */
export function untilAborted<T>(pending: Promise<T>, signal: AbortSignal, discard?: (late: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      pending.then((late) => discard?.(late)).catch(() => undefined);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
