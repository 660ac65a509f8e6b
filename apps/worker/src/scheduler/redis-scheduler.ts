import { randomUUID } from 'node:crypto';
import { type Logger } from '@jumpcloud-graph/domain';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type IORedis from 'ioredis';
import { type InstanceConfig } from '../config/worker-config';
import { type RunInstance } from '../instance-runner';
import { isWatchedRedisError, WatchedRedis } from './redis-connection';
import { type InstanceStatus, type Scheduler, type TriggerResult } from './scheduler';

interface RunJobData {
  instanceId: string;
}

export interface RedisSchedulerOptions {
  redisUrl: string;
  /** Runs at once in this process. */
  concurrency: number;
  queue: { name: string; lockDurationMs: number; stalledIntervalMs: number; retryDelayMs: number };
  logger: Logger;
}

/** How long stop() lets the queue worker close by itself before forcing it. */
const STOP_GRACE_MS = 5_000;

// Compare-and-act on the instance claim, so a process only extends or frees its own.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * The scheduler of replicas sharing a Redis, on BullMQ: one job scheduler per instance (every
 * replica upserts the same ones, so they exist once), and a worker per process that takes up to
 * `concurrency` runs.
 *
 * - Never two runs of one instance: a run first claims the instance in Redis (SET NX with a TTL
 *   it renews while it runs); a job that finds the claim taken is put back, delayed, not run.
 * - A run whose process dies is not lost: BullMQ's lock on the job lapses, another replica finds
 *   the job stalled and runs it again once the dead process's claim on the instance has expired.
 * - A run cancelled by a shutdown fails its job, which BullMQ retries later on any replica.
 */
export class RedisScheduler implements Scheduler {
  private readonly instances: Map<string, InstanceConfig>;
  private readonly owner = randomUUID();
  private readonly active = new Map<string, AbortController>();
  private connection?: IORedis;
  private workerConnection?: IORedis;
  private queue?: Queue<RunJobData>;
  private worker?: Worker<RunJobData>;
  private started = false;
  private stopping = false;

  constructor(
    instances: readonly InstanceConfig[],
    private readonly runInstance: RunInstance,
    private readonly options: RedisSchedulerOptions,
  ) {
    this.instances = new Map(instances.map((i) => [i.id, i]));
  }

  async start(): Promise<void> {
    const { queue: q, concurrency, logger } = this.options;
    // BullMQ's blocking commands need maxRetriesPerRequest null; the worker gets its own connection.
    this.connection = this.connect('queue');
    this.queue = new Queue<RunJobData>(q.name, { connection: this.connection });
    this.queue.on('error', (error: Error) => this.queueError('queue', error));
    // Instances gone from the configuration: their schedulers would keep adding jobs nobody runs.
    for (const scheduler of await this.queue.getJobSchedulers(0, -1)) {
      const id = scheduler.key.startsWith('instance-') ? scheduler.key.slice('instance-'.length) : undefined;
      if (id !== undefined && !this.instances.has(id)) {
        await this.queue.removeJobScheduler(scheduler.key);
        logger.info({ instance: id }, 'job scheduler of an instance no longer configured removed');
      }
    }
    for (const instance of this.instances.values()) {
      const schedulerId = `instance-${instance.id}`;
      if (instance.intervalSeconds === null) {
        await this.queue.removeJobScheduler(schedulerId);
        continue;
      }
      await this.queue.upsertJobScheduler(
        schedulerId,
        { every: instance.intervalSeconds * 1000 },
        { name: 'scheduled', data: { instanceId: instance.id }, opts: this.jobOptions() },
      );
    }
    this.workerConnection = this.connect('worker');
    this.worker = new Worker<RunJobData>(q.name, (job, token) => this.process(job, token), {
      connection: this.workerConnection,
      concurrency,
      lockDuration: q.lockDurationMs,
      stalledInterval: q.stalledIntervalMs,
      maxStalledCount: 5,
    });
    this.worker.on('error', (error: Error) => this.queueError('worker', error));
    await this.worker.waitUntilReady();
    this.started = true;
  }

  ready(): boolean {
    return this.started && !this.stopping && this.connection?.status === 'ready';
  }

  /**
   * Read from Redis, so any replica answers for all: each instance's last run (recorded in one
   * hash by the replica that ran it), whether its claim is held (a run in progress somewhere) and
   * when its job scheduler fires next.
   */
  async status(): Promise<InstanceStatus[]> {
    const connection = this.connection;
    const queue = this.queue;
    if (!connection || !queue) return [];
    const ids = [...this.instances.keys()];
    const [recorded, schedulers, claims] = await Promise.all([
      connection.hmget(this.statusKey(), ...ids),
      queue.getJobSchedulers(0, -1),
      connection.mget(...ids.map((id) => this.claimKey(id))),
    ]);
    const next = new Map(schedulers.map((scheduler) => [scheduler.key, scheduler.next]));
    return ids.map((id, i) => {
      const due = next.get(`instance-${id}`);
      return {
        id,
        running: claims[i] !== null,
        lastRun: recorded[i] ? (JSON.parse(recorded[i] as string) as InstanceStatus['lastRun']) : null,
        nextRunAt: typeof due === 'number' ? new Date(due).toISOString() : null,
      };
    });
  }

  async trigger(instanceId: string): Promise<TriggerResult> {
    const instance = this.instances.get(instanceId);
    if (!instance) return { kind: 'unknown' };
    if (this.stopping || !this.queue || !this.connection) return { kind: 'busy' };
    if ((await this.connection.exists(this.claimKey(instanceId))) === 1) return { kind: 'busy' };
    const queued = await this.queue.getJobs(['waiting', 'delayed', 'prioritized', 'active']);
    if (queued.some((job) => job?.name === 'manual' && job.data.instanceId === instanceId)) return { kind: 'busy' };
    const job = await this.queue.add('manual', { instanceId }, { ...this.jobOptions(), jobId: `manual-${instanceId}-${Date.now()}` });
    return { kind: 'started', runId: job.id ?? 'unknown' };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const controller of this.active.values()) controller.abort('the worker is shutting down');
    // close() waits for the runs in progress, which end quickly once cancelled. BullMQ's close
    // can hang while its blocking connection is between reconnect attempts: bounded, then forced.
    const worker = this.worker;
    if (worker) {
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        worker.close().then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
      ]);
      clearTimeout(timer);
      if (!closed) {
        this.options.logger.warn({ graceMs: STOP_GRACE_MS }, 'the queue worker did not close in time; forcing it');
        await worker.close(true).catch(() => undefined);
        this.workerConnection?.disconnect();
      }
    }
    await this.queue?.close();
    await this.workerConnection?.quit().catch(() => undefined);
    await this.connection?.quit().catch(() => undefined);
  }

  /** A connection that logs its reconnects itself, as do the duplicates BullMQ makes of it. */
  private connect(name: string): WatchedRedis {
    return new WatchedRedis(this.options.redisUrl, { name, logger: this.options.logger, redis: { maxRetriesPerRequest: null } });
  }

  /**
   * An error of the Queue or the Worker. BullMQ passes on those of their connections, which the
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

  /** The hash of every instance's last run (`GET /status`). */
  private statusKey(): string {
    return `jumpcloud-graph:${this.options.queue.name}:status`;
  }

  /** Records an instance's last run for `GET /status`; a failure to record is logged, never fails the run. */
  private async recordRun(instanceId: string, lastRun: NonNullable<InstanceStatus['lastRun']>): Promise<void> {
    await (this.connection as IORedis).hset(this.statusKey(), instanceId, JSON.stringify(lastRun)).catch((error: unknown) => {
      this.options.logger.warn({ instance: instanceId, error: error instanceof Error ? error.message : String(error) }, 'recording the run for /status failed');
    });
  }

  private claimKey(instanceId: string): string {
    return `jumpcloud-graph:${this.options.queue.name}:claim:${instanceId}`;
  }

  private async process(job: Job<RunJobData>, token: string | undefined): Promise<string> {
    const { logger, queue: q } = this.options;
    const instance = this.instances.get(job.data.instanceId);
    if (!instance) {
      // A job of an instance this replica's configuration does not have: leave it to others? All
      // replicas share one configuration, so the instance was removed: drop the job.
      logger.warn({ instance: job.data.instanceId, runId: job.id }, 'job of an unknown instance dropped');
      return 'unknown-instance';
    }
    const connection = this.connection as IORedis;
    const key = this.claimKey(instance.id);
    const claim = `${this.owner}:${job.id}`;
    const claimed = await connection.set(key, claim, 'PX', q.lockDurationMs, 'NX');
    if (claimed !== 'OK') {
      logger.info({ instance: instance.id, runId: job.id }, 'instance busy elsewhere; run put back');
      await job.moveToDelayed(Date.now() + Math.min(q.retryDelayMs, q.lockDurationMs), token);
      throw new DelayedError();
    }
    const controller = new AbortController();
    this.active.set(job.id ?? claim, controller);
    // The claim is this run's right to run: renewed while it runs; once it is lost (expired while
    // Redis was out of reach, or taken over), another replica may start the instance, so this run
    // is cancelled rather than allowed to overlap it.
    const renewEveryMs = Math.max(250, Math.floor(q.lockDurationMs / 3));
    let renewedAt = Date.now();
    const lose = (why: string) => {
      if (controller.signal.aborted) return;
      logger.warn({ instance: instance.id, runId: job.id, why }, 'the instance claim was lost; cancelling the run');
      controller.abort(`the instance claim was lost (${why})`);
    };
    const renew = setInterval(() => {
      // Checked on the clock, not on the renewal's answer: a cut-off connection queues commands
      // and answers nothing. Cancelled at the last renewal before the claim would expire, so that
      // no other run of the instance starts meanwhile.
      if (Date.now() - renewedAt >= q.lockDurationMs - renewEveryMs) lose('not renewed within its duration');
      connection.eval(RENEW, 1, key, claim, String(q.lockDurationMs)).then(
        (renewed) => {
          if (Number(renewed) === 1) renewedAt = Date.now();
          else lose('it expired or another run holds it');
        },
        (error: unknown) => {
          logger.warn({ instance: instance.id, error: error instanceof Error ? error.message : String(error) }, 'renewing the instance claim failed');
        },
      );
    }, renewEveryMs);
    const runId = job.id ?? claim;
    const lastRun: NonNullable<InstanceStatus['lastRun']> = { runId, startedAt: new Date().toISOString() };
    await this.recordRun(instance.id, lastRun);
    try {
      const outcome = await this.runInstance(instance, runId, controller.signal);
      await this.recordRun(instance.id, {
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
      clearInterval(renew);
      this.active.delete(job.id ?? claim);
      await connection.eval(RELEASE, 1, key, claim).catch(() => undefined);
    }
  }
}
