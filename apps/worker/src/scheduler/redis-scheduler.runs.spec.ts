import { type Logger } from '@jumpcloud-graph/domain';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { type InstanceConfig } from '../config/worker-config';
import { type RunInstance, type RunOutcome } from '../instance-runner';
import { TcpProxy } from '../testing/tcp-proxy';
import { until, within } from '../testing/wait';
import { RedisScheduler, type RedisSchedulerOptions, runQueueName } from './redis-scheduler';
import { testInstance } from '../testing/instances';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { WorkerMetrics } from '../metrics';
import { createDiscoverer } from '../tenants/discovery';
import { unitId } from '../tenants/organizations';

/**
 * RedisScheduler against the real Redis of the test setup (redis-global-setup.cjs), with a test
 * double of the run callback: several scheduler objects on one queue name are replicas sharing a
 * Redis, as worker processes are. Each test has a queue of its own.
 */

const redisUrl = () => {
  const url = process.env['REDIS_URL'];
  if (!url) throw new Error('REDIS_URL is not set: the global setup starts a Redis');
  return url;
};

const instance = (id: string, intervalSeconds: number | null = null) => testInstance(id, intervalSeconds);

interface Entry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

type CapturingLogger = Logger & { entries: Entry[]; child(bindings: Record<string, unknown>): CapturingLogger };

function capturingLogger(): CapturingLogger {
  const entries: Entry[] = [];
  const log = (level: Entry['level']) => (fields: Record<string, unknown>, message: string) => void entries.push({ level, fields, message });
  const logger: CapturingLogger = { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

type RunEvent = { kind: 'start' | 'end'; replica: string; instance: string; runId: string; status?: string; reason?: string };
type Event = RunEvent | { kind: 'mark'; what: string };
type RunFilter = { replica?: string; instance?: string; runId?: string };

interface OpenRun {
  replica: string;
  instance: string;
  runId: string;
  finish: (outcome: RunOutcome) => void;
}

/**
 * The run callback of every replica: records each start and end in one timeline, and notes a
 * run that starts while another run of its instance is open (on any replica). Runs stay open
 * until the test finishes them (or `hold` is off), or their signal aborts them (then they end
 * 'cancelled', as the real runner does).
 */
class FakeRuns {
  readonly timeline: Event[] = [];
  readonly overlaps: string[] = [];
  hold = true;
  /** Units whose runs hold even when `hold` is off (a large tenant's long run). */
  readonly holding = new Set<string>();
  private readonly open = new Map<string, OpenRun>();

  for(replica: string): RunInstance {
    return (config, runId, signal) =>
      new Promise<RunOutcome>((resolve) => {
        const unit = unitId(config);
        const others = [...this.open.values()].filter((r) => r.instance === unit);
        if (others.length > 0) this.overlaps.push(`${replica} started ${runId} while ${others.map((r) => `${r.replica} ran ${r.runId}`).join(', ')}`);
        this.timeline.push({ kind: 'start', replica, instance: unit, runId });
        const key = `${replica}/${runId}`;
        let ended = false;
        const finish = (outcome: RunOutcome) => {
          if (ended) return;
          ended = true;
          if (this.open.get(key)?.finish === finish) this.open.delete(key);
          this.timeline.push({ kind: 'end', replica, instance: unit, runId, status: outcome.status, reason: outcome.error });
          resolve(outcome);
        };
        this.open.set(key, { replica, instance: unit, runId, finish });
        signal.addEventListener('abort', () => finish({ status: 'cancelled', error: String(signal.reason) }), { once: true });
        if (!this.hold && !this.holding.has(unit)) setImmediate(() => finish({ status: 'success' }));
      });
  }

  mark(what: string): void {
    this.timeline.push({ kind: 'mark', what });
  }

  starts(filter: RunFilter = {}): RunEvent[] {
    return this.runEvents('start', filter);
  }

  ends(filter: RunFilter = {}): RunEvent[] {
    return this.runEvents('end', filter);
  }

  private runEvents(kind: RunEvent['kind'], filter: RunFilter): RunEvent[] {
    return this.timeline.filter(
      (e): e is RunEvent =>
        e.kind === kind &&
        (filter.replica === undefined || e.replica === filter.replica) &&
        (filter.instance === undefined || e.instance === filter.instance) &&
        (filter.runId === undefined || e.runId === filter.runId),
    );
  }

  running(instanceId?: string): OpenRun[] {
    return [...this.open.values()].filter((r) => instanceId === undefined || r.instance === instanceId);
  }

  /** Ends the open runs (all, or those of one instance) with success. */
  finish(instanceId?: string): void {
    for (const run of this.running(instanceId)) run.finish({ status: 'success' });
  }

  /**
   * The runs of `replica` as a killed process leaves them: no longer running anywhere. They are
   * not resolved (a dead process returns nothing); their signal still ends them when the
   * replica is stopped.
   */
  kill(replica: string): void {
    for (const [key, run] of this.open) if (run.replica === replica) this.open.delete(key);
    this.mark(`${replica} killed`);
  }

  /** The most runs open at once (on every replica together) whose unit passes `test`. */
  mostOpen(test: (unit: string) => boolean): number {
    let open = 0;
    let most = 0;
    for (const e of this.timeline) {
      if (e.kind === 'mark' || !test(e.instance)) continue;
      open += e.kind === 'start' ? 1 : -1;
      most = Math.max(most, open);
    }
    return most;
  }

  indexOf(event: (e: Event) => boolean): number {
    return this.timeline.findIndex(event);
  }

  describe(): string {
    return `timeline: ${this.timeline.map((e) => (e.kind === 'mark' ? `[${e.what}]` : `${e.kind} ${e.replica} ${e.instance} ${e.runId}${e.status ? ` ${e.status}` : ''}`)).join('; ')}`;
  }
}

let sequence = 0;
let runs: FakeRuns;
let queueName: string;
let connection: IORedis;
let queue: Queue;
const schedulers: Array<{ scheduler: RedisScheduler; logger: CapturingLogger }> = [];
const proxies: TcpProxy[] = [];

beforeEach(() => {
  runs = new FakeRuns();
  queueName = `scheduler-runs-${process.pid}-${Date.now()}-${++sequence}`;
  connection = new IORedis(redisUrl(), { maxRetriesPerRequest: null });
  // the runs of the test instances' key ('k') go to the queue of that key
  queue = new Queue(runQueueName(queueName, 'k'), { connection });
});

afterEach(async () => {
  for (const proxy of proxies) proxy.restore();
  runs.hold = false;
  runs.finish();
  if (proxies.length > 0) await Promise.allSettled(schedulers.map(({ logger }) => reconnected(logger)));
  // A scheduler that cannot stop fails the test by name instead of hanging the suite.
  const stops = await Promise.allSettled(schedulers.splice(0).map(({ scheduler }, i) => within(scheduler.stop(), 30_000, `scheduler ${i} to stop`)));
  for (const proxy of proxies.splice(0)) await proxy.stop();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await connection.quit();
  for (const stop of stops) if (stop.status === 'rejected') throw stop.reason;
});

const QUEUE = { lockDurationMs: 1000, stalledIntervalMs: 500, retryDelayMs: 200 };

/** A replica: a RedisScheduler on this test's queue whose runs are `runs.for(name)`. */
function replica(
  name: string,
  instances: InstanceConfig[],
  options: { concurrency?: number; queue?: Partial<RedisSchedulerOptions['queue']>; redisUrl?: string; logger?: CapturingLogger } = {},
): RedisScheduler {
  const logger = options.logger ?? capturingLogger();
  const scheduler = new RedisScheduler(instances, runs.for(name), {
    redisUrl: options.redisUrl ?? redisUrl(),
    concurrency: options.concurrency ?? 1,
    queue: { name: queueName, ...QUEUE, ...options.queue },
    logger,
    discover: createDiscoverer({ logger, metrics: new WorkerMetrics() }),
  });
  schedulers.push({ scheduler, logger });
  return scheduler;
}

/**
 * Waits until every connection that logged a reconnect has logged its return. BullMQ's
 * Worker.close() waits forever on a blocking connection caught between two reconnect attempts
 * (see the report on RedisScheduler.stop), so a replica whose link was cut reconnects before it is
 * stopped.
 */
async function reconnected(logger: CapturingLogger): Promise<void> {
  const names = (message: string) => new Set(logger.entries.filter((e) => e.message === message).map((e) => String(e.fields['connection'])));
  const lost = names('redis unavailable; reconnecting');
  await until(() => [...lost].every((name) => names('redis connection restored').has(name)), `the connections ${[...lost].join(', ')} back`, {
    describe: () => `restored: ${[...names('redis connection restored')].join(', ')}`,
  });
}

async function started(scheduler: RedisScheduler): Promise<RedisScheduler> {
  await scheduler.start();
  return scheduler;
}

const jobState = (id: string) => queue.getJobState(id);

/** A TCP link to Redis that a test can cut, as if the replica behind it had died or been cut off. */
async function redisLink(): Promise<{ link: TcpProxy; viaLink: URL }> {
  const target = new URL(redisUrl());
  const link = new TcpProxy({ host: target.hostname, port: Number(target.port) });
  await link.start();
  proxies.push(link);
  const viaLink = new URL(redisUrl());
  viaLink.port = String(link.port);
  return { link, viaLink };
}

describe('RedisScheduler on a real Redis', () => {
  it('keeps one job scheduler per scheduled instance and runs each instance on its own schedule', async () => {
    const a = await started(replica('a', [instance('alpha', 1), instance('beta', 1), instance('manual')], { concurrency: 2 }));
    expect(a.ready()).toBe(true);
    const kept = await queue.getJobSchedulers(0, -1);
    expect(kept.map((s) => [s.key, s.every, s.template?.data]).sort()).toEqual([
      ['instance-alpha', 1000, { instanceId: 'alpha' }],
      ['instance-beta', 1000, { instanceId: 'beta' }],
    ]);

    runs.hold = false;
    runs.finish();
    await until(() => runs.ends({ instance: 'alpha' }).length >= 2 && runs.ends({ instance: 'beta' }).length >= 2, 'two runs of alpha and of beta', {
      describe: () => runs.describe(),
    });
    for (const id of ['alpha', 'beta']) {
      const runIds = runs.starts({ instance: id }).map((s) => s.runId);
      expect(new Set(runIds).size).toBe(runIds.length);
      // each run is a job of the instance's scheduler
      for (const runId of runIds) expect((await queue.getJob(runId))?.data).toEqual({ instanceId: id });
    }
    // the instance without an interval has no scheduler, hence no job and no run
    expect(runs.starts({ instance: 'manual' })).toEqual([]);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
    expect(jobs.filter((job) => job?.data.instanceId === 'manual')).toEqual([]);
    expect(runs.overlaps).toEqual([]);
  });

  it('removes the job schedulers of instances no longer configured or no longer scheduled, and drops their jobs unrun', async () => {
    // left by an earlier deployment (each with its next run due in an hour): a removed instance,
    // one now triggered only, and a scheduler that is not ours
    const later = { every: 3_600_000, startDate: Date.now() + 3_600_000 };
    await queue.upsertJobScheduler('instance-retired', later, { name: 'scheduled', data: { instanceId: 'retired' } });
    await queue.upsertJobScheduler('instance-manual', later, { name: 'scheduled', data: { instanceId: 'manual' } });
    await queue.upsertJobScheduler('nightly-report', later, { name: 'report', data: { report: 'nightly' } });
    const orphan = await queue.add('scheduled', { instanceId: 'retired' });
    runs.hold = false;
    const logger = capturingLogger();
    await started(replica('a', [instance('acme', 3600), instance('manual')], { logger }));

    expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(['instance-acme', 'nightly-report']);
    // and the next runs they had queued are gone with them
    const queued = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
    expect(queued.filter((job) => job?.id !== orphan.id && ['retired', 'manual'].includes(job?.data.instanceId)).map((job) => job?.id)).toEqual([]);
    expect(logger.entries.filter((e) => e.message === 'job scheduler of an instance no longer configured removed').map((e) => e.fields)).toEqual([{ instance: 'retired' }]);
    // a job of the removed instance is completed without a run
    await until(async () => (await jobState(orphan.id as string)) === 'completed', `the job of the retired instance (${orphan.id}) completed`);
    expect((await queue.getJob(orphan.id as string))?.returnvalue).toBe('unknown-instance');
    expect(runs.starts().map((s) => s.instance)).not.toContain('retired');
    expect(runs.starts().map((s) => s.instance)).not.toContain('manual');
  });

  it('never runs one instance twice at once across replicas on one queue; another instance runs meanwhile', async () => {
    const loggers = [capturingLogger(), capturingLogger()];
    await started(replica('a', [instance('acme'), instance('globex')], { concurrency: 2, logger: loggers[0] }));
    await started(replica('b', [instance('acme'), instance('globex')], { concurrency: 2, logger: loggers[1] }));
    // three runs of acme due at once (a schedule and triggers that met), with four free run slots
    const jobs = await queue.addBulk([1, 2, 3].map(() => ({ name: 'scheduled', data: { instanceId: 'acme' } })));
    const busy = () => loggers.flatMap((l) => l.entries).filter((e) => e.message === 'instance busy elsewhere; run put back' && e.fields['instance'] === 'acme');

    await until(() => runs.starts({ instance: 'acme' }).length >= 1, 'a run of acme', { describe: () => runs.describe() });
    // the other two are taken and put back, again and again, while the first runs
    await until(() => busy().length >= 4 || runs.overlaps.length > 0, 'four put-backs of acme runs', { describe: () => `${busy().length} put-backs; ${runs.describe()}` });
    expect(runs.overlaps).toEqual([]);
    expect(runs.starts({ instance: 'acme' })).toHaveLength(1);
    expect(runs.running('acme')).toHaveLength(1);

    // the claim is per instance: globex runs while acme does
    const globex = await queue.add('scheduled', { instanceId: 'globex' });
    await until(() => runs.starts({ runId: globex.id }).length === 1, 'the run of globex', { describe: () => runs.describe() });
    expect(runs.running('acme')).toHaveLength(1);

    runs.hold = false;
    runs.finish();
    await until(async () => (await Promise.all(jobs.map((job) => jobState(job.id as string)))).every((state) => state === 'completed'), 'the three acme jobs completed', {
      describe: () => runs.describe(),
    });
    // each job ran once, one after the other
    expect(runs.starts({ instance: 'acme' }).map((s) => s.runId).sort()).toEqual(jobs.map((job) => job.id).sort());
    expect(runs.ends({ instance: 'acme' }).every((e) => e.status === 'success')).toBe(true);
    expect(runs.overlaps).toEqual([]);
  });

  it('refuses a trigger while a run of the instance is queued or running, on every replica', async () => {
    const a = await started(replica('a', [instance('acme'), instance('globex')]));
    const b = await started(replica('b', [instance('acme'), instance('globex')]));
    expect(await a.trigger('nope')).toEqual({ kind: 'unknown' });

    const first = await a.trigger('acme');
    if (first.kind !== 'started') throw new Error(`the first trigger was refused: ${first.kind}`);
    // queued or running (the run holds until the test ends it): refused on both replicas
    expect(await a.trigger('acme')).toEqual({ kind: 'busy' });
    expect(await b.trigger('acme')).toEqual({ kind: 'busy' });
    await until(() => runs.starts({ runId: first.runId }).length === 1, `the run ${first.runId}`, { describe: () => runs.describe() });
    expect(await a.trigger('acme')).toEqual({ kind: 'busy' });
    expect(await b.trigger('acme')).toEqual({ kind: 'busy' });
    // another instance is not held up
    const other = await b.trigger('globex');
    expect(other.kind).toBe('started');

    runs.finish('acme');
    await until(async () => (await jobState(first.runId)) === 'completed', `the job ${first.runId} completed`);
    const again = await b.trigger('acme');
    expect(again.kind).toBe('started');
    if (again.kind === 'started') expect(again.runId).not.toBe(first.runId);
    expect(runs.overlaps).toEqual([]);
  });

  it('refuses a trigger while a scheduled run of the instance is running', async () => {
    const a = await started(replica('a', [instance('acme', 3600)]));
    const b = await started(replica('b', [instance('acme', 3600)]));
    // the schedule's first run starts at once, and holds
    await until(() => runs.starts({ instance: 'acme' }).length === 1, 'the scheduled run of acme', { describe: () => runs.describe() });
    const [scheduled] = runs.starts({ instance: 'acme' });
    expect((await queue.getJob(scheduled.runId))?.name).toBe('scheduled');
    expect(await a.trigger('acme')).toEqual({ kind: 'busy' });
    expect(await b.trigger('acme')).toEqual({ kind: 'busy' });
    expect(runs.starts({ instance: 'acme' })).toHaveLength(1);
  });

  /**
   * Replica a, reaching Redis through a link the test can cut, takes a run of acme (it starts
   * alone, so it is the one that takes it); then replica b starts, on a direct connection.
   */
  async function runOnReplicaBehindLink(): Promise<{ link: TcpProxy; run: { runId: string } }> {
    const { link, viaLink } = await redisLink();
    const a = await started(replica('a', [instance('acme')], { redisUrl: viaLink.toString() }));
    const run = await a.trigger('acme');
    if (run.kind !== 'started') throw new Error(`the trigger was refused: ${run.kind}`);
    await until(() => runs.starts({ replica: 'a', runId: run.runId }).length === 1, 'a taking the run', { describe: () => runs.describe() });
    await started(replica('b', [instance('acme')]));
    return { link, run };
  }

  it('runs the job of a replica cut off from Redis on another replica, once its claim has expired', async () => {
    const { link, run } = await runOnReplicaBehindLink();

    // a dies, as far as Redis can tell: its connections drop and do not come back
    link.cut();
    runs.kill('a');
    await until(() => runs.starts({ replica: 'b', runId: run.runId }).length === 1, `b running ${run.runId} after a was cut off`, {
      describe: () => runs.describe(),
    });
    expect(runs.indexOf((e) => e.kind === 'start' && e.replica === 'b')).toBeGreaterThan(runs.indexOf((e) => e.kind === 'mark' && e.what === 'a killed'));
    runs.finish('acme');
    await until(() => runs.ends({ replica: 'b', runId: run.runId }).length === 1, `b ending ${run.runId}`);
    expect(runs.ends({ replica: 'b', runId: run.runId })[0].status).toBe('success');
    await until(async () => (await jobState(run.runId)) === 'completed', `the job ${run.runId} completed`);
    expect(runs.overlaps).toEqual([]);
  });

  it('cancels the run of a replica cut off from Redis before its claim expires, so no two runs overlap', async () => {
    const { link, run } = await runOnReplicaBehindLink();

    // a is cut off but keeps running: it must give its run up itself
    link.cut();
    await until(() => runs.ends({ replica: 'a', runId: run.runId }).length === 1, `a cancelling ${run.runId} once it could not renew its claim`, {
      describe: () => runs.describe(),
    });
    expect(runs.ends({ replica: 'a', runId: run.runId })[0]).toMatchObject({ status: 'cancelled', reason: expect.stringContaining('the instance claim was lost') });
    await until(() => runs.starts({ replica: 'b', runId: run.runId }).length === 1, `b running ${run.runId} after a gave it up`, { describe: () => runs.describe() });
    runs.finish('acme');
    await until(() => runs.ends({ replica: 'b', runId: run.runId }).length === 1, `b ending ${run.runId}`);
    expect(runs.overlaps).toEqual([]);
  });

  it('stops cleanly: no new runs, its run cancelled and awaited, its claim released, and the job run again by another replica', async () => {
    // a claim that would outlast the test unless it is released
    const long = { lockDurationMs: 120_000 };
    const a = await started(replica('a', [instance('acme')], { queue: long }));
    const run = await a.trigger('acme');
    if (run.kind !== 'started') throw new Error(`the trigger was refused: ${run.kind}`);
    await until(() => runs.starts({ replica: 'a', runId: run.runId }).length === 1, 'a taking the run', { describe: () => runs.describe() });

    const stopping = a.stop();
    expect(a.ready()).toBe(false);
    expect(await a.trigger('acme')).toEqual({ kind: 'busy' });
    await within(stopping, 20_000, 'stop() to cancel the run in progress and return');
    runs.mark('a stopped');
    // the run was cancelled with the reason, and ended before stop() returned
    const end = runs.ends({ replica: 'a', runId: run.runId });
    expect(end).toEqual([expect.objectContaining({ status: 'cancelled', reason: 'the worker is shutting down' })]);
    expect(runs.indexOf((e) => e.kind === 'end' && e.replica === 'a')).toBeLessThan(runs.indexOf((e) => e.kind === 'mark' && e.what === 'a stopped'));
    // its job failed, to be retried by any replica
    const job = await queue.getJob(run.runId);
    expect(job?.failedReason).toContain('run cancelled');
    expect(await jobState(run.runId)).toBe('delayed');

    // another replica runs it again well before the claim would have expired: it was released
    runs.hold = false;
    await started(replica('b', [instance('acme')], { queue: long }));
    await until(async () => (await jobState(run.runId)) === 'completed', `b running ${run.runId} again (before the stopped replica's claim of ${long.lockDurationMs} ms expires)`, {
      describe: () => runs.describe(),
    });
    expect(runs.ends({ replica: 'b', runId: run.runId })).toEqual([expect.objectContaining({ status: 'success' })]);
    expect(runs.starts({ replica: 'a' })).toHaveLength(1);
  });

  it('runs at most maxConcurrentRunsPerKey runs of one key at once across replicas, in turn; another key is not held up', async () => {
    const onKey = (id: string) => ({ ...instance(id), budget: { ...instance(id).budget, maxConcurrentRuns: 2 } });
    const otherKey = { ...instance('other'), jumpcloud: { ...instance('other').jumpcloud, apiKey: 'k2' } };
    const configured = [onKey('k1'), onKey('k2'), onKey('k3'), onKey('k4'), otherKey];
    const a = await started(replica('a', configured, { concurrency: 3 }));
    await started(replica('b', configured, { concurrency: 3 }));
    for (const id of ['k1', 'k2', 'k3', 'k4', 'other']) expect((await a.trigger(id)).kind).toBe('started');
    const ofKey = (unit: string) => unit.startsWith('k');
    // two of the key's runs start (six free slots on the replicas), and the other key's run too
    await until(() => runs.running().filter((r) => ofKey(r.instance)).length === 2 && runs.running('other').length === 1, 'two runs of the key and the other key\'s run', {
      describe: () => runs.describe(),
    });
    // and no third starts while they hold
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runs.running().filter((r) => ofKey(r.instance))).toHaveLength(2);
    // each run that ends lets the next one in, until all four have run
    runs.hold = false;
    runs.finish();
    await until(() => runs.ends().filter((e) => ofKey(e.instance)).length === 4, 'the four runs of the key', { describe: () => runs.describe() });
    expect(runs.mostOpen(ofKey)).toBe(2);
    expect(runs.ends().filter((e) => ofKey(e.instance)).map((e) => e.instance).sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(runs.overlaps).toEqual([]);
  });

  it('does not starve small tenants: while a long run of a large one holds a slot of the key, the small ones take turns in the other', async () => {
    const onKey = (id: string) => ({ ...instance(id), budget: { ...instance(id).budget, maxConcurrentRuns: 2 } });
    const configured = [onKey('large'), ...[1, 2, 3, 4, 5, 6].map((n) => onKey(`small${n}`))];
    runs.hold = false;
    runs.holding.add('large');
    const a = await started(replica('a', configured, { concurrency: 2 }));
    await started(replica('b', configured, { concurrency: 2 }));
    expect((await a.trigger('large')).kind).toBe('started');
    await until(() => runs.running('large').length === 1, 'the large run', { describe: () => runs.describe() });
    for (let n = 1; n <= 6; n++) expect((await a.trigger(`small${n}`)).kind).toBe('started');
    await until(() => runs.ends().filter((e) => e.instance.startsWith('small')).length === 6, 'every small run, while the large one runs', { describe: () => runs.describe() });
    expect(runs.running('large')).toHaveLength(1);
    expect(runs.mostOpen(() => true)).toBe(2);
    runs.finish('large');
  });

  it('discovers the organizations of a multi-tenant key: one run per organization, each in /status; an organization gone is paused, then uninstalled', async () => {
    const sim = new JumpCloudSimulator({ dataset: { organizations: 3, users: 5, seed: 9 } });
    await sim.start();
    const dir = mkdtempSync(join(tmpdir(), 'jcg-tenants-'));
    try {
      const msp: InstanceConfig = {
        ...instance('msp', 3600),
        tenants: { discoveryIntervalSeconds: 3600, removeAfterMissingRuns: 2 },
        jumpcloud: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, allowInsecureHttp: false, concurrency: 4 },
        budget: { requestsPerSecond: 20, maxInFlight: 8, maxConcurrentRuns: 3 },
        target: { type: 'local', db: join(dir, '{orgId}.db') },
      };
      const orgIds = sim.dataset.organizations.map((o) => o.organization._id).sort();
      runs.hold = false;
      const a = await started(replica('a', [msp], { concurrency: 2 }));
      const b = await started(replica('b', [msp], { concurrency: 2 }));
      // the discovery at start-up: each organization's scheduler fires at once
      await until(() => orgIds.every((id) => runs.ends({ instance: `msp/${id}` }).length === 1), 'a run of each organization', { describe: () => runs.describe() });
      const keyQueue = new Queue(runQueueName(queueName, sim.apiKey), { connection });
      try {
        expect((await keyQueue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(orgIds.map((id) => `org-msp-${id}`));
        const [fromA, fromB] = [await a.status(), await b.status()];
        expect(fromA).toEqual(fromB);
        expect(fromA[0]).toMatchObject({ id: 'msp', running: false, lastRun: null, nextRunAt: null, discovery: { last: { status: 'success', organizations: 3, added: orgIds } } });
        expect(fromA[0].organizations?.map((o) => [o.id, o.lastRun?.status, o.missingDiscoveries, o.nextRunAt !== null])).toEqual(orgIds.map((id) => [id, 'success', 0, true]));
        expect(fromA[0].discovery?.nextAt).not.toBeNull();
        // one organization, by hand; an organization the key does not list is unknown
        const one = await b.trigger('msp', orgIds[0]);
        expect(one.kind).toBe('started');
        await until(() => runs.ends({ instance: `msp/${orgIds[0]}` }).length === 2, 'the triggered run');
        expect(await a.trigger('msp', 'ffffffffffffffffffffffff')).toEqual({ kind: 'unknown' });

        // the key stops listing one: paused at the next discovery (its scheduler removed), uninstalled at the second
        const gone = orgIds[2];
        const store = LocalGraphStore.open(join(dir, `${gone}.db`));
        store.close();
        sim.mutate((dataset) => {
          dataset.organizations = dataset.organizations.filter((o) => o.organization._id !== gone);
        });
        const discoveries = () => runs.ends().length;
        const before = discoveries();
        expect((await a.trigger('msp')).kind).toBe('started');
        await until(async () => (await a.status())[0].organizations?.find((o) => o.id === gone)?.missingDiscoveries === 1, 'the missing organization paused');
        // runAll: the two listed organizations ran again, the missing one did not
        await until(() => discoveries() === before + 2, 'a run of each listed organization', { describe: () => runs.describe() });
        expect(runs.ends({ instance: `msp/${gone}` })).toHaveLength(1);
        expect((await keyQueue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(orgIds.slice(0, 2).map((id) => `org-msp-${id}`));
        expect(existsSync(join(dir, `${gone}.db`))).toBe(true);

        await until(async () => (await b.trigger('msp')).kind === 'started', 'a second discovery accepted');
        await until(async () => (await a.status())[0].organizations?.length === 2, 'the organization uninstalled', { describe: () => JSON.stringify(runs.describe()) });
        expect(existsSync(join(dir, `${gone}.db`))).toBe(false);
        expect((await b.status())[0].discovery?.last).toMatchObject({ status: 'success', removed: [gone], organizations: 2 });
        expect(runs.overlaps).toEqual([]);
      } finally {
        await keyQueue.close();
      }
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
