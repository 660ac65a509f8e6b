import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { LocalGraphStore } from '@jumpcloud-graph/jupiterone-publisher';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { type LogLine, WorkerProcess, workerMain, writeConfig } from './testing/worker-process';
import { closedPort } from './testing/ports';

/**
 * The built worker as it is deployed: processes with a configuration file, against the JumpCloud
 * simulator, the JupiterOne fake and (distributed mode) a real Redis (see redis-global-setup.cjs).
 */
const TOKEN = 'worker-admin-token-for-tests';
let dir: string;
let sim: JumpCloudSimulator;
const workers: WorkerProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-worker-'));
});
afterEach(async () => {
  for (const worker of workers.splice(0)) {
    worker.signal('SIGKILL');
    await worker.exited;
  }
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startSimulator(users: number, latencyMs: number): Promise<void> {
  sim = new JumpCloudSimulator({ dataset: { users, seed: 3 }, latencyMs });
  await sim.start();
}

function start(config: object, name = 'worker'): WorkerProcess {
  const worker = new WorkerProcess(writeConfig(dir, name, config), { JC_KEY: sim.apiKey, J1_KEY: 'j1-fake-api-key', J1_ACCOUNT: 'j1-fake-account', WORKER_ADMIN_TOKEN: TOKEN });
  workers.push(worker);
  return worker;
}

const instance = (id: string, extra: object = {}) => ({
  id,
  intervalSeconds: 3600,
  jumpcloud: { apiKeyEnv: 'JC_KEY', baseUrl: sim.baseUrl },
  target: { type: 'local', db: join(dir, `${id}.db`) },
  ...extra,
});

const redisUrl = () => {
  const url = process.env['REDIS_URL'];
  if (!url) throw new Error('REDIS_URL is not set: the global setup starts a Redis');
  return url;
};

const trigger = (url: string, id: string, token = TOKEN) => fetch(`${url}/instances/${id}/sync`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

/** Runs of one instance, as [start, end] times from the logs of every process. */
function intervals(logs: LogLine[], instanceId: string): Array<[number, number, string]> {
  const starts = new Map(logs.filter((l) => l.msg === 'run started' && l.instance === instanceId).map((l) => [l.runId, l.time]));
  return logs
    .filter((l) => l.msg === 'run ended' && l.instance === instanceId)
    .map((l) => [starts.get(l.runId) ?? Number.NaN, l.time, String(l.runId)] as [number, number, string])
    .sort((a, b) => a[0] - b[0]);
}

describe('worker, one process (no Redis)', () => {
  it('runs at start-up, serves metrics and the trigger, and exits 0 on SIGTERM', async () => {
    await startSimulator(30, 0);
    const worker = start({ http: { port: 0 }, instances: [instance('acme')] });
    const url = await worker.url();
    const first = await worker.waitFor((l) => l.msg === 'run ended');
    expect(first).toMatchObject({ instance: 'acme', status: 'success' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('jumpcloud_graph_sync_runs_total{instance="acme",status="success"} 1');
    expect(metrics).toMatch(/jumpcloud_graph_entities_published\{instance="acme",type="jumpcloud_user"\} \d+/);

    expect((await trigger(url, 'acme', 'wrong')).status).toBe(401);
    expect((await trigger(url, 'nope')).status).toBe(404);
    const started = await trigger(url, 'acme');
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    expect((await trigger(url, 'acme')).status).toBe(409);
    await worker.waitFor((l) => l.msg === 'run ended' && l.runId === runId);

    worker.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.logs.at(-1)?.msg).toBe('stopped');
    const store = LocalGraphStore.open(join(dir, 'acme.db'));
    try {
      expect(store.listRuns().filter((r) => r.status === 'committed')).toHaveLength(2);
    } finally {
      store.close();
    }
    // secrets never reach the logs
    expect(JSON.stringify(worker.logs)).not.toContain(sim.apiKey);
  });

  it('aborts an unfinished JupiterOne job on SIGTERM and exits 0', async () => {
    await startSimulator(2000, 40);
    const fake = new JupiterOneFake();
    await fake.start();
    try {
      const worker = start({
        http: { port: 0 },
        instances: [instance('acme', { target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', baseUrl: fake.baseUrl } })],
      });
      await worker.waitFor((l) => l.msg === 'run started');
      // wait until the job exists on the JupiterOne side, then stop the worker mid-run
      await worker.waitFor((l) => typeof l['jobId'] === 'string');
      worker.signal('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(fake.jobs().map((j) => j.status)).toEqual(['ABORTED']);
      expect(worker.runs('cancelled')).toHaveLength(1);
    } finally {
      await fake.stop();
    }
  });
});

describe('worker replicas on Redis', () => {
  it('share the instances, never running one instance twice at once, and shut down cleanly', async () => {
    await startSimulator(300, 15);
    const config = {
      http: { port: 0 },
      redisUrl: redisUrl(),
      concurrency: 1,
      queue: { name: `share-${Date.now()}`, lockDurationMs: 5000, stalledIntervalMs: 2000, retryDelayMs: 500 },
      instances: [instance('acme', { intervalSeconds: 2 }), instance('globex', { intervalSeconds: 2 })],
    };
    // an instance removed from the configuration since an earlier deployment
    const connection = new IORedis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(config.queue.name, { connection });
    await queue.upsertJobScheduler('instance-retired', { every: 3_600_000 }, { name: 'scheduled', data: { instanceId: 'retired' } });
    const a = start(config, 'a');
    const b = start(config, 'b');
    await Promise.all([a.url(), b.url()]);
    expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['instance-acme', 'instance-globex']);
    await queue.close();
    await connection.quit();
    const ended = () => [...a.runs(), ...b.runs()];
    const enough = async () => {
      for (let i = 0; i < 600 && !(['acme', 'globex'].every((id) => ended().filter((l) => l.instance === id).length >= 3)); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await enough();
    a.signal('SIGTERM');
    b.signal('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);

    const logs = [...a.logs, ...b.logs];
    for (const id of ['acme', 'globex']) {
      const runs = intervals(logs, id);
      expect(runs.length).toBeGreaterThanOrEqual(3);
      // each run id ran once, and a run of the instance started only after the previous one ended
      expect(new Set(runs.map((r) => r[2])).size).toBe(runs.length);
      for (let i = 1; i < runs.length; i++) expect(runs[i][0]).toBeGreaterThanOrEqual(runs[i - 1][1]);
    }
    // both replicas took part
    expect(a.runs().length).toBeGreaterThan(0);
    expect(b.runs().length).toBeGreaterThan(0);
    expect(ended().every((l) => l.status === 'success' || l.status === 'cancelled')).toBe(true);
  });

  it('runs again, on another replica, a run whose worker was killed', async () => {
    await startSimulator(1500, 60);
    const config = {
      http: { port: 0 },
      redisUrl: redisUrl(),
      concurrency: 1,
      queue: { name: `killed-${Date.now()}`, lockDurationMs: 2000, stalledIntervalMs: 1000, retryDelayMs: 500 },
      instances: [instance('acme', { pollingInterval: 'DISABLED', intervalSeconds: undefined })],
    };
    const a = start(config, 'a');
    const b = start(config, 'b');
    const [urlA] = await Promise.all([a.url(), b.url()]);
    const started = await trigger(urlA, 'acme');
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const taker = await Promise.race([a, b].map((w) => w.waitFor((l) => l.msg === 'run started' && l.runId === runId).then(() => w)));
    const other = taker === a ? b : a;
    taker.signal('SIGKILL');
    await taker.exited;
    const ended = await other.waitFor((l) => l.msg === 'run ended' && l.runId === runId);
    expect(ended.status).toBe('success');
    expect(taker.runs()).toHaveLength(0);
  });
});

/** The promise, or a failure naming `what` if it does not settle within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('worker whose Redis is down', () => {
  it('logs its reconnects as single JSON lines, without stack traces or the password', async () => {
    await startSimulator(1, 0);
    const port = await closedPort();
    const worker = start({
      http: { port: 0 },
      redisUrl: `redis://:redis-password-for-tests@127.0.0.1:${port}`,
      queue: { name: `down-${Date.now()}`, lockDurationMs: 5000, stalledIntervalMs: 2000, retryDelayMs: 500 },
      instances: [instance('acme')],
    });
    // five attempts: a few seconds of backoff
    const reconnects = () => worker.logs.filter((l) => l.msg === 'redis unavailable; reconnecting');
    await within(worker.waitFor(() => reconnects().length >= 5), 20_000, 'five reconnect lines');
    expect(reconnects().map((l) => l['attempt'])).toEqual([1, 2, 3, 4, 5]);
    expect(reconnects().every((l) => l['redis'] === `127.0.0.1:${port}` && l['error'] === 'ECONNREFUSED')).toBe(true);
    // every line on stdout was one JSON object (WorkerProcess parses each); nothing on stderr
    expect(worker.stderr).not.toMatch(/^\s+at /m);
    expect(worker.stderr).not.toContain('Unhandled error event');
    expect(worker.stderr).toBe('');
    expect(JSON.stringify(worker.logs)).not.toContain('redis-password-for-tests');
    worker.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr).toBe('');
  });
});

describe('the worker command line', () => {
  it('exits 2 with one line on an unknown flag, like a bad configuration', () => {
    const run = spawnSync(process.execPath, [workerMain, '--bogus'], { env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^jumpcloud-graph-worker: .*--bogus/);
  });
});
