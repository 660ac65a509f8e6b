import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookReceiver } from '@jumpcloud-graph/alerting';
import { busiestWindow, type DatasetOptions, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import {
  activeUsersWithoutMfa,
  ALERT_RULES,
  ALERT_SECRET,
  ALERT_SECRET_ENV,
  changeDirectory,
  deliveredFindings,
  type DirectoryChanges,
  repeated,
  writeAlertRules,
} from './testing/alert-rules';
import { keyId } from './budget/redis-key-budget';
import { HoldingProxy } from './testing/holding-proxy';
import { type LogLine, WorkerProcess, workerMain, writeConfig } from './testing/worker-process';
import { overCapacity, overlaps, runsOf } from './testing/run-log';
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
let receiver: WebhookReceiver | undefined;
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
  await receiver?.stop();
  receiver = undefined;
  await sim?.stop();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The simulator, and the holding proxy the workers reach it through. */
async function startSimulator(users: number, dataset: Omit<DatasetOptions, 'users' | 'seed'> = {}): Promise<HoldingProxy> {
  sim = new JumpCloudSimulator({ dataset: { users, seed: 3, ...dataset } });
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
  const env = { JC_KEY: simulator().apiKey, J1_KEY: 'j1-fake-api-key', J1_ACCOUNT: 'j1-fake-account', WORKER_ADMIN_TOKEN: TOKEN, [ALERT_SECRET_ENV]: ALERT_SECRET };
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

describe('worker, one process (no Redis)', () => {
  it('runs at start-up, serves metrics and the trigger (409 while a run is in progress), and exits 0 on SIGTERM', async () => {
    const gate = await startSimulator(30);
    const worker = start({ http: { port: 0 }, instances: [instance('acme')] });
    const url = await worker.url();
    const first = await worker.waitFor((l) => l.msg === 'run ended', 'the start-up run to end');
    // the first run of an instance has no watermark yet: auto runs full
    expect(first).toMatchObject({ instance: 'acme', status: 'success', mode: 'full' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('jumpcloud_graph_sync_runs_total{instance="acme",status="success",mode="full"} 1');
    expect(metrics).toMatch(/jumpcloud_graph_entities_published\{instance="acme",type="jumpcloud_user"\} \d+/);
    const status = (await (await fetch(`${url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { instances: Array<Record<string, unknown>> };
    expect(status.instances).toEqual([
      { id: 'acme', running: false, lastRun: expect.objectContaining({ runId: first.runId, status: 'success', mode: 'full' }), nextRunAt: expect.any(String) },
    ]);

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

  it('serves the web console over its instances\' local graphs, behind the viewer or the admin token', async () => {
    await startSimulator(30);
    const worker = new WorkerProcess(writeConfig(dir, 'console', { http: { port: 0 }, instances: [instance('acme')] }), {
      JC_KEY: simulator().apiKey,
      WORKER_ADMIN_TOKEN: TOKEN,
      WORKER_VIEWER_TOKEN: 'viewer-token',
    });
    workers.push(worker);
    const url = await worker.url();
    await worker.waitFor((l) => l.msg === 'run ended', 'the start-up run to end');
    const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`viewer:${token}`).toString('base64')}` });
    const refused = await fetch(`${url}/console/`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Basic');
    expect((await fetch(`${url}/console/`, { headers: basic('wrong') })).status).toBe(401);
    const page = await fetch(`${url}/console/`, { headers: basic('viewer-token') });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = /<script[^>]*src="([^"]+)"/.exec(await page.text())?.[1] as string;
    expect((await fetch(`${url}/console/${script}`, { headers: basic('viewer-token') })).status).toBe(200);
    // the admin token opens it too, as a bearer token; the viewer token opens nothing else
    const graphs = await fetch(`${url}/api/graphs`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await graphs.json()).toEqual({ graphs: [{ id: 'acme', name: 'acme' }] });
    const query = await fetch(`${url}/api/graphs/acme/query?q=${encodeURIComponent('FIND jumpcloud_user')}`, { headers: basic('viewer-token') });
    expect(((await query.json()) as { total: number }).total).toBeGreaterThan(0);
    expect((await fetch(`${url}/status`, { headers: { authorization: 'Bearer viewer-token' } })).status).toBe(401);
    expect((await fetch(`${url}/api/graphs/acme/runs`, { method: 'POST', headers: basic('viewer-token') })).status).toBe(405);
    worker.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('runs incremental syncs between its full ones (a full one once fullEvery has passed), and its metrics tell them apart', async () => {
    await startSimulator(30);
    const worker = start({ http: { port: 0 }, instances: [instance('acme', { fullEvery: '10s' })] });
    const url = await worker.url();
    const first = await worker.waitFor((l) => l.msg === 'run ended', 'the start-up run to end');
    expect(first).toMatchObject({ status: 'success', mode: 'full' });
    // the full sync started (and recorded its start) before its run ended: past this, fullEvery has passed
    const fullEveryPassedAt = first.time + 10_500;
    const [org] = simulator().dataset.organizations;
    const changed = org.users[0]._id;
    simulator().control.updateUser(changed, { jobTitle: 'Changed between runs' });
    // the simulator stamps a burst of changes a millisecond apart: let the clock pass them
    await new Promise((resolve) => setTimeout(resolve, 20));
    const runTriggered = async () => {
      const { runId } = (await (await trigger(url, 'acme')).json()) as { runId: string };
      return worker.waitFor((l) => l.msg === 'run ended' && l.runId === runId, `the run ${runId} to end`);
    };
    expect(await runTriggered()).toMatchObject({ status: 'success', mode: 'incremental', incremental: expect.objectContaining({ reread: 1 }) });
    // once fullEvery has passed since the full sync started, auto reads everything again
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, fullEveryPassedAt - Date.now())));
    expect(await runTriggered()).toMatchObject({ status: 'success', mode: 'full', fullReason: expect.stringContaining('the last full sync is') });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('jumpcloud_graph_sync_runs_total{instance="acme",status="success",mode="full"} 2');
    expect(metrics).toContain('jumpcloud_graph_sync_runs_total{instance="acme",status="success",mode="incremental"} 1');
    worker.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
    const store = LocalGraphStore.open(join(dir, 'acme.db'));
    try {
      // newest first; the store keeps the last two runs
      expect(store.listRuns().map((r) => r.mode)).toEqual(['full', 'incremental']);
      expect(store.readObjects(store.listRuns()[1].id, 'e', [changed])[0]).toMatchObject({ jobTitle: 'Changed between runs' });
    } finally {
      store.close();
    }
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
    // the retired instance's scheduler is gone; the instances' are in the queue of their key
    expect(await queue.getJobSchedulers(0, -1)).toEqual([]);
    const keyQueue = new Queue(`${config.queue.name}-${keyId(simulator().apiKey)}`, { connection });
    expect((await keyQueue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['instance-acme', 'instance-globex']);
    await keyQueue.close();
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

  it('answer GET /status for every instance from Redis, whichever replica ran it', async () => {
    await startSimulator(20);
    const config = {
      http: { port: 0 },
      redisUrl: redisUrl(),
      concurrency: 1,
      queue: { name: `status-${Date.now()}`, lockDurationMs: 5000, stalledIntervalMs: 2000, retryDelayMs: 500 },
      instances: [instance('acme', { mode: 'full' }), instance('manual', { mode: 'full', pollingInterval: 'DISABLED', intervalSeconds: undefined })],
    };
    const a = start(config, 'a');
    const b = start(config, 'b');
    const urls = await Promise.all([a.url(), b.url()]);
    const runs = () => [...a.runs(), ...b.runs()];
    await until(() => runs().some((l) => l.instance === 'acme'), 'the start-up run of acme');
    const statusOf = async (url: string) => (await (await fetch(`${url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { instances: Array<Record<string, unknown>> };
    const [fromA, fromB] = await Promise.all(urls.map(statusOf));
    expect(fromA).toEqual(fromB);
    const [acme, manual] = fromA.instances;
    expect(acme).toMatchObject({ id: 'acme', running: false, lastRun: { runId: runs()[0].runId, status: 'success', mode: 'full' } });
    expect(Date.parse(String(acme['nextRunAt']))).toBeGreaterThan(Date.now());
    expect(manual).toEqual({ id: 'manual', running: false, lastRun: null, nextRunAt: null });
    expect((await fetch(`${urls[0]}/status`)).status).toBe(401);
    a.signal('SIGTERM');
    b.signal('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  });

  it('take every JumpCloud request of every replica from one budget per key: never more than its rate in any window, nor its requests in flight', async () => {
    sim = new JumpCloudSimulator({ dataset: { users: 30, seed: 3 }, requestLogLimit: 100_000 });
    await sim.start();
    const budget = { requestsPerSecond: 10, maxInFlight: 3 };
    const ids = ['k1', 'k2', 'k3', 'k4'];
    const config = {
      http: { port: 0 },
      redisUrl: redisUrl(),
      concurrency: 2,
      queue: { name: `budget-${Date.now()}`, lockDurationMs: 5000, stalledIntervalMs: 2000, retryDelayMs: 500 },
      instances: ids.map((id) => instance(id, { mode: 'full', jumpcloud: { apiKeyEnv: 'JC_KEY', baseUrl: simulator().baseUrl, ...budget } })),
    };
    const replicas = { a: start(config, 'a'), b: start(config, 'b'), c: start(config, 'c') };
    const urls = await Promise.all(Object.values(replicas).map((w) => w.url()));
    const ended = () => Object.values(replicas).flatMap((w) => w.runs());
    await until(() => ids.every((id) => ended().some((l) => l.instance === id)), 'a run of every instance', {
      timeoutMs: 80_000,
      describe: () => `ended: ${ended().map((l) => l.instance).join(', ') || 'none'}`,
    });
    // every replica's metrics (the runs may all have gone to some of them)
    const metrics = (await Promise.all(urls.map(async (url) => (await fetch(`${url}/metrics`)).text()))).join('\n');
    for (const worker of Object.values(replicas)) worker.signal('SIGTERM');
    for (const worker of Object.values(replicas)) expect(await worker.exited).toBe(0);

    expect(ended().filter((l) => l.status !== 'success')).toEqual([]);
    // measured where the requests arrive: the simulator
    const arrivals = simulator().requestLog.map((entry) => entry.startedAt).sort((x, y) => x - y);
    expect(arrivals.length).toBeGreaterThan(4 * budget.requestsPerSecond);
    // The contract: never more than 5% over the budget in any 10-second window. (A 1-second window
    // at the simulator also counts the jitter between a grant and its request's arrival, which a
    // loaded machine stretches past the budget's 50 ms margin: the budget's own tests hold grants
    // to every 1-second window.)
    expect(busiestWindow(arrivals, 10_000)).toBeLessThanOrEqual(Math.floor(budget.requestsPerSecond * 10 * 1.05));
    expect(arrivals.length / ((arrivals[arrivals.length - 1] - arrivals[0]) / 1000)).toBeLessThanOrEqual(budget.requestsPerSecond * 1.05);
    expect(simulator().stats().maxInFlight).toBeLessThanOrEqual(budget.maxInFlight);
    // the replicas' metrics name the key by its hash, never by the key
    expect(metrics).toMatch(/jumpcloud_graph_key_budget_wait_seconds_count\{key="[0-9a-f]{16}"\} [1-9]/);
    expect(metrics).not.toContain(simulator().apiKey);
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

/**
 * Triggers a run of `id` through `url` and waits for one of `among` to end it. A trigger that
 * comes just as the previous run ends may find the instance still busy (409): it is sent again.
 */
async function runToEnd(url: string, id: string, among: WorkerProcess[]): Promise<LogLine> {
  let runId: string | undefined;
  await until(async () => {
    const response = await trigger(url, id);
    if (response.status === 202) runId = ((await response.json()) as { runId: string }).runId;
    else if (response.status === 409) await response.arrayBuffer();
    else throw new Error(`the trigger of ${id} answered ${response.status}`);
    return runId !== undefined;
  }, `a run of ${id} to be accepted`);
  const ended = () => among.flatMap((w) => w.runs()).find((l) => l.runId === runId);
  await until(() => ended() !== undefined, `the run ${runId} to end`, { timeoutMs: 60_000 });
  return ended() as LogLine;
}

interface AlertsField {
  rules: number;
  findings: number;
  delivered: number;
  pending: number;
  dropped: number;
  messages: number;
  errors: number;
}
const alertsOf = (line: LogLine) => line['alerts'] as AlertsField;

/** The findings the receiver accepted, as rule, kind and object key, sorted. */
const received = (r: WebhookReceiver) => deliveredFindings(r).map(({ rule, kind, key }) => [rule, kind, key].join(' ')).sort();
/** What the three changes of `changeDirectory` should give, as `received` lists them. */
const changeFindings = (changed: DirectoryChanges) => [
  `${ALERT_RULES.noMfa} result ${changed.lostMfa}`,
  `${ALERT_RULES.deleted} deleted ${changed.deleted}`,
  `${ALERT_RULES.jobTitle} updated ${changed.retitled.key}`,
];

describe('worker alert rules', () => {
  // Full runs: these tests change the simulator's dataset directly (mutate), which records no
  // Directory Insights event for an incremental run to see.
  const triggeredOnly = (id: string) => instance(id, { pollingInterval: 'DISABLED', intervalSeconds: undefined, mode: 'full' });

  it('evaluates the rules after each run and delivers each new finding once, signed where asked; a refused delivery waits for the next run', async () => {
    await startSimulator(12, { edgeCases: false });
    receiver = new WebhookReceiver();
    await receiver.start();
    const noMfa = activeUsersWithoutMfa(simulator());
    expect(noMfa.length).toBeGreaterThan(0);
    const worker = start({ http: { port: 0 }, rules: writeAlertRules(dir, receiver.url), instances: [triggeredOnly('acme')] });
    const url = await worker.url();

    // the first run: every active user without MFA is a new result; change rules need a previous run
    const first = await runToEnd(url, 'acme', [worker]);
    expect(first.status).toBe('success');
    expect(alertsOf(first)).toEqual({ rules: 3, findings: noMfa.length, delivered: noMfa.length, pending: 0, dropped: 0, messages: 1, errors: 0 });
    expect(received(receiver)).toEqual(noMfa.map((key) => `${ALERT_RULES.noMfa} result ${key}`).sort());
    expect(deliveredFindings(receiver).every((f) => f.instance === 'acme' && f.signature === 'valid')).toBe(true);

    // one user loses MFA, one is deleted, one gets another job title: three new findings
    const changed = changeDirectory(simulator());
    const second = await runToEnd(url, 'acme', [worker]);
    expect(second.status).toBe('success');
    expect(alertsOf(second)).toEqual({ rules: 3, findings: 3, delivered: 3, pending: 0, dropped: 0, messages: 3, errors: 0 });
    const secondFindings = deliveredFindings(receiver).slice(noMfa.length);
    expect(secondFindings.map(({ rule, kind, key }) => [rule, kind, key].join(' ')).sort()).toEqual(changeFindings(changed).sort());
    expect(secondFindings.find((f) => f.rule === ALERT_RULES.jobTitle)?.changes?.['jobTitle']).toEqual({ from: changed.retitled.from, to: changed.retitled.to });
    // only the query rule's webhook signs (it names secretEnv), and its signature holds
    expect(secondFindings.map((f) => [f.rule, f.signature].join(' ')).sort()).toEqual([`${ALERT_RULES.deleted} none`, `${ALERT_RULES.jobTitle} none`, `${ALERT_RULES.noMfa} valid`].sort());

    // a webhook that refuses (400: not retried) fails no run; the finding waits for the next one
    receiver.respondWith([400]);
    simulator().mutate((dataset) => {
      const user = dataset.organizations[0].users.find((u) => u._id === changed.retitled.key);
      if (user) user.jobTitle = 'Head of Findings';
    });
    const third = await runToEnd(url, 'acme', [worker]);
    expect(third.status).toBe('success');
    expect(alertsOf(third)).toMatchObject({ findings: 1, delivered: 0, pending: 1, errors: 1 });
    expect(worker.logs.filter((l) => l.msg === 'alert delivery failed' && l.runId === third.runId)).toHaveLength(1);
    const fourth = await runToEnd(url, 'acme', [worker]);
    expect(alertsOf(fourth)).toMatchObject({ findings: 0, delivered: 1, pending: 0, errors: 0 });
    const late = deliveredFindings(receiver).slice(noMfa.length + 3);
    expect(late.map(({ rule, kind, key, changes }) => ({ rule, kind, key, jobTitle: changes?.['jobTitle'] }))).toEqual([
      { rule: ALERT_RULES.jobTitle, kind: 'updated', key: changed.retitled.key, jobTitle: { from: changed.retitled.to, to: 'Head of Findings' } },
    ]);
    // each finding accepted once; the refused request is the only repeat
    expect(repeated(receiver.findingIds())).toEqual([]);
    expect(receiver.findingIds('all')).toHaveLength(receiver.findingIds().length + 1);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`jumpcloud_graph_alerts_total{instance="acme",rule="${ALERT_RULES.noMfa}",severity="HIGH"} ${noMfa.length + 1}`);
    expect(metrics).toContain(`jumpcloud_graph_alerts_total{instance="acme",rule="${ALERT_RULES.deleted}",severity="MEDIUM"} 1`);
    expect(metrics).toContain(`jumpcloud_graph_alerts_total{instance="acme",rule="${ALERT_RULES.jobTitle}",severity="LOW"} 2`);
    expect(metrics).toContain(`jumpcloud_graph_alert_deliveries_total{instance="acme",status="delivered"} ${noMfa.length + 4}`);
    expect(metrics).toContain('jumpcloud_graph_alert_deliveries_total{instance="acme",status="failed"} 1');
    expect(metrics).toContain('jumpcloud_graph_alert_deliveries_total{instance="acme",status="dropped"} 0');

    worker.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
    // the database recorded what the receiver got, every finding delivered
    const store = LocalGraphStore.open(join(dir, 'acme.db'));
    try {
      const findings = store.alertState().listFindings();
      expect(findings.filter((f) => f.status !== 'delivered')).toEqual([]);
      expect(findings.map((f) => f.id).sort()).toEqual([...receiver.findingIds()].sort());
    } finally {
      store.close();
    }
    expect(JSON.stringify(worker.logs)).not.toContain(ALERT_SECRET);
  });

  it('with two replicas on Redis sharing one local graph, delivers every finding exactly once, whichever replica runs', async () => {
    await startSimulator(12, { edgeCases: false });
    const hooks = new WebhookReceiver();
    receiver = hooks;
    await hooks.start();
    const noMfa = activeUsersWithoutMfa(simulator());
    expect(noMfa.length).toBeGreaterThan(0);
    const config = {
      http: { port: 0 },
      redisUrl: redisUrl(),
      concurrency: 1,
      queue: { name: `alerts-${Date.now()}`, lockDurationMs: 5000, stalledIntervalMs: 2000, retryDelayMs: 500 },
      rules: writeAlertRules(dir, hooks.url),
      instances: [triggeredOnly('acme')],
    };
    const a = start(config, 'a');
    const b = start(config, 'b');
    const [urlA, urlB] = await Promise.all([a.url(), b.url()]);
    const ranOn = (line: LogLine) => (a.runs().includes(line) ? 'a' : 'b');

    const first = await runToEnd(urlA, 'acme', [a, b]);
    expect(alertsOf(first)).toMatchObject({ findings: noMfa.length, delivered: noMfa.length });
    const changed = changeDirectory(simulator());
    const expected = [...noMfa.map((key) => `${ALERT_RULES.noMfa} result ${key}`), ...changeFindings(changed)].sort();
    // The first request after the change is refused: its findings stay pending in the shared
    // database for a later run. Runs go on until the other replica has run the instance too and
    // every finding has arrived; the replicas take jobs as they come, so how many runs that takes
    // is not known (a few at most).
    hooks.respondWith([400]);
    const after: LogLine[] = [];
    const done = () => after.some((l) => ranOn(l) !== ranOn(first)) && new Set(hooks.findingIds()).size >= expected.length;
    for (let i = 0; i < 10 && !done(); i++) after.push(await runToEnd(i % 2 === 0 ? urlB : urlA, 'acme', [a, b]));
    expect(after.map(ranOn)).toContain(ranOn(first) === 'a' ? 'b' : 'a');

    const runs = [first, ...after];
    expect(runs.map((l) => l.status)).toEqual(runs.map(() => 'success'));
    expect(overlaps(runsOf({ a, b }), 'acme')).toEqual([]);
    // no finding delivered twice, across replicas; every expected finding arrived
    expect(repeated(hooks.findingIds())).toEqual([]);
    expect(received(hooks)).toEqual(expected);
    // what the replicas report delivering adds up to what arrived; one delivery was refused
    expect(runs.reduce((n, l) => n + alertsOf(l).delivered, 0)).toBe(expected.length);
    expect(runs.reduce((n, l) => n + alertsOf(l).errors, 0)).toBe(1);
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

  it('exits 2 with one line naming the setting when a rules file cannot be read', () => {
    const config = writeConfig(dir, 'worker', {
      rules: join(dir, 'missing-rules.yaml'),
      instances: [{ id: 'acme', jumpcloud: { apiKey: 'k' }, target: { type: 'local', db: join(dir, 'acme.db') } }],
    });
    const run = spawnSync(process.execPath, [workerMain, '--config', config], { env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^jumpcloud-graph-worker: rules: cannot read the rules file .*missing-rules\.yaml \(ENOENT\)/);
  });
});
