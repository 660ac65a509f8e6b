import { silentLogger } from '@jumpcloud-graph/domain';
import { type InstanceConfig } from '../config/worker-config';
import { type RunOutcome } from '../instance-runner';
import { InProcessScheduler } from './in-process-scheduler';
import { testInstance } from '../testing/instances';

const instance = (id: string, intervalSeconds: number | null = 3600) => testInstance(id, intervalSeconds);

/** Runs that end when the test says so, recording what ran when. */
class ControlledRuns {
  readonly started: Array<{ instance: string; runId: string; signal: AbortSignal }> = [];
  private readonly finishers = new Map<string, (outcome: RunOutcome) => void>();
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  run = (config: InstanceConfig, runId: string, signal: AbortSignal): Promise<RunOutcome> => {
    this.started.push({ instance: config.id, runId, signal });
    for (const w of this.waiters.filter((w) => this.started.length >= w.count)) w.resolve();
    return new Promise((resolve) => {
      this.finishers.set(runId, resolve);
      signal.addEventListener('abort', () => resolve({ status: 'cancelled' }), { once: true });
    });
  };

  finish(runId: string): void {
    this.finishers.get(runId)?.({ status: 'success' });
  }

  startedCount(count: number): Promise<void> {
    if (this.started.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InProcessScheduler', () => {
  it('runs every scheduled instance at start-up, no more than `concurrency` at once', async () => {
    const runs = new ControlledRuns();
    const scheduler = new InProcessScheduler([instance('a'), instance('b'), instance('c'), instance('off', null)], runs.run, { concurrency: 2, logger: silentLogger });
    await scheduler.start();
    await runs.startedCount(2);
    await tick();
    expect(runs.started.map((r) => r.instance)).toEqual(['a', 'b']);
    expect(scheduler.ready()).toBe(true);
    runs.finish(runs.started[0].runId);
    await runs.startedCount(3);
    expect(runs.started.map((r) => r.instance)).toEqual(['a', 'b', 'c']);
    await scheduler.stop();
  });

  it('answers a trigger with a run id, busy while that instance runs or waits, unknown for others', async () => {
    const runs = new ControlledRuns();
    const scheduler = new InProcessScheduler([instance('a', null), instance('b', null)], runs.run, { concurrency: 1, logger: silentLogger });
    await scheduler.start();
    const first = await scheduler.trigger('a');
    expect(first).toEqual({ kind: 'started', runId: expect.any(String) });
    expect(await scheduler.trigger('a')).toEqual({ kind: 'busy' });
    // b waits for the only slot: still one run at a time, and a second trigger of b is busy
    expect((await scheduler.trigger('b')).kind).toBe('started');
    expect(await scheduler.trigger('b')).toEqual({ kind: 'busy' });
    expect(await scheduler.trigger('nope')).toEqual({ kind: 'unknown' });
    await runs.startedCount(1);
    runs.finish(runs.started[0].runId);
    await runs.startedCount(2);
    expect(runs.started.map((r) => r.instance)).toEqual(['a', 'b']);
    runs.finish(runs.started[1].runId);
    await tick();
    expect((await scheduler.trigger('a')).kind).toBe('started');
    await scheduler.stop();
  });

  it('runs again once the interval has passed since the last start', async () => {
    const runs = new ControlledRuns();
    const scheduler = new InProcessScheduler([instance('a', 0.05)], runs.run, { concurrency: 1, logger: silentLogger });
    await scheduler.start();
    await runs.startedCount(1);
    runs.finish(runs.started[0].runId);
    await runs.startedCount(2);
    expect(runs.started[1].runId).not.toBe(runs.started[0].runId);
    await scheduler.stop();
  });

  it('stops taking runs and cancels the runs in progress', async () => {
    const runs = new ControlledRuns();
    const scheduler = new InProcessScheduler([instance('a'), instance('b')], runs.run, { concurrency: 1, logger: silentLogger });
    await scheduler.start();
    await runs.startedCount(1);
    await scheduler.stop();
    expect(runs.started).toHaveLength(1);
    expect(runs.started[0].signal.aborted).toBe(true);
    expect(scheduler.ready()).toBe(false);
    expect(await scheduler.trigger('a')).toEqual({ kind: 'busy' });
  });
});
