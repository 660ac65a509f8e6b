import { type Logger } from '@jumpcloud-graph/domain';
import IORedis, { type RedisOptions } from 'ioredis';

/** Reconnect delays: the first after 100 ms, doubling up to 10 s. */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;

/**
 * The delay before reconnect attempt `attempt` (1, 2, ...): doubling from FIRST_DELAY_MS up to
 * MAX_DELAY_MS, less up to a fifth at random so that replicas that lost Redis together do not all
 * come back at the same instant. Taking off at most a fifth keeps each delay longer than the one
 * before until the cap.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(Math.max(attempt, 1) - 1, 20));
  return Math.round(ceiling * (1 - random() / 5));
}

/** Where a client connects, for log lines: host:port (or the socket path), never the credentials. */
export function redisAddress(options: RedisOptions): string {
  return options.path ?? `${options.host ?? 'localhost'}:${options.port ?? 6379}`;
}

/** An error in a few words: its code (ECONNREFUSED, ...) or the first line of its message, scrubbed of the password. */
export function describeRedisError(error: Error | undefined, password: string | undefined): string {
  if (!error) return 'connection closed';
  const code = (error as NodeJS.ErrnoException).code;
  const text = (typeof code === 'string' && code) || error.message.split('\n')[0] || error.name;
  return password ? text.split(password).join('[REDACTED]') : text;
}

// The errors of watched clients. Their watcher logs them with the reconnect they cause; BullMQ
// passes the same objects on to its Queue and Worker `error` events, whose listeners skip them.
const watchedErrors = new WeakSet<object>();

/** Whether the error is a connection error of a watched client, already logged by its watcher. */
export function isWatchedRedisError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && watchedErrors.has(error);
}

/**
 * One log line per reconnect attempt, and one when the connection is back. ioredis emits
 * `error` (the cause) then `reconnecting` (with the delay our retryStrategy chose), so the error
 * is held until the attempt it causes is logged. Listening to `error` at all also keeps ioredis
 * from printing the error's stack ("[ioredis] Unhandled error event").
 */
function watchReconnects(client: IORedis, name: string, logger: Logger): void {
  const redis = redisAddress(client.options);
  let attempt = 0;
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    watchedErrors.add(error);
    lastError = error;
  });
  client.on('reconnecting', (delayMs: number) => {
    attempt += 1;
    const error = describeRedisError(lastError, client.options.password);
    lastError = undefined;
    logger.warn({ redis, connection: name, attempt, delayMs, error }, 'redis unavailable; reconnecting');
  });
  client.on('ready', () => {
    if (attempt > 0) logger.info({ redis, connection: name, attempts: attempt }, 'redis connection restored');
    attempt = 0;
  });
  // A connection that gives up (not one closed on purpose: ioredis drops the errors of those)
  // would otherwise take its last error with it.
  client.on('end', () => {
    if (lastError) logger.warn({ redis, connection: name, error: describeRedisError(lastError, client.options.password) }, 'redis connection ended');
    lastError = undefined;
  });
}

export interface WatchedRedisOptions {
  /** Names the connection in log lines: a process has several. */
  name: string;
  logger: Logger;
  /** ioredis options, but for retryStrategy, which is ours. */
  redis?: RedisOptions;
}

/**
 * An ioredis client that reconnects with backoff and logs each attempt as one line, without
 * stack traces or the password of the URL.
 *
 * BullMQ gives each Worker (and QueueEvents) a blocking connection of its own by calling
 * `duplicate()` on the client it is given; ioredis's duplicate copies the options but not the
 * listeners, so the duplicate is made watched as well, and named apart from its siblings
 * (`worker-duplicate`, `worker-duplicate-2`, ...).
 */
export class WatchedRedis extends IORedis {
  readonly #url: string;
  readonly #settings: WatchedRedisOptions;
  /** Duplicates made so far: several Workers on one connection each make one. */
  #duplicates = 0;

  constructor(url: string, settings: WatchedRedisOptions) {
    // The URL's credentials and address win over the options (ioredis's rule for the two).
    super(url, { ...settings.redis, retryStrategy: (attempt: number) => reconnectDelay(attempt) });
    this.#url = url;
    this.#settings = settings;
    watchReconnects(this, settings.name, settings.logger);
  }

  override duplicate(override?: Partial<RedisOptions>): WatchedRedis {
    const { name } = this.#settings;
    this.#duplicates += 1;
    const suffix = this.#duplicates === 1 ? '' : `-${this.#duplicates}`;
    return new WatchedRedis(this.#url, { ...this.#settings, name: `${name}-duplicate${suffix}`, redis: { ...this.options, ...override } });
  }
}
