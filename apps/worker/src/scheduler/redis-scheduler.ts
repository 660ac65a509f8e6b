import { randomUUID } from 'node:crypto';
import { type Logger } from '@jumpcloud-graph/domain';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import { keysOf } from '../budget/key-budgets';
import { keyId } from '../budget/redis-key-budget';
import { type InstanceConfig } from '../config/worker-config';
import { type RunInstance } from '../instance-runner';
import { type DiscoverInstance, type DiscoveryRecord } from '../tenants/discovery';
import { type KnownOrganization, organizationUnit, uninstallOrganization, unitId } from '../tenants/organizations';
import { isWatchedRedisError, WatchedRedis } from './redis-connection';
import { type InstanceStatus, type LastRun, type OrganizationStatus, type Scheduler, type TriggerResult } from './scheduler';

/** A run: of an instance, or of one organization of a multi-tenant instance. */
interface RunJobData {
  instanceId: string;
  orgId?: string;
}

/** A discovery of a multi-tenant instance's organizations; `runAll` (a trigger) runs each afterwards. */
interface DiscoveryJobData {
  instanceId: string;
  runAll?: boolean;
}

export interface RedisSchedulerOptions {
  redisUrl: string;
  /** Runs at once in this process, per JumpCloud key. */
  concurrency: number;
  queue: { name: string; lockDurationMs: number; stalledIntervalMs: number; retryDelayMs: number };
  logger: Logger;
  /** Discovers a multi-tenant instance's organizations (required when one is configured). */
  discover?: DiscoverInstance;
}

/** How long stop() lets each queue worker close by itself before forcing it. */
const STOP_GRACE_MS = 5_000;

// Compare-and-act on a claim, so a process only extends or frees its own.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The queue of the runs of one JumpCloud key: `<queue>-<key id>` (a hash of the key, never the key). */
export function runQueueName(queueName: string, apiKey: string): string {
  return `${queueName}-${keyId(apiKey)}`;
}

/** The job scheduler of an organization's runs. */
const orgSchedulerId = (instanceId: string, orgId: string) => `org-${instanceId}-${orgId}`;
const ORG_SCHEDULER = /^org-(.+)-([0-9a-f]{24})$/i;

/** The runs of one key: its queue (whose global concurrency is the key's run cap) and this process's worker on it. */
interface KeyGroup {
  name: string;
  instances: InstanceConfig[];
  maxConcurrentRuns: number;
  queue?: Queue<RunJobData>;
  worker?: Worker<RunJobData>;
}

/** A claim this process holds and renews until released. */
interface HeldClaim {
  release(): Promise<void>;
}

/**
 * The scheduler of replicas sharing a Redis, on BullMQ. The runs of each JumpCloud key go to a
 * queue of their own, `<queue>-<key id>`, whose global concurrency is the key's
 * `maxConcurrentRunsPerKey`: BullMQ hands out at most that many of its jobs at once across every
 * replica, in the order they became due, so a large organization holds one slot while the small
 * ones take turns in the others. Every replica upserts the same job schedulers (one per instance,
 * one per organization of a multi-tenant instance), so they exist once; discoveries of
 * multi-tenant instances are jobs of the queue `<queue>` itself.
 *
 * - Never two runs of one instance or organization: a run first claims it in Redis (SET NX with
 *   a TTL it renews while it runs); a job that finds the claim taken is put back, delayed, not run.
 * - A run whose process dies is not lost: BullMQ's lock on the job lapses, another replica finds
 *   the job stalled and runs it again once the dead process's claim has expired.
 * - A run cancelled by a shutdown fails its job, which BullMQ retries later on any replica.
 * - What discoveries found is kept in Redis (a hash per instance), so any replica runs the next
 *   discovery and counts an organization's misses across restarts.
 */
export class RedisScheduler implements Scheduler {
  private readonly instances: Map<string, InstanceConfig>;
  private readonly groups = new Map<string, KeyGroup>();
  private readonly owner = randomUUID();
  private readonly active = new Map<string, AbortController>();
  private connection?: IORedis;
  private workerConnection?: IORedis;
  private control?: Queue<DiscoveryJobData>;
  private controlWorker?: Worker<DiscoveryJobData>;
  private started = false;
  private stopping = false;

  constructor(
    instances: readonly InstanceConfig[],
    private readonly runInstance: RunInstance,
    private readonly options: RedisSchedulerOptions,
  ) {
    this.instances = new Map(instances.map((i) => [i.id, i]));
    for (const key of keysOf(instances).values()) {
      const name = runQueueName(options.queue.name, key.apiKey);
      this.groups.set(name, { name, instances: key.instances, maxConcurrentRuns: key.settings.maxConcurrentRuns });
    }
    if (instances.some((i) => i.tenants) && !options.discover) throw new Error('a multi-tenant instance needs a discoverer');
  }

  async start(): Promise<void> {
    const { queue: q, concurrency, logger } = this.options;
    // BullMQ's blocking commands need maxRetriesPerRequest null; the workers get their own connection.
    this.connection = this.connect('queue');
    this.control = new Queue<DiscoveryJobData>(q.name, { connection: this.connection });
    this.control.on('error', (error: Error) => this.queueError('queue', error));
    await this.startControlSchedulers(this.control);
    for (const group of this.groups.values()) {
      group.queue = new Queue<RunJobData>(group.name, { connection: this.connection });
      group.queue.on('error', (error: Error) => this.queueError('queue', error));
      // every replica sets the same cap: the strictest of the key's instances
      await group.queue.setGlobalConcurrency(group.maxConcurrentRuns);
      await this.startRunSchedulers(group, group.queue);
    }
    await this.retireKeyQueues();
    this.workerConnection = this.connect('worker');
    const workerOptions = { connection: this.workerConnection, lockDuration: q.lockDurationMs, stalledInterval: q.stalledIntervalMs, maxStalledCount: 5 };
    this.controlWorker = new Worker<DiscoveryJobData>(q.name, (job, token) => this.processDiscovery(job, token), { ...workerOptions, concurrency: 1 });
    this.controlWorker.on('error', (error: Error) => this.queueError('worker', error));
    for (const group of this.groups.values()) {
      group.worker = new Worker<RunJobData>(group.name, (job, token) => this.processRun(job, token), { ...workerOptions, concurrency });
      group.worker.on('error', (error: Error) => this.queueError('worker', error));
    }
    await Promise.all([this.controlWorker.waitUntilReady(), ...[...this.groups.values()].map((g) => g.worker?.waitUntilReady())]);
    logger.debug({ keys: this.groups.size }, 'queues ready');
    this.started = true;
  }

  ready(): boolean {
    return this.started && !this.stopping && this.connection?.status === 'ready';
  }

  /**
   * Read from Redis, so any replica answers for all: each instance's (and organization's) last run,
   * recorded in one hash by the replica that ran it, whether its claim is held (a run in progress
   * somewhere), when its job scheduler fires next, and each multi-tenant instance's organizations
   * and last discovery.
   */
  async status(): Promise<InstanceStatus[]> {
    const connection = this.connection;
    const control = this.control;
    if (!connection || !control) return [];
    const next = new Map<string, number>();
    const schedulerLists = await Promise.all([control, ...[...this.groups.values()].map((g) => g.queue)].map((queue) => queue?.getJobSchedulers(0, -1) ?? []));
    const queues = [control.name, ...this.groups.keys()];
    schedulerLists.forEach((list, i) => {
      for (const scheduler of list) if (typeof scheduler.next === 'number') next.set(`${queues[i]}/${scheduler.key}`, scheduler.next);
    });
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    const [recorded, discoveries] = await Promise.all([connection.hgetall(this.key('status')), connection.hgetall(this.key('discovery'))]);
    const lastRun = (unit: string) => (recorded[unit] ? (JSON.parse(recorded[unit]) as LastRun) : null);
    const result: InstanceStatus[] = [];
    for (const instance of this.instances.values()) {
      const queue = runQueueName(this.options.queue.name, instance.jumpcloud.apiKey);
      if (!instance.tenants) {
        const running = (await connection.exists(this.claimKey(instance.id))) === 1;
        result.push({ id: instance.id, running, lastRun: lastRun(instance.id), nextRunAt: iso(next.get(`${queue}/instance-${instance.id}`)) });
        continue;
      }
      const known = await this.organizations(instance.id);
      const claims = known.length > 0 ? await connection.mget(...known.map((org) => this.claimKey(`${instance.id}/${org.id}`))) : [];
      const organizations: OrganizationStatus[] = known.map((org, i) => ({
        id: org.id,
        name: org.name,
        running: claims[i] !== null,
        lastRun: lastRun(`${instance.id}/${org.id}`),
        nextRunAt: iso(next.get(`${queue}/${orgSchedulerId(instance.id, org.id)}`)),
        missingDiscoveries: org.missing,
      }));
      result.push({
        id: instance.id,
        running: organizations.some((org) => org.running),
        lastRun: null,
        nextRunAt: null,
        discovery: {
          last: discoveries[instance.id] ? (JSON.parse(discoveries[instance.id]) as DiscoveryRecord) : null,
          nextAt: iso(next.get(`${control.name}/discover-${instance.id}`)),
        },
        organizations,
      });
    }
    return result;
  }

  async trigger(instanceId: string, orgId?: string): Promise<TriggerResult> {
    const instance = this.instances.get(instanceId);
    if (!instance || (orgId !== undefined && !instance.tenants)) return { kind: 'unknown' };
    if (this.stopping || !this.control || !this.connection) return { kind: 'busy' };
    if (instance.tenants && orgId === undefined) {
      if ((await this.connection.exists(this.claimKey(`discover:${instanceId}`))) === 1) return { kind: 'busy' };
      const queued = await this.control.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
      if (queued.some((job) => job?.name === 'manual' && job.data.instanceId === instanceId)) return { kind: 'busy' };
      const job = await this.control.add('manual', { instanceId, runAll: true }, { ...this.jobOptions(), jobId: `manual-${instanceId}-${Date.now()}` });
      return { kind: 'started', runId: job.id ?? 'unknown' };
    }
    if (orgId !== undefined) {
      const org = (await this.organizations(instanceId)).find((o) => o.id === orgId);
      if (!org || org.missing > 0) return { kind: 'unknown' };
    }
    return this.enqueueManual(instance, orgId);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const controller of this.active.values()) controller.abort('the worker is shutting down');
    // close() waits for the runs in progress, which end quickly once cancelled. BullMQ's close
    // can hang while its blocking connection is between reconnect attempts: bounded, then forced.
    const workers = [this.controlWorker, ...[...this.groups.values()].map((g) => g.worker)].filter((w): w is Worker => w !== undefined);
    const closed = await Promise.all(
      workers.map(async (worker) => {
        let timer: NodeJS.Timeout | undefined;
        const ok = await Promise.race([worker.close().then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS)))]);
        clearTimeout(timer);
        if (!ok) await worker.close(true).catch(() => undefined);
        return ok;
      }),
    );
    if (closed.includes(false)) {
      this.options.logger.warn({ graceMs: STOP_GRACE_MS }, 'the queue worker did not close in time; forcing it');
      this.workerConnection?.disconnect();
    }
    await Promise.all([this.control, ...[...this.groups.values()].map((g) => g.queue)].map((queue) => queue?.close()));
    await this.workerConnection?.quit().catch(() => undefined);
    await this.connection?.quit().catch(() => undefined);
  }

  /** Discovery schedulers: one per multi-tenant instance; any other of ours (an instance no longer multi-tenant, or the runs of an earlier version) removed. */
  private async startControlSchedulers(control: Queue<DiscoveryJobData>): Promise<void> {
    const wanted = new Set([...this.instances.values()].filter((i) => i.tenants).map((i) => `discover-${i.id}`));
    for (const scheduler of await control.getJobSchedulers(0, -1)) {
      if (wanted.has(scheduler.key) || !/^(discover|instance)-/.test(scheduler.key)) continue;
      await control.removeJobScheduler(scheduler.key);
      this.options.logger.info({ scheduler: scheduler.key }, 'job scheduler no longer configured removed');
    }
    for (const instance of this.instances.values()) {
      if (!instance.tenants) continue;
      await control.upsertJobScheduler(
        `discover-${instance.id}`,
        { every: instance.tenants.discoveryIntervalSeconds * 1000 },
        { name: 'scheduled', data: { instanceId: instance.id }, opts: this.jobOptions() },
      );
    }
  }

  /**
   * A key's run schedulers: one per scheduled instance of the key. Organizations' schedulers
   * belong to their discoveries; those of an instance no longer configured on this key, or no
   * longer multi-tenant, are removed with the instances' own.
   */
  private async startRunSchedulers(group: KeyGroup, queue: Queue<RunJobData>): Promise<void> {
    const mine = new Map(group.instances.map((i) => [i.id, i]));
    for (const scheduler of await queue.getJobSchedulers(0, -1)) {
      const org = ORG_SCHEDULER.exec(scheduler.key);
      const id = org ? org[1] : scheduler.key.startsWith('instance-') ? scheduler.key.slice('instance-'.length) : undefined;
      if (id === undefined) continue;
      const instance = mine.get(id);
      if (instance && (org ? instance.tenants !== undefined : !instance.tenants)) continue;
      await queue.removeJobScheduler(scheduler.key);
      this.options.logger.info({ instance: id, ...(org ? { org: org[2] } : {}) }, 'job scheduler of an instance no longer configured removed');
    }
    for (const instance of group.instances) {
      if (instance.tenants) continue;
      const schedulerId = `instance-${instance.id}`;
      if (instance.intervalSeconds === null) {
        await queue.removeJobScheduler(schedulerId);
        continue;
      }
      await queue.upsertJobScheduler(schedulerId, { every: instance.intervalSeconds * 1000 }, { name: 'scheduled', data: { instanceId: instance.id }, opts: this.jobOptions() });
    }
  }

  /**
   * The queues of keys no longer configured (a rotated key): their schedulers removed and their
   * waiting runs dropped, or nobody would ever take them.
   */
  private async retireKeyQueues(): Promise<void> {
    const connection = this.connection as IORedis;
    const set = this.key('key-queues');
    for (const name of await connection.smembers(set)) {
      if (this.groups.has(name)) continue;
      const queue = new Queue(name, { connection });
      try {
        for (const scheduler of await queue.getJobSchedulers(0, -1)) await queue.removeJobScheduler(scheduler.key);
        await queue.drain(true);
      } finally {
        await queue.close();
      }
      await connection.srem(set, name);
      this.options.logger.info({ queue: name }, 'the queue of a key no longer configured retired');
    }
    if (this.groups.size > 0) await connection.sadd(set, ...this.groups.keys());
  }

  /** A connection that logs its reconnects itself, as do the duplicates BullMQ makes of it. */
  private connect(name: string): WatchedRedis {
    return new WatchedRedis(this.options.redisUrl, { name, logger: this.options.logger, redis: { maxRetriesPerRequest: null } });
  }

  /**
   * An error of a Queue or a Worker. BullMQ passes on those of their connections, which the
   * connections logged already (once per reconnect attempt); without a listener, BullMQ would
   * print each one's stack on stderr.
   */
  private queueError(source: 'queue' | 'worker', error: Error): void {
    if (isWatchedRedisError(error)) return;
    this.options.logger.warn({ error: error.message.split('\n')[0] }, `queue ${source} error`);
  }

  private jobOptions() {
    return {
      attempts: 5,
      backoff: { type: 'fixed' as const, delay: this.options.queue.retryDelayMs },
      removeOnComplete: 1000,
      removeOnFail: 1000,
    };
  }

  /** A Redis key of this queue's: `status` (every unit's last run), `discovery`, `orgs:<instance>`, `key-queues`. */
  private key(name: string): string {
    return `jumpcloud-graph:${this.options.queue.name}:${name}`;
  }

  private claimKey(unit: string): string {
    return this.key(`claim:${unit}`);
  }

  /** What the discoveries of a multi-tenant instance found, by organization id (kept in Redis). */
  async organizations(instanceId: string): Promise<KnownOrganization[]> {
    if (!this.connection) return [];
    const stored = await this.connection.hgetall(this.key(`orgs:${instanceId}`));
    return Object.values(stored)
      .map((value) => JSON.parse(value) as KnownOrganization)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Queues a run by hand unless one of the unit is running or queued by hand already. */
  private async enqueueManual(instance: InstanceConfig, orgId?: string): Promise<TriggerResult> {
    const queue = this.groups.get(runQueueName(this.options.queue.name, instance.jumpcloud.apiKey))?.queue;
    const unit = orgId === undefined ? instance.id : `${instance.id}/${orgId}`;
    if (!queue || (await (this.connection as IORedis).exists(this.claimKey(unit))) === 1) return { kind: 'busy' };
    const queued = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
    if (queued.some((job) => job?.name === 'manual' && job.data.instanceId === instance.id && job.data.orgId === orgId)) return { kind: 'busy' };
    const data: RunJobData = orgId === undefined ? { instanceId: instance.id } : { instanceId: instance.id, orgId };
    const job = await queue.add('manual', data, { ...this.jobOptions(), jobId: `manual-${unit.replace('/', '-')}-${Date.now()}` });
    return { kind: 'started', runId: job.id ?? 'unknown' };
  }

  /** Records a unit's last run for `GET /status`; a failure to record is logged, never fails the run. */
  private async recordRun(unit: string, lastRun: LastRun): Promise<void> {
    await (this.connection as IORedis).hset(this.key('status'), unit, JSON.stringify(lastRun)).catch((error: unknown) => {
      this.options.logger.warn({ unit, error: error instanceof Error ? error.message : String(error) }, 'recording the run for /status failed');
    });
  }

  /**
   * Claims `unit` (SET NX with a TTL), or undefined when another run holds it. The claim is renewed
   * while held; once it is lost (expired while Redis was out of reach, or taken over), another
   * replica may take the unit, so `lose` is called (a run cancels itself rather than overlap).
   */
  private async claim(unit: string, value: string, lose: (why: string) => void): Promise<HeldClaim | undefined> {
    const { queue: q, logger } = this.options;
    const connection = this.connection as IORedis;
    const key = this.claimKey(unit);
    if ((await connection.set(key, value, 'PX', q.lockDurationMs, 'NX')) !== 'OK') return undefined;
    const renewEveryMs = Math.max(250, Math.floor(q.lockDurationMs / 3));
    let renewedAt = Date.now();
    const renew = setInterval(() => {
      // Checked on the clock, not on the renewal's answer: a cut-off connection queues commands
      // and answers nothing. Lost at the last renewal before the claim would expire, so that
      // nothing else takes the unit meanwhile.
      if (Date.now() - renewedAt >= q.lockDurationMs - renewEveryMs) lose('not renewed within its duration');
      connection.eval(RENEW, 1, key, value, String(q.lockDurationMs)).then(
        (renewed) => {
          if (Number(renewed) === 1) renewedAt = Date.now();
          else lose('it expired or another run holds it');
        },
        (error: unknown) => logger.warn({ unit, error: error instanceof Error ? error.message : String(error) }, 'renewing the claim failed'),
      );
    }, renewEveryMs);
    return {
      release: async () => {
        clearInterval(renew);
        await connection.eval(RELEASE, 1, key, value).catch(() => undefined);
      },
    };
  }

  /** The configuration a run job runs: its instance, or the organization its discoveries know and list. */
  private async unitOf(data: RunJobData): Promise<InstanceConfig | undefined> {
    const instance = this.instances.get(data.instanceId);
    if (!instance || (instance.tenants === undefined) !== (data.orgId === undefined)) return undefined;
    if (data.orgId === undefined) return instance;
    const stored = await (this.connection as IORedis).hget(this.key(`orgs:${instance.id}`), data.orgId);
    const org = stored ? (JSON.parse(stored) as KnownOrganization) : undefined;
    return org && org.missing === 0 ? organizationUnit(instance, org) : undefined;
  }

  private async processRun(job: Job<RunJobData>, token: string | undefined): Promise<string> {
    const { logger, queue: q } = this.options;
    const config = await this.unitOf(job.data);
    if (!config) {
      // All replicas share one configuration, so the instance was removed (or the organization is
      // no longer listed): drop the job.
      logger.warn({ instance: job.data.instanceId, ...(job.data.orgId ? { org: job.data.orgId } : {}), runId: job.id }, 'job of an unknown instance dropped');
      return 'unknown-instance';
    }
    const unit = unitId(config);
    const controller = new AbortController();
    const lose = (why: string) => {
      if (controller.signal.aborted) return;
      logger.warn({ instance: config.id, unit, runId: job.id, why }, 'the instance claim was lost; cancelling the run');
      controller.abort(`the instance claim was lost (${why})`);
    };
    const value = `${this.owner}:${job.id}`;
    const held = await this.claim(unit, value, lose);
    if (!held) {
      logger.info({ instance: config.id, unit, runId: job.id }, 'instance busy elsewhere; run put back');
      await job.moveToDelayed(Date.now() + Math.min(q.retryDelayMs, q.lockDurationMs), token);
      throw new DelayedError();
    }
    this.active.set(value, controller);
    const runId = job.id ?? value;
    const lastRun: LastRun = { runId, startedAt: new Date().toISOString() };
    await this.recordRun(unit, lastRun);
    try {
      const outcome = await this.runInstance(config, runId, controller.signal);
      await this.recordRun(unit, {
        ...lastRun,
        endedAt: new Date().toISOString(),
        status: outcome.status,
        ...(outcome.summary?.mode ? { mode: outcome.summary.mode } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      });
      // Cancelled by a shutdown: fail the job so that BullMQ runs it again later, on any replica.
      if (outcome.status === 'cancelled') throw new Error(`run cancelled: ${outcome.error ?? 'the worker is shutting down'}`);
      return outcome.status;
    } finally {
      this.active.delete(value);
      await held.release();
    }
  }

  /**
   * A discovery of a multi-tenant instance, on one replica at a time: the organizations listed
   * and reconciled with those Redis knows, each one's job scheduler upserted (listed) or removed
   * (missing), and those missing too many times uninstalled, each under its run claim. A listing
   * that fails throws, so BullMQ tries again; nothing changed meanwhile.
   */
  private async processDiscovery(job: Job<DiscoveryJobData>, token: string | undefined): Promise<string> {
    const { logger, discover } = this.options;
    const instance = this.instances.get(job.data.instanceId);
    if (!instance?.tenants || !discover) {
      logger.warn({ instance: job.data.instanceId, jobId: job.id }, 'discovery job of an instance that is not multi-tenant dropped');
      return 'unknown-instance';
    }
    const controller = new AbortController();
    const value = `${this.owner}:${job.id}`;
    const held = await this.claim(`discover:${instance.id}`, value, (why) => controller.abort(`the discovery claim was lost (${why})`));
    if (!held) {
      if (job.data.runAll) {
        await job.moveToDelayed(Date.now() + this.options.queue.retryDelayMs, token);
        throw new DelayedError();
      }
      return 'busy';
    }
    this.active.set(value, controller);
    try {
      const registry = this.key(`orgs:${instance.id}`);
      const before = await this.organizations(instance.id);
      const found = await discover(instance, before, (unit) => this.uninstall(unit, registry), controller.signal);
      const connection = this.connection as IORedis;
      await connection.hset(this.key('discovery'), instance.id, JSON.stringify(found.record));
      if (!found.ok) throw new Error(`discovery failed: ${found.record.error ?? 'unknown error'}`);
      const pairs = found.known.flatMap((org) => [org.id, JSON.stringify(org)]);
      const write = connection.multi().del(registry);
      if (pairs.length > 0) write.hset(registry, ...pairs);
      await write.exec();
      const group = this.groups.get(runQueueName(this.options.queue.name, instance.jumpcloud.apiKey)) as KeyGroup;
      const queue = group.queue as Queue<RunJobData>;
      const present = new Set(found.present.map((org) => org.id));
      for (const org of found.known) {
        const schedulerId = orgSchedulerId(instance.id, org.id);
        if (present.has(org.id) && instance.intervalSeconds !== null) {
          await queue.upsertJobScheduler(schedulerId, { every: instance.intervalSeconds * 1000 }, { name: 'scheduled', data: { instanceId: instance.id, orgId: org.id }, opts: this.jobOptions() });
        } else await queue.removeJobScheduler(schedulerId);
      }
      if (job.data.runAll) for (const org of found.present) await this.enqueueManual(instance, org.id);
      return 'success';
    } finally {
      this.active.delete(value);
      await held.release();
    }
  }

  /**
   * Uninstalls an organization under its run claim (busy when a run holds it): first marked
   * missing in the registry and its job scheduler removed, so no run of it starts after.
   */
  private async uninstall(config: InstanceConfig, registry: string): Promise<'done' | 'busy'> {
    const org = config.organization;
    if (!org) return 'busy';
    const unit = unitId(config);
    const held = await this.claim(unit, `${this.owner}:uninstall`, () => undefined);
    if (!held) return 'busy';
    try {
      const connection = this.connection as IORedis;
      const stored = await connection.hget(registry, org.id);
      if (stored) {
        const known = JSON.parse(stored) as KnownOrganization;
        await connection.hset(registry, org.id, JSON.stringify({ ...known, missing: Math.max(1, known.missing) }));
      }
      const queue = this.groups.get(runQueueName(this.options.queue.name, config.jumpcloud.apiKey))?.queue;
      await queue?.removeJobScheduler(orgSchedulerId(config.id, org.id));
      const removed = await uninstallOrganization(config, this.options.logger);
      this.options.logger.info({ instance: config.id, org: org.id, ...removed }, 'organization uninstalled');
      await connection.hdel(this.key('status'), unit);
      return 'done';
    } finally {
      await held.release();
    }
  }
}
