import { randomUUID } from 'node:crypto';
import { type Logger } from '@jumpcloud-graph/domain';
import { type InstanceConfig } from '../config/worker-config';
import { type RunInstance } from '../instance-runner';
import { type InstanceStatus, type Scheduler, Slots, type TriggerResult } from './scheduler';

interface Pending {
  runId: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The scheduler of a single worker process (no Redis): a timer per instance, at most
 * `concurrency` runs at once, and at most one run (running or waiting for a slot) per instance.
 * The next scheduled run of an instance is one interval after its last run started, or at once
 * when that run took longer.
 */
export class InProcessScheduler implements Scheduler {
  private readonly instances: Map<string, InstanceConfig>;
  private readonly slots: Slots;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly pending = new Map<string, Pending>();
  /** When each instance's timer is due (epoch ms). */
  private readonly dueAt = new Map<string, number>();
  private readonly lastRuns = new Map<string, NonNullable<InstanceStatus['lastRun']>>();
  private readonly runningNow = new Set<string>();
  private started = false;
  private stopping = false;

  constructor(
    instances: readonly InstanceConfig[],
    private readonly runInstance: RunInstance,
    private readonly options: { concurrency: number; logger: Logger },
  ) {
    this.instances = new Map(instances.map((i) => [i.id, i]));
    this.slots = new Slots(options.concurrency);
  }

  async start(): Promise<void> {
    for (const instance of this.instances.values()) {
      if (instance.intervalSeconds !== null) this.launch(instance);
    }
    this.started = true;
  }

  ready(): boolean {
    return this.started && !this.stopping;
  }

  async trigger(instanceId: string): Promise<TriggerResult> {
    const instance = this.instances.get(instanceId);
    if (!instance) return { kind: 'unknown' };
    if (this.stopping || this.pending.has(instanceId)) return { kind: 'busy' };
    return { kind: 'started', runId: this.launch(instance) };
  }

  async status(): Promise<InstanceStatus[]> {
    return [...this.instances.keys()].map((id) => {
      const due = this.dueAt.get(id);
      return { id, running: this.runningNow.has(id), lastRun: this.lastRuns.get(id) ?? null, nextRunAt: due === undefined ? null : new Date(due).toISOString() };
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.dueAt.clear();
    const runs = [...this.pending.values()];
    for (const run of runs) run.controller.abort('the worker is shutting down');
    await Promise.all(runs.map((run) => run.done));
  }

  /** Queues a run of the instance (it starts when a slot is free); returns its run id. */
  private launch(instance: InstanceConfig): string {
    clearTimeout(this.timers.get(instance.id));
    this.timers.delete(instance.id);
    this.dueAt.delete(instance.id);
    const runId = randomUUID();
    const controller = new AbortController();
    const done = (async () => {
      await this.slots.acquire();
      const startedAt = Date.now();
      try {
        if (!controller.signal.aborted) {
          this.runningNow.add(instance.id);
          const lastRun: NonNullable<InstanceStatus['lastRun']> = { runId, startedAt: new Date(startedAt).toISOString() };
          this.lastRuns.set(instance.id, lastRun);
          const outcome = await this.runInstance(instance, runId, controller.signal);
          lastRun.endedAt = new Date().toISOString();
          lastRun.status = outcome.status;
          if (outcome.summary?.mode) lastRun.mode = outcome.summary.mode;
          if (outcome.error) lastRun.error = outcome.error;
        }
      } finally {
        this.runningNow.delete(instance.id);
        this.slots.release();
        this.pending.delete(instance.id);
        this.scheduleNext(instance, startedAt);
      }
    })();
    this.pending.set(instance.id, { runId, controller, done });
    return runId;
  }

  private scheduleNext(instance: InstanceConfig, lastStart: number): void {
    if (this.stopping || instance.intervalSeconds === null) return;
    const delay = Math.max(0, lastStart + instance.intervalSeconds * 1000 - Date.now());
    this.dueAt.set(instance.id, Date.now() + delay);
    const timer = setTimeout(() => {
      this.timers.delete(instance.id);
      this.dueAt.delete(instance.id);
      if (!this.stopping && !this.pending.has(instance.id)) this.launch(instance);
    }, delay);
    timer.unref();
    this.timers.set(instance.id, timer);
    this.options.logger.debug({ instance: instance.id, inMs: delay }, 'next run scheduled');
  }
}
