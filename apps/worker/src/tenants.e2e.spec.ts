import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { keyId } from './budget/redis-key-budget';
import { HoldingProxy } from './testing/holding-proxy';
import { overlaps, type Run, runsOf } from './testing/run-log';
import { until } from './testing/wait';
import { WorkerProcess, writeConfig } from './testing/worker-process';

/**
 * Built worker processes on a real Redis (redis-global-setup.cjs) with a multi-tenant key
 * (`organizations: all`) over the simulator's organizations, reached through a HoldingProxy so a
 * test can keep runs in progress while it kills or stops a replica.
 */
const TOKEN = 'worker-admin-token-for-tests';
let dir: string;
let sim: JumpCloudSimulator;
let gate: HoldingProxy;
const workers: WorkerProcess[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-tenants-e2e-'));
  sim = new JumpCloudSimulator({ dataset: { organizations: 4, users: 10, seed: 5 } });
  await sim.start();
  gate = new HoldingProxy(sim.baseUrl);
  await gate.start();
});

afterEach(async () => {
  for (const worker of workers.splice(0)) {
    worker.signal('SIGKILL');
    await worker.exited;
  }
  await gate.stop();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

const redisUrl = () => {
  const url = process.env['REDIS_URL'];
  if (!url) throw new Error('REDIS_URL is not set: the global setup starts a Redis');
  return url;
};

function start(config: object, name: string): WorkerProcess {
  const worker = new WorkerProcess(writeConfig(dir, name, config), { JC_KEY: sim.apiKey, WORKER_ADMIN_TOKEN: TOKEN });
  workers.push(worker);
  return worker;
}

/** A worker configuration with one multi-tenant instance over the simulator's organizations. */
function mspConfig(queue: string, extra: { intervalSeconds: number; lockDurationMs: number }) {
  return {
    http: { port: 0 },
    redisUrl: redisUrl(),
    concurrency: 2,
    queue: { name: queue, lockDurationMs: extra.lockDurationMs, stalledIntervalMs: 1000, retryDelayMs: 500 },
    instances: [
      {
        id: 'msp',
        organizations: 'all',
        intervalSeconds: extra.intervalSeconds,
        mode: 'full',
        // a budget that does not slow these small runs down
        jumpcloud: { apiKeyEnv: 'JC_KEY', baseUrl: gate.baseUrl, maxConcurrentRunsPerKey: 4, requestsPerSecond: 500, maxInFlight: 16 },
        target: { type: 'local', db: join(dir, 'msp-{orgId}.db') },
      },
    ],
  };
}

const orgIds = () => sim.dataset.organizations.map((o) => o.organization._id).sort();
const unitsOf = () => orgIds().map((id) => `msp/${id}`);

/** The committed runs of an organization's own database. */
function committedRuns(orgId: string): number {
  const store = LocalGraphStore.open(join(dir, `msp-${orgId}.db`), { create: false });
  try {
    return store.listRuns().filter((r) => r.status === 'committed').length;
  } finally {
    store.close();
  }
}

describe('worker replicas with a multi-tenant key (organizations: all)', () => {
  it('loses no organization when a replica is killed in the middle of its runs', async () => {
    // every JumpCloud request waits but the discovery's organization list: the runs hold
    gate.hold((path) => path !== '/api/organizations');
    const config = mspConfig(`tenants-killed-${Date.now()}`, { intervalSeconds: 3600, lockDurationMs: 2000 });
    const a = start(config, 'a');
    const b = start(config, 'b');
    await Promise.all([a.url(), b.url()]);
    const startedOn = (w: WorkerProcess) => w.logs.filter((l) => l.msg === 'run started');
    // each replica takes runs (two at a time each), held on JumpCloud
    await until(() => startedOn(a).length > 0 && startedOn(b).length > 0, 'both replicas running organizations', {
      describe: () => `a: ${startedOn(a).length}, b: ${startedOn(b).length}`,
    });
    const killedOrgs = startedOn(a).map((l) => String(l['org']));
    const killedAt = Date.now();
    a.signal('SIGKILL');
    await a.exited;
    gate.release();

    // b runs every organization, those a held again once a's claims expired
    const ended = () => b.runs('success').map((l) => String(l['org']));
    await until(() => orgIds().every((id) => ended().includes(id)), 'a successful run of every organization on b', {
      timeoutMs: 60_000,
      describe: () => `b ended ${ended().join(', ') || 'none'}; a had ${killedOrgs.join(', ')}`,
    });
    for (const id of killedOrgs) {
      const rerun = b.logs.find((l) => l.msg === 'run started' && l['org'] === id);
      expect(rerun?.time).toBeGreaterThanOrEqual(killedAt);
    }
    expect(a.runs()).toEqual([]);
    // the dead replica's runs ended when it died
    const runs = runsOf({ a, b }).map((r) => (r.worker === 'a' ? { ...r, end: killedAt } : r));
    for (const unit of unitsOf()) expect(overlaps(runs, unit)).toEqual([]);
    // every organization's own database has its run
    for (const id of orgIds()) expect(committedRuns(id)).toBeGreaterThanOrEqual(1);

    // /status on the survivor lists every organization with its last run
    const status = (await (await fetch(`${await b.url()}/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      instances: Array<{ id: string; organizations: Array<{ id: string; lastRun: { status?: string } | null }> }>;
    };
    expect(status.instances[0].organizations.map((o) => [o.id, o.lastRun?.status])).toEqual(orgIds().map((id) => [id, 'success']));

    // the console lists each organization's graph, from Redis, and queries it
    const auth = { authorization: `Bearer ${TOKEN}` };
    const graphs = (await (await fetch(`${await b.url()}/api/graphs`, { headers: auth })).json()) as { graphs: Array<{ id: string }> };
    expect(graphs.graphs.map((g) => g.id)).toEqual(orgIds().map((id) => `msp:${id}`));
    const users = await fetch(`${await b.url()}/api/graphs/${encodeURIComponent(`msp:${orgIds()[0]}`)}/query?q=${encodeURIComponent('FIND jumpcloud_user')}`, { headers: auth });
    expect(((await users.json()) as { total: number }).total).toBeGreaterThan(0);
  });

  it('neither doubles nor drops a scheduled run of any organization when scaled from 1 to 3 processes and back', async () => {
    const intervalMs = 3000;
    const queueName = `tenants-scale-${Date.now()}`;
    const config = mspConfig(queueName, { intervalSeconds: intervalMs / 1000, lockDurationMs: 3000 });
    const keyQueueName = `${queueName}-${keyId(sim.apiKey)}`;
    const a = start(config, 'a');
    await a.url();
    const all = (): Record<string, WorkerProcess> => Object.fromEntries(workers.map((w, i) => [['a', 'b', 'c'][i], w]));
    const succeeded = (): Run[] => runsOf(all()).filter((r) => r.status === 'success');
    const roundsDone = (n: number) => () => unitsOf().every((unit) => succeeded().filter((r) => r.instance === unit).length >= n);
    const describe = () => succeeded().map((r) => `${r.worker}:${r.instance.slice(-4)}:${r.runId.split(':').pop()}`).join(' ');
    await until(roundsDone(2), 'two rounds on one process', { timeoutMs: 30_000, describe });

    // scale up to 3
    const b = start(config, 'b');
    const c = start(config, 'c');
    await Promise.all([b.url(), c.url()]);
    const upAt = Date.now();
    await until(roundsDone(5), 'three more rounds on three processes', { timeoutMs: 40_000, describe });
    // and back to 1: the two stop (a run in progress is cancelled and taken again by a)
    b.signal('SIGTERM');
    c.signal('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(await c.exited).toBe(0);
    await until(roundsDone(7), 'two more rounds on one process', { timeoutMs: 30_000, describe });
    a.signal('SIGTERM');
    expect(await a.exited).toBe(0);

    const runs = runsOf(all());
    // the added processes took runs
    expect(runs.filter((r) => r.worker !== 'a' && r.start >= upAt).length).toBeGreaterThan(0);
    // Nothing dropped: every job the organizations' schedules made up to the end (the next one,
    // due later, aside) completed as a successful run. BullMQ keeps them (removeOnComplete: 1000).
    const connection = new IORedis(redisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(keyQueueName, { connection });
    try {
      const stoppedAt = Date.now();
      const jobs = (await queue.getJobs(['completed', 'failed', 'delayed', 'waiting', 'active', 'prioritized'])).filter((job) => job !== undefined);
      const due = jobs.filter((job) => job.id?.startsWith('repeat:org-msp-') && Number(job.id.split(':').pop()) <= stoppedAt - intervalMs);
      expect(due.length).toBeGreaterThanOrEqual(4 * 6);
      const states = await Promise.all(due.map(async (job) => `${job.id} ${await job.getState()} ${String(job.returnvalue)}`));
      expect(states.filter((line) => !line.endsWith(' completed success'))).toEqual([]);
      // and each of them is a successful run in some process's log
      const succeededIds = new Set(runs.filter((r) => r.status === 'success').map((r) => r.runId));
      expect(due.map((job) => job.id).filter((id) => !succeededIds.has(id as string))).toEqual([]);
    } finally {
      await queue.close();
      await connection.quit();
    }
    for (const unit of unitsOf()) {
      expect(overlaps(runs, unit)).toEqual([]);
      // no scheduled slot (its job `repeat:<scheduler>:<ms>`) succeeded twice
      const slots = runs.filter((r) => r.instance === unit && r.status === 'success').map((r) => r.runId);
      expect(new Set(slots).size).toBe(slots.length);
      // and every run that did not succeed was a shutdown's cancel, run again
      for (const run of runs.filter((r) => r.instance === unit && r.status !== 'success')) {
        expect(run.status).toBe('cancelled');
        expect(runs.some((other) => other.runId === run.runId && other.status === 'success')).toBe(true);
      }
    }
  });
});
