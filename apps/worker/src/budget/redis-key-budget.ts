import { createHash } from 'node:crypto';
import { sleep, untilAborted } from '@jumpcloud-graph/http-retry';
import { type BudgetLease, type BudgetOutcome, type RequestBudget } from '@jumpcloud-graph/jumpcloud-client';
import type IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface RedisKeyBudgetOptions {
  redis: IORedis;
  /** The JumpCloud API key the budget is for: only its hash ({@link keyId}) reaches Redis. */
  apiKey: string;
  /** Requests a second across every process sharing the key (default 20). */
  requestsPerSecond?: number;
  /** Leases held at once across every process sharing the key (default 8). */
  maxInFlight?: number;
  /** Prefix of the Redis keys (default `jc-budget`). */
  keyPrefix?: string;
  /**
   * How long a lease that is never given back (its process died) keeps its slot, in milliseconds
   * (default 60 s; whole seconds, at least 1 s: rate-limiter-flexible expires keys in seconds).
   */
  leaseTtlMs?: number;
  /** Called by each `acquire` with how long it waited, in milliseconds. */
  onWait?: (ms: number) => void;
  /** Called by each release that reports a 429. */
  onThrottled?: () => void;
}

/** The first 16 hex digits of the API key's SHA-256: names the key in Redis without revealing it. */
export function keyId(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}

/** Waits on in-flight slots are polled: a release frees a slot without telling anyone. */
const IN_FLIGHT_POLL_MS = 25;
/**
 * A rate slot lives this much longer than its second (5%): the grant a process observes, and the
 * request JumpCloud receives, lag the slot's creation in Redis by a few milliseconds each, by
 * different amounts; without a margin, a second counted at either end could hold one grant more.
 */
const RATE_SLOT_MS = 1050;
/** The rate slows down to at most 1/16 of its value after repeated 429s without `Retry-After`. */
const MAX_SLOWDOWN_LEVEL = 4;

/**
 * The request budget of one JumpCloud API key, shared on Redis by every process (worker
 * replica) using that key. Built on rate-limiter-flexible's `RateLimiterRedis` counters, one
 * point each, as slots that expire on their own:
 *
 * - rate: `requestsPerSecond` slots that each live one second (and a 5% margin) from the grant that
 *   took them (`consume` creates the key with a 1 s expiry, `PEXPIRE` adds the margin; a consume
 *   on a held slot is refused with its `msBeforeNext`). A grant needs a free slot, so any sliding
 *   second holds at most `requestsPerSecond` grants (a single 1 s fixed window, the library's
 *   plain use, would allow twice that across the window's edge).
 * - in flight: `maxInFlight` slots taken by `consume` on acquire and deleted on release; a lease
 *   never given back lapses when its slot's key expires (`leaseTtlMs` after the grant), each
 *   lease on its own (one shared counter would reset all leases at once when it expires, and
 *   its `reward`s would then drive it below zero).
 * - a 429 with `Retry-After`: `block` on a pause key for that long (rounded up to whole seconds).
 * - a 429 without it: a slowdown level on a key whose remaining life is the level in seconds
 *   (`set(key, level, level)`); the rate uses `requestsPerSecond / 2^level` slots, so the level
 *   drops by one (the rate doubles back) after each second without another 429.
 *
 * Within one process, acquisitions wait in turn (first come, first served), so that one of them
 * at a time polls Redis.
 */
export class RedisKeyBudget implements RequestBudget {
  private readonly redis: IORedis;
  private readonly rate: RateLimiterRedis;
  private readonly inFlight: RateLimiterRedis;
  private readonly flags: RateLimiterRedis;
  private readonly requestsPerSecond: number;
  private readonly maxInFlight: number;
  private readonly leaseTtlMs: number;
  private readonly onWait?: (ms: number) => void;
  private readonly onThrottled?: () => void;
  /** The acquisitions of this process, one after the other. */
  private turn: Promise<void> = Promise.resolve();
  /** Writes started by releases, awaited by `idle()`. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(options: RedisKeyBudgetOptions) {
    this.requestsPerSecond = positiveInteger(options.requestsPerSecond ?? 20, 'requestsPerSecond');
    this.maxInFlight = positiveInteger(options.maxInFlight ?? 8, 'maxInFlight');
    const leaseTtlSeconds = Math.max(1, Math.ceil((options.leaseTtlMs ?? 60_000) / 1000));
    this.leaseTtlMs = leaseTtlSeconds * 1000;
    this.onWait = options.onWait;
    this.onThrottled = options.onThrottled;
    const prefix = `${options.keyPrefix ?? 'jc-budget'}:${keyId(options.apiKey)}`;
    const storeClient = options.redis;
    this.redis = options.redis;
    this.rate = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:rate`, points: 1, duration: 1 });
    this.inFlight = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:inflight`, points: 1, duration: leaseTtlSeconds });
    this.flags = new RateLimiterRedis({ storeClient, keyPrefix: prefix, points: 1, duration: 1 });
  }

  async acquire(signal?: AbortSignal): Promise<BudgetLease> {
    const started = performance.now();
    signal?.throwIfAborted();
    const previous = this.turn;
    let done!: () => void;
    this.turn = new Promise<void>((resolve) => (done = resolve));
    try {
      await (signal ? untilAborted(previous, signal) : previous);
      const slot = await this.take(signal);
      this.onWait?.(Math.max(0, Math.round(performance.now() - started)));
      return this.lease(slot);
    } finally {
      // An aborted acquisition gives its turn on once the one before it is done.
      void previous.then(done);
    }
  }

  /** Resolves once the Redis writes of the releases so far are done (or failed). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Waits for a pause to end, an in-flight slot, then a rate slot; returns the in-flight slot. */
  private async take(signal: AbortSignal | undefined): Promise<number> {
    for (;;) {
      // This process's releases so far first: a 429 it just reported applies to its next request too.
      await Promise.allSettled([...this.pending]);
      const [pause, slowdown] = await Promise.all([this.flags.get('pause'), this.flags.get('slowdown')]);
      signal?.throwIfAborted();
      if (pause && pause.msBeforeNext > 0) {
        await sleep(Math.max(1, pause.msBeforeNext), signal);
        continue;
      }
      const flight = await takeSlot(this.redis, this.inFlight, this.maxInFlight);
      if (flight === undefined) {
        await sleep(jittered(IN_FLIGHT_POLL_MS), signal);
        continue;
      }
      let handedOver = false;
      try {
        signal?.throwIfAborted();
        const level = slowdown ? Math.min(MAX_SLOWDOWN_LEVEL, Math.ceil(slowdown.msBeforeNext / 1000)) : 0;
        const slots = Math.max(1, Math.floor(this.requestsPerSecond / 2 ** Math.max(0, level)));
        const rate = await takeSlot(this.redis, this.rate, slots);
        signal?.throwIfAborted();
        if (rate !== undefined) {
          // rate-limiter-flexible expires keys in whole seconds: the margin is added here.
          await this.redis.pexpire(this.rate.getKey(rate), RATE_SLOT_MS);
          handedOver = true;
          return flight;
        }
        // No rate slot: the in-flight slot goes back while waiting (the wait may outlast a lease).
        await this.inFlight.delete(String(flight));
        handedOver = true; // given back already
        // In full use, a rate slot frees about every RATE_SLOT_MS / slots on average.
        await sleep(jittered(RATE_SLOT_MS / slots), signal);
      } finally {
        if (!handedOver) await this.inFlight.delete(String(flight)).catch(() => undefined);
      }
    }
  }

  private lease(slot: number): BudgetLease {
    const granted = performance.now();
    let released = false;
    return {
      release: (outcome: BudgetOutcome) => {
        if (released) return;
        released = true;
        // A lease held past its expiry has lost its slot, which may be someone else's by now.
        if (performance.now() - granted < this.leaseTtlMs - 100) this.track(this.inFlight.delete(String(slot)));
        if (outcome.throttled) {
          this.onThrottled?.();
          this.track(outcome.retryAfterMs && outcome.retryAfterMs > 0 ? this.pause(outcome.retryAfterMs) : this.slowDown());
        }
      },
    };
  }

  /** Pauses the key everywhere for `ms` (rounded up to seconds), unless a longer pause is on. */
  private async pause(ms: number): Promise<void> {
    const current = await this.flags.get('pause');
    if (current && current.msBeforeNext >= ms) return;
    await this.flags.block('pause', Math.ceil(ms / 1000));
  }

  /** One more slowdown level (the rate halves), which lasts a second per level. */
  private async slowDown(): Promise<void> {
    const current = await this.flags.get('slowdown');
    const level = current && current.msBeforeNext > 0 ? Math.ceil(current.msBeforeNext / 1000) : 0;
    const next = Math.min(MAX_SLOWDOWN_LEVEL, level + 1);
    await this.flags.set('slowdown', next, next);
  }

  /** A release cannot report a failed write; its slot lapses on its own then. */
  private track(write: Promise<unknown>): void {
    const settled = write.catch(() => undefined);
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }
}

/** A free slot is tried at most this many times per look (another process may take it first). */
const TRIES_PER_LOOK = 3;

/**
 * Takes a free slot of `count`: one `MGET` of the slots' keys finds the free ones (a held slot's
 * key exists; a free one's has expired or been deleted), then `consume` takes one of them, chosen
 * at random; another process may take it first, so a few are tried. Returns the slot's index, or
 * undefined when none is free. Two or three Redis commands a look, whatever `count` is: trying
 * each slot in turn would cost `count` round trips a look once the budget is in full use.
 */
async function takeSlot(redis: IORedis, limiter: RateLimiterRedis, count: number): Promise<number | undefined> {
  const held = await redis.mget(...Array.from({ length: count }, (_, slot) => limiter.getKey(String(slot))));
  const free = held.flatMap((value, slot) => (value === null ? [slot] : []));
  for (let tries = 0; tries < TRIES_PER_LOOK && free.length > 0; tries++) {
    const [slot] = free.splice(Math.floor(Math.random() * free.length), 1);
    try {
      await limiter.consume(String(slot));
      return slot;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
    }
  }
  return undefined;
}

/** Between half and one and a half times `ms` (at least 1 ms), so that waiting processes do not look at once. */
function jittered(ms: number): number {
  return Math.max(1, Math.round(ms * (0.5 + Math.random())));
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

