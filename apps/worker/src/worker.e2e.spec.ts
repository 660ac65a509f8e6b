import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { HoldingProxy } from './testing/holding-proxy';
import { WorkerProcess, workerMain, writeConfig } from './testing/worker-process';
import { closedPort } from './testing/ports';
import { until, within } from './testing/wait';

/**
 * The built worker as it is deployed: processes with a configuration file, against the JumpCloud
 * simulator, the JupiterOne fake and (distributed mode) a real Redis (see redis-global-setup.cjs).
 * The workers reach the simulator through a HoldingProxy (`jumpcloud`), so that a test can keep a
 * run in progress for as long as it needs: nothing here depends on how fast a run is.
 */
const TOKEN = 'worker-admin-token-for-tests';
let dir: string;
let sim: JumpCloudSimulator | undefined;
let jumpcloud: HoldingProxy | undefined;
const workers: WorkerProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-worker-'));
});
afterEach(async () => {
  for (const worker of workers.splice(0)) {
    worker.signal('SIGKILL');
    await worker.exited;
  }
  await jumpcloud?.stop();
  jumpcloud = undefined;
  await sim?.stop();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The simulator, and the holding proxy the workers reach it through. */
async function startSimulator(users: number): Promise<HoldingProxy> {
  sim = new JumpCloudSimulator({ dataset: { users, seed: 3 } });
  await sim.start();
  jumpcloud = new HoldingProxy(sim.baseUrl);
  await jumpcloud.start();
  return jumpcloud;
}

function simulator(): JumpCloudSimulator {
  if (!sim) throw new Error('startSimulator() first');
  return sim;
}

function start(config: object, name = 'worker'): WorkerProcess {
  const env = { JC_KEY: simulator().apiKey, J1_KEY: 'j1-fake-api-key', J1_ACCOUNT: 'j1-fake-account', WORKER_ADMIN_TOKEN: TOKEN };
  const worker = new WorkerProcess(writeConfig(dir, name, config), env);
  workers.push(worker);
  return worker;
}

const instance = (id: string, extra: object = {}) => ({
  id,
  intervalSeconds: 3600,
  jumpcloud: { apiKeyEnv: 'JC_KEY', baseUrl: jumpcloud?.baseUrl },
  target: { type: 'local', db: join(dir, `${id}.db`) },
  ...extra,
});

const redisUrl = () => {
  const url = process.env['REDIS_URL'];
  if (!url) throw new Error('REDIS_URL is not set: the global setup starts a Redis');
  return url;
};

const trigger = (url: string, id: string, token = TOKEN) => fetch(`${url}/instances/${id}/sync`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

interface Run {
  worker: string;
  instance: string;
  runId: string;
  start: number;
  /** The time of its 'run ended' line; NaN for a run that never ended (a killed process). */
  end: number;
  status?: string;
}

/** Every run each process logged, its start and end paired within the process. */
function runsOf(byWorker: Record<string, WorkerProcess>): Run[] {
  const runs: Run[] = [];
  for (const [name, worker] of Object.entries(byWorker)) {
    const open = new Map<string, Run>();
    for (const line of worker.logs) {
      const key = String(line.runId);
      if (line.msg === 'run started') {
        const run: Run = { worker: name, instance: String(line.instance), runId: key, start: line.time, end: Number.NaN };
        open.set(key, run);
        runs.push(run);
      } else if (line.msg === 'run ended') {
        const run = open.get(key);
        if (!run) throw new Error(`${name} logged the end of ${key}, which it never started`);
        open.delete(key);
        run.end = line.time;
        run.status = line.status;
      }
    }
  }
  return runs.sort((a, b) => a.start - b.start);
}

/** Runs of one instance that overlapped, whichever processes ran them. */
function overlaps(runs: Run[], instanceId: string): string[] {
  const mine = runs.filter((r) => r.instance === instanceId);
  const found: string[] = [];
  for (let i = 1; i < mine.length; i++) {
    for (const earlier of mine.slice(0, i)) {
      if (!(mine[i].start >= earlier.end)) found.push(`${mine[i].worker} started ${mine[i].runId} while ${earlier.worker} ran ${earlier.runId}`);
    }
  }
  return found;
}

/** Runs of one process that overlapped more than `concurrency` at a time. */
function overCapacity(runs: Run[], worker: string, concurrency: number): string[] {
  const mine = runs.filter((r) => r.worker === worker);
  return mine.filter((run) => mine.filter((other) => other.start <= run.start && !(other.end <= run.start)).length > concurrency).map((r) => r.runId);
}

describe('worker, one process (no Redis)', () => {
  it('runs at start-up, serves metrics and the trigger (409 while a run is in progress), and exits 0 on SIGTERM', async () => {
    const gate = await startSimulator(30);
    const worker = start({ http: { port: 0 }, instances: [instance('acme')] });
    const url = await worker.url();
    const first = await worker.waitFor((l) => l.msg === 'run ended', 'the start-up run to end');
    expect(first).toMatchObject({ instance: 'acme', status: 'success' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('jumpcloud_graph_sync_runs_total{instance="acme",status="success"} 1');
    expect(metrics).toMatch(/jumpcloud_graph_entities_published\{instance="acme",type="jumpcloud_user"\} \d+/);

    expect((await trigger(url, 'acme', 'wrong')).status).toBe(401);
    expect((await trigger(url, 'nope')).status).toBe(404);
    // every JumpCloud request waits: the triggered run cannot end until the gate opens
    gate.hold();
    const started = await trigger(url, 'acme');
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    await worker.waitFor((l) => l.msg === 'run started' && l.runId === runId, `the run ${runId} to start`);
    await until(() => gate.heldCount > 0, 'the run to wait on JumpCloud');
    expect((await trigger(url, 'acme')).status).toBe(409);
    gate.release();
    const ended = await worker.waitFor((l) => l.msg === 'run ended' && l.runId === runId, `the run ${runId} to end`);
    expect(ended.status).toBe('success');
    expect(worker.runs()).toHaveLength(2);

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
    expect(JSON.stringify(worker.logs)).not.toContain(simulator().apiKey);
  });

  it('aborts an unfinished JupiterOne job on SIGTERM and exits 0', async () => {
    // The users list waits: the run opens its JupiterOne job, then cannot finish. A run notices
    // the cancel between pages (a request in flight is not aborted), so the list is let through
    // once the worker is shutting down.
    const gate = await startSimulator(30);
    gate.hold((path) => path.startsWith('/api/systemusers'));
    const fake = new JupiterOneFake();
    await fake.start();
    try {
      const worker = start({
        http: { port: 0 },
        instances: [instance('acme', { target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', baseUrl: fake.baseUrl } })],
      });
      await worker.waitFor((l) => l.msg === 'run started', 'the start-up run to start');
      await worker.waitFor((l) => typeof l['jobId'] === 'string', 'the JupiterOne job to be created');
      await until(() => gate.heldCount > 0, 'the run to wait on the users list');
      worker.signal('SIGTERM');
      await worker.waitFor((l) => l.msg.startsWith('shutting down'), 'the worker to start shutting down');
      gate.release();
      expect(await worker.exited).toBe(0);
      expect(fake.jobs().map((j) => j.status)).toEqual(['ABORTED']);
      expect(worker.runs().map((l) => l.status)).toEqual(['cancelled']);
      expect(worker.logs.map((l) => l.msg)).not.toContain('shutdown deadline reached; exiting');
    } finally {
      await fake.stop();
    }
  });
});

describe('worker replicas on Redis', () => {
  it('share the instances, never running one instance twice at once nor more runs than their concurrency, and shut down cleanly', async () => {
    const gate = await startSimulator(30);
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
    // the first runs of both instances are due at once and wait on JumpCloud until the gate opens
    gate.hold();
    const a = start(config, 'a');
    const b = start(config, 'b');
    const [urlA, urlB] = await Promise.all([a.url(), b.url()]);
    expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['instance-acme', 'instance-globex']);
    await queue.close();
    await connection.quit();

    // Both are in progress at once; a replica runs one at a time (concurrency 1), so each runs one.
    const startedLines = () => [...a.logs, ...b.logs].filter((l) => l.msg === 'run started');
    await until(() => ['acme', 'globex'].every((id) => startedLines().some((l) => l.instance === id)), 'a run of acme and one of globex in progress', {
      describe: () => `started: ${startedLines().map((l) => l.instance).join(', ') || 'none'}`,
    });
    const runner = (id: string) => (a.logs.some((l) => l.msg === 'run started' && l.instance === id) ? 'a' : 'b');
    expect(runner('acme')).not.toBe(runner('globex'));
    // and a trigger of an instance in progress is refused, by either replica
    expect((await trigger(urlA, 'acme')).status).toBe(409);
    expect((await trigger(urlB, 'globex')).status).toBe(409);
    gate.release();

    const ended = (id: string) => [...a.runs(), ...b.runs()].filter((l) => l.instance === id);
    await until(() => ['acme', 'globex'].every((id) => ended(id).length >= 3), 'three ended runs of acme and of globex', {
      timeoutMs: 60_000,
      describe: () => `ended: acme ${ended('acme').length}, globex ${ended('globex').length}`,
    });
    a.signal('SIGTERM');
    b.signal('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);

    const runs = runsOf({ a, b });
    for (const id of ['acme', 'globex']) {
      expect(runs.filter((r) => r.instance === id && r.status === 'success').length).toBeGreaterThanOrEqual(3);
      expect(overlaps(runs, id)).toEqual([]);
    }
    // a run id ran once, unless a shutdown cancelled it and another replica took it up
    for (const run of runs) {
      const again = runs.filter((r) => r.runId === run.runId);
      expect(again.slice(0, -1).filter((r) => r.status !== 'cancelled')).toEqual([]);
    }
    expect(overCapacity(runs, 'a', 1)).toEqual([]);
    expect(overCapacity(runs, 'b', 1)).toEqual([]);
    // every run ended, as a success, or cancelled by the shutdown
    expect(runs.filter((r) => !(r.status === 'success' || r.status === 'cancelled')).map((r) => `${r.worker} ${r.runId} ${r.status}`)).toEqual([]);
    const shutdown = Math.min(...[a, b].map((w) => w.logs.find((l) => l.msg.startsWith('shutting down'))?.time ?? Number.POSITIVE_INFINITY));
    expect(runs.filter((r) => r.status === 'cancelled' && r.end < shutdown)).toEqual([]);
  });

  it('runs again, on another replica, a run whose worker was killed, once the claim of the dead one has expired', async () => {
    const gate = await startSimulator(30);
    const config = {
      http: { port: 0 },
      redisUrl: redisUrl(),
      concurrency: 1,
      queue: { name: `killed-${Date.now()}`, lockDurationMs: 2000, stalledIntervalMs: 1000, retryDelayMs: 500 },
      instances: [instance('acme', { pollingInterval: 'DISABLED', intervalSeconds: undefined })],
    };
    const a = start(config, 'a');
    const b = start(config, 'b');
    const [urlA, urlB] = await Promise.all([a.url(), b.url()]);
    // the run waits on JumpCloud until the gate opens: it is in progress when its worker dies
    gate.hold();
    const started = await trigger(urlA, 'acme');
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const startedOn = (w: WorkerProcess) => w.logs.some((l) => l.msg === 'run started' && l.runId === runId);
    await until(() => startedOn(a) || startedOn(b), `a replica to start ${runId}`);
    const [taker, other] = startedOn(a) ? [a, b] : [b, a];
    await until(() => gate.heldCount > 0, 'the run to wait on JumpCloud');
    expect((await trigger(urlA, 'acme')).status).toBe(409);
    expect((await trigger(urlB, 'acme')).status).toBe(409);

    const killedAt = Date.now();
    taker.signal('SIGKILL');
    await taker.exited;
    gate.release();
    const rerun = await other.waitFor((l) => l.msg === 'run started' && l.runId === runId, `the other replica to start ${runId} again`);
    const ended = await other.waitFor((l) => l.msg === 'run ended' && l.runId === runId, `the other replica to end ${runId}`);
    expect(ended.status).toBe('success');
    // the dead replica never ended it, and the other took it up only once it was dead, once
    expect(taker.runs()).toHaveLength(0);
    expect(rerun.time).toBeGreaterThanOrEqual(killedAt);
    expect(other.logs.filter((l) => l.msg === 'run started').map((l) => l.runId)).toEqual([runId]);
  });
});

describe('worker whose Redis is down', () => {
  it('logs its reconnects as single JSON lines, without stack traces or the password', async () => {
    await startSimulator(1);
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
