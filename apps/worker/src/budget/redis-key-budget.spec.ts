import { type BudgetLease } from '@jumpcloud-graph/jumpcloud-client';
import IORedis from 'ioredis';
import { keyId, RedisKeyBudget, type RedisKeyBudgetOptions } from './redis-key-budget';
import { busiestWindow } from '@jumpcloud-graph/jumpcloud-simulator';

/**
 * The budget against the real Redis the worker's jest global setup starts. Several budgets on
 * their own connections stand in for worker replicas sharing one API key. Each test has its own
 * key prefix. Nothing asserts speed: grants are counted, and waits only bounded from below.
 */
const API_KEY = 'jc-test-api-key-0123456789abcdef';

const connections: IORedis[] = [];
let prefixes = 0;

function connection(): IORedis {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: the jest global setup starts a Redis');
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  return redis;
}

function uniquePrefix(): string {
  prefixes += 1;
  return `budget-test-${process.pid}-${Date.now()}-${prefixes}`;
}

/** `count` budgets on the same key, each on its own connection. */
function replicas(count: number, options: Partial<RedisKeyBudgetOptions> = {}): RedisKeyBudget[] {
  const keyPrefix = options.keyPrefix ?? uniquePrefix();
  return Array.from({ length: count }, () => new RedisKeyBudget({ apiKey: API_KEY, ...options, keyPrefix, redis: connection() }));
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `promise` is still pending after `ms`. */
async function pendingAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const pending = Symbol('pending');
  return (await Promise.race([promise.then(() => 'settled', () => 'settled'), delay(ms).then(() => pending)])) === pending;
}

afterEach(async () => {
  await Promise.all(connections.splice(0).map((redis) => redis.quit().catch(() => undefined)));
});

describe('RedisKeyBudget', () => {
  it('grants at most requestsPerSecond in any second across replicas sharing the key', async () => {
    const budgets = replicas(3, { requestsPerSecond: 20, maxInFlight: 100 });
    const grants: number[] = [];
    const total = 120;
    await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        const lease = await budgets[i % budgets.length].acquire();
        grants.push(performance.now());
        lease.release({ throttled: false });
      }),
    );
    await Promise.all(budgets.map((budget) => budget.idle()));

    expect(grants).toHaveLength(total);
    expect(busiestWindow(grants, 1000)).toBeLessThanOrEqual(20 * 1.05);
    const spanSeconds = (Math.max(...grants) - Math.min(...grants)) / 1000;
    // Over the whole run: at most one full second's worth more than the rate times the span.
    expect(grants.length).toBeLessThanOrEqual(20 * 1.05 * (spanSeconds + 1));
  });

  it('holds at most maxInFlight leases at once across replicas', async () => {
    const budgets = replicas(3, { requestsPerSecond: 1000, maxInFlight: 3 });
    let held = 0;
    let mostHeld = 0;
    let completed = 0;
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const lease = await budgets[i % budgets.length].acquire();
        held += 1;
        mostHeld = Math.max(mostHeld, held);
        await delay(10 + (i % 4) * 5);
        held -= 1;
        lease.release({ throttled: false });
        completed += 1;
      }),
    );
    expect(completed).toBe(30);
    expect(mostHeld).toBeLessThanOrEqual(3);
  });

  it('lets a lease that is never given back lapse after its expiry', async () => {
    const [dead, alive] = replicas(2, { maxInFlight: 1, leaseTtlMs: 1000 });
    await dead.acquire(); // a replica killed while holding its lease: never released
    const next = alive.acquire();
    // The lease holds its slot for a full second, so the other replica is still waiting here.
    expect(await pendingAfter(next, 300)).toBe(true);
    const lease = await next;
    lease.release({ throttled: false });
  });

  it('ignores a second release of the same lease', async () => {
    const [budget] = replicas(1, { maxInFlight: 1 });
    const first = await budget.acquire();
    first.release({ throttled: false });
    await budget.idle();
    const second = await budget.acquire();
    first.release({ throttled: false }); // must not free the slot `second` now holds
    await budget.idle();
    const third = budget.acquire();
    expect(await pendingAfter(third, 200)).toBe(true);
    second.release({ throttled: false });
    (await third).release({ throttled: false });
  });

  it('pauses every replica for the Retry-After of a 429', async () => {
    const waits: number[] = [];
    const throttled = jest.fn();
    const [first, second] = replicas(2, { onWait: (ms) => waits.push(ms), onThrottled: throttled });
    const lease = await first.acquire();
    waits.length = 0;
    lease.release({ throttled: true, retryAfterMs: 1500 });
    expect(throttled).toHaveBeenCalledTimes(1);

    // The other replica, and the same one (right after its release, without waiting for its write).
    const started = performance.now();
    const next = await Promise.all([
      first.acquire(),
      (async () => {
        await first.idle();
        return second.acquire();
      })(),
    ]);
    const waited = performance.now() - started;
    next.forEach((granted) => granted.release({ throttled: false }));
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waits).toHaveLength(2);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000);
  });

  it('halves the shared rate after a 429 without Retry-After, and tells onThrottled', async () => {
    const throttled = jest.fn();
    const budgets = replicas(2, { requestsPerSecond: 20, maxInFlight: 100, onThrottled: throttled });
    const lease = await budgets[0].acquire();
    lease.release({ throttled: true });
    await budgets[0].idle();
    expect(throttled).toHaveBeenCalledTimes(1);

    // As many acquisitions as both replicas can get; counted within the slowed-down second.
    const started = performance.now();
    const grants: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const next = await budgets[i % budgets.length].acquire();
        grants.push(performance.now());
        next.release({ throttled: false });
      }),
    );
    const early = grants.filter((time) => time - started < 800).length;
    expect(early).toBeGreaterThan(0);
    expect(early).toBeLessThanOrEqual(10 * 1.05);
    expect(grants).toHaveLength(30);
  });

  it('never writes the API key itself to Redis', async () => {
    const keyPrefix = uniquePrefix();
    const [budget] = replicas(1, { keyPrefix });
    const first = await budget.acquire();
    first.release({ throttled: true, retryAfterMs: 1000 });
    const second = await budget.acquire();
    second.release({ throttled: true });
    await budget.idle();

    const redis = connection();
    const keys = await redis.keys('*');
    const ours = keys.filter((key) => key.startsWith(`${keyPrefix}:`));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((key) => key.startsWith(`${keyPrefix}:${keyId(API_KEY)}:`))).toBe(true);
    expect(keys.filter((key) => key.includes(API_KEY))).toEqual([]);
    expect(keyId(API_KEY)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('rejects with the signal’s reason when it aborts while waiting', async () => {
    const [holder, other] = replicas(2, { maxInFlight: 1 });
    const held = await holder.acquire();

    // Waiting for the slot, on another replica.
    const controller = new AbortController();
    const waiting = other.acquire(controller.signal);
    await delay(50);
    const reason = new Error('run cancelled');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);

    // Waiting for its turn behind another acquisition of the same replica.
    const first = holder.acquire();
    const queued = new AbortController();
    const behind = holder.acquire(queued.signal);
    await delay(50);
    queued.abort(reason);
    await expect(behind).rejects.toBe(reason);

    held.release({ throttled: false });
    (await first).release({ throttled: false });
    await expect(other.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('propagates Redis errors from acquire', async () => {
    const [budget] = replicas(1);
    await connections[connections.length - 1].quit();
    await expect(budget.acquire()).rejects.toThrow(/closed/i);
  });

  it('keeps leases of different API keys apart', async () => {
    const keyPrefix = uniquePrefix();
    const one = new RedisKeyBudget({ redis: connection(), apiKey: 'key-one', keyPrefix, maxInFlight: 1 });
    const two = new RedisKeyBudget({ redis: connection(), apiKey: 'key-two', keyPrefix, maxInFlight: 1 });
    const leases: BudgetLease[] = [await one.acquire(), await two.acquire()];
    leases.forEach((lease) => lease.release({ throttled: false }));
  });
});
