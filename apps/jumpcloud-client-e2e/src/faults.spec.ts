import { inspect } from 'node:util';
import { type Logger } from '@jumpcloud-graph/domain';
import {
  createJumpCloudClient,
  JumpCloudApiError,
  JumpCloudAuthError,
  type JumpCloudClientOptions,
  JumpCloudNetworkError,
  JumpCloudResponseError,
} from '@jumpcloud-graph/jumpcloud-client';
import { type FaultRule, JumpCloudSimulator, type SimulatorOptions } from '@jumpcloud-graph/jumpcloud-simulator';

/** Every fault the simulator can inject is either recovered by the client or reported as a typed error. */
const API_KEY = 'sim-key-do-not-leak-5f0c2a9e71d4';
const fast = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 10, maxRetryAfterMs: 1000 };
const USERS = 250; // three v1 pages

function recordingLogger() {
  const lines: string[] = [];
  const log = (fields: Record<string, unknown>, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`);
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  return { logger, lines };
}

async function withSimulator(
  options: SimulatorOptions,
  clientOptions: Partial<JumpCloudClientOptions>,
  run: (ctx: { client: ReturnType<typeof createJumpCloudClient>; sim: JumpCloudSimulator; lines: string[] }) => Promise<void>,
) {
  const sim = new JumpCloudSimulator({ apiKey: API_KEY, dataset: { edgeCases: false, users: USERS, groups: 3, membersPerGroup: 5 }, ...options });
  const baseUrl = await sim.start();
  const { logger, lines } = recordingLogger();
  try {
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl, retry: fast, logger, ...clientOptions });
    await run({ client, sim, lines });
    // whatever happened, the key is in no log line
    expect(lines.join('\n')).not.toContain(API_KEY);
  } finally {
    await sim.stop();
  }
}

const USERS_ENDPOINT = 'GET /api/systemusers';

describe.each<[string, FaultRule]>([
  ['429 with Retry-After', { kind: 'rate-limit', endpoint: USERS_ENDPOINT, times: 2, retryAfter: '0' }],
  ['500', { kind: 'server-error', endpoint: USERS_ENDPOINT, times: 2 }],
  ['502', { kind: 'server-error', status: 502, endpoint: USERS_ENDPOINT, times: 2 }],
  ['503', { kind: 'server-error', status: 503, endpoint: USERS_ENDPOINT, times: 2 }],
  ['a connection reset', { kind: 'reset', endpoint: USERS_ENDPOINT, times: 2 }],
  ['a response slower than the timeout', { kind: 'slow', endpoint: USERS_ENDPOINT, times: 2, delayMs: 1500 }],
])('a transient %s', (_name, fault) => {
  it('is retried and every user arrives exactly once', async () => {
    await withSimulator({ faults: [fault] }, { timeoutMs: 500 }, async ({ client, sim, lines }) => {
      const users = await client.listSystemUsers().toArray();
      expect(users).toHaveLength(USERS);
      expect(new Set(users.map((u) => u._id)).size).toBe(USERS);
      // three pages, two of the attempts faulted (the simulator logs a request when it ends,
      // so a slow one the client gave up on may not be counted there yet)
      expect(sim.requestLog.filter((e) => e.endpoint === USERS_ENDPOINT && e.status === 200)).toHaveLength(3);
      expect(client.requestCounts()).toMatchObject({ total: 3 + 2, retries: 2 });
      expect(lines).toHaveLength(2);
    });
  });
});

describe('faults that are reported', () => {
  it('a persistent 500 fails with JumpCloudApiError after the bounded attempts', async () => {
    await withSimulator({ faults: [{ kind: 'server-error', endpoint: 'GET /api/v2/usergroups' }] }, {}, async ({ client, sim }) => {
      const error = await client.listUserGroups().toArray().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JumpCloudApiError);
      expect(error).toMatchObject({ status: 500, fatal: false, code: 'JUMPCLOUD_API_ERROR' });
      expect(sim.stats().byEndpoint['GET /api/v2/usergroups']).toBe(fast.maxAttempts);
    });
  });

  it('persistent resets fail with JumpCloudNetworkError after the bounded attempts', async () => {
    await withSimulator({ faults: [{ kind: 'reset', endpoint: 'GET /api/v2/usergroups' }] }, {}, async ({ client, sim }) => {
      await expect(client.listUserGroups().toArray()).rejects.toBeInstanceOf(JumpCloudNetworkError);
      expect(sim.stats().byEndpoint['GET /api/v2/usergroups']).toBe(fast.maxAttempts);
    });
  });

  it('malformed JSON fails with JumpCloudResponseError and is not retried', async () => {
    await withSimulator({ faults: [{ kind: 'malformed-json', endpoint: USERS_ENDPOINT, times: 1 }] }, {}, async ({ client, sim }) => {
      const error = await client.listSystemUsers().toArray().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JumpCloudResponseError);
      expect((error as Error).message).toBe('JumpCloud sent malformed JSON on GET /api/systemusers');
      expect(sim.stats().byEndpoint[USERS_ENDPOINT]).toBe(1);
    });
  });

  it('a wrong key fails at once with JumpCloudAuthError: one request, no retry', async () => {
    await withSimulator({}, { apiKey: 'wrong-key-1234567890' }, async ({ client, sim }) => {
      const error = await client.listSystemUsers().toArray().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JumpCloudAuthError);
      expect(error).toMatchObject({ status: 401, fatal: true });
      expect(sim.stats().total).toBe(1);
      expect(client.requestCounts().retries).toBe(0);
    });
  });
});

describe('rate limiting', () => {
  it('honours Retry-After seconds and halves the in-flight window on 429', async () => {
    await withSimulator(
      { faults: [{ kind: 'rate-limit', endpoint: USERS_ENDPOINT, afterRequests: 1, times: 1, retryAfter: '1' }] },
      { concurrency: 8 },
      async ({ client, sim, lines }) => {
        expect(await client.listSystemUsers().toArray()).toHaveLength(USERS);
        expect(client.schedulerStats().throttles).toBe(1);
        expect(lines[0]).toContain('"delayMs":1000');
        expect(sim.stats().byStatus['429']).toBe(1);
      },
    );
  });

  it("recovers every page under the simulator's token-bucket rate limit", async () => {
    await withSimulator(
      // Five pages against two tokens refilled at two a second: the four pages requested at once
      // after the first cannot all pass, whatever the machine's speed.
      { dataset: { edgeCases: false, users: 500, groups: 0 }, rateLimit: { requestsPerSecond: 2, burst: 2 } },
      { concurrency: 8, retry: { ...fast, maxAttempts: 8, maxRetryAfterMs: 2000 } },
      async ({ client, sim }) => {
        const users = await client.listSystemUsers().toArray();
        expect(new Set(users.map((u) => u._id)).size).toBe(500);
        expect(sim.stats().byStatus['429']).toBeGreaterThan(0);
        expect(client.schedulerStats().window).toBeLessThan(8);
      },
    );
  });
});

describe('the API key', () => {
  it('appears in no error message, error property or log line', async () => {
    await withSimulator(
      { faults: [{ kind: 'server-error', endpoint: USERS_ENDPOINT }] },
      {},
      async ({ client }) => {
        const error = await client.listSystemUsers().toArray().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(JumpCloudApiError);
        expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(API_KEY);
        expect(JSON.stringify(error)).not.toContain(API_KEY);
        expect(inspect(client.requestCounts())).not.toContain(API_KEY);
      },
    );
  });
});

describe('the request scheduler', () => {
  it('keeps requests in flight within its bound while fanning out', async () => {
    await withSimulator(
      { dataset: { edgeCases: false, users: 100, groups: 40, membersPerGroup: 10 }, latencyMs: 10 },
      { concurrency: 4 },
      async ({ client, sim }) => {
        const groups = await client.listUserGroups().toArray();
        const members = await Promise.all(groups.map((g) => client.listUserGroupMembers(g.id).toArray()));
        expect(members.flat()).toHaveLength(400);
        expect(client.schedulerStats().maxInFlight).toBe(4);
        expect(sim.stats().maxInFlight).toBeLessThanOrEqual(4);
      },
    );
  });

  it('reads the pages of a v1 list concurrently once the total is known', async () => {
    await withSimulator({ dataset: { edgeCases: false, users: 1000, groups: 0 }, latencyMs: 5 }, { concurrency: 8 }, async ({ client, sim }) => {
      expect(await client.listSystemUsers().toArray()).toHaveLength(1000);
      expect(sim.stats().byEndpoint[USERS_ENDPOINT]).toBe(10);
      expect(client.schedulerStats().maxInFlight).toBe(8);
    });
  });
});
