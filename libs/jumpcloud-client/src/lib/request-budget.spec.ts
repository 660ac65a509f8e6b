import { json, startHttpFixture } from './__fixtures__/http-fixture';
import { createJumpCloudClient } from './jumpcloud-client';
import { type BudgetLease, type BudgetOutcome, type RequestBudget } from './request-budget';

const API_KEY = 'jcg-test-key-0123456789abcdef';
const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };

/** A budget of `size` leases held in this process, recording what each attempt gave back. */
function countingBudget(size: number) {
  let held = 0;
  let mostHeld = 0;
  const released: BudgetOutcome[] = [];
  const waiters: Array<() => void> = [];
  const budget: RequestBudget = {
    async acquire(signal) {
      while (held >= size) {
        signal?.throwIfAborted();
        await new Promise<void>((resolve, reject) => {
          waiters.push(resolve);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      held += 1;
      mostHeld = Math.max(mostHeld, held);
      let done = false;
      const lease: BudgetLease = {
        release(outcome) {
          if (done) return;
          done = true;
          held -= 1;
          released.push(outcome);
          waiters.shift()?.();
        },
      };
      return lease;
    },
  };
  return { budget, released, mostHeld: () => mostHeld, held: () => held };
}

describe('a shared request budget', () => {
  let fixture: Awaited<ReturnType<typeof startHttpFixture>> | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('gives every attempt, retries included, one lease, and gives it back with what JumpCloud said', async () => {
    fixture = await startHttpFixture((_req, res, i) => (i === 0 ? json(res, 429, { message: 'slow down' }, { 'retry-after': '0.01' }) : json(res, 200, [])));
    const { budget, released, held } = countingBudget(8);
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry, budget });
    await client.listUserGroups().toArray();
    expect(fixture.requests).toHaveLength(2);
    expect(released).toEqual([{ throttled: true, retryAfterMs: 10 }, { throttled: false }]);
    expect(held()).toBe(0);
  });

  it('bounds the requests in flight by the budget, below the client concurrency', async () => {
    fixture = await startHttpFixture((_req, res) => setTimeout(() => json(res, 200, { totalCount: 1000, results: Array.from({ length: 100 }, (_, k) => ({ _id: String(k) })) }), 20));
    const { budget, mostHeld, released } = countingBudget(2);
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry, concurrency: 8, budget });
    await client.listSystemUsers().toArray();
    expect(released.length).toBe(fixture.requests.length);
    expect(fixture.requests.length).toBeGreaterThan(2);
    expect(mostHeld()).toBe(2);
  });

  it('gives the lease back when an attempt fails or is cancelled, and stops waiting for one on cancel', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 503, { message: 'unavailable' }));
    const { budget, held } = countingBudget(1);
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry, budget });
    await expect(client.listSystems().toArray()).rejects.toMatchObject({ status: 503 });
    expect(held()).toBe(0);

    const blocked = await budget.acquire();
    const controller = new AbortController();
    const waiting = client.listSystems({ signal: controller.signal }).toArray();
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    blocked.release({ throttled: false });
    expect(held()).toBe(0);
  });
});
