import { silentLogger } from '@jumpcloud-graph/domain';
import { type InstanceConfig } from '../config/worker-config';
import { type RunOutcome } from '../instance-runner';
import { InProcessScheduler } from './in-process-scheduler';
import { testInstance } from '../testing/instances';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { WorkerMetrics } from '../metrics';
import { createDiscoverer } from '../tenants/discovery';
import { unitId } from '../tenants/organizations';
import { until } from '../testing/wait';

const logger = { ...silentLogger, child: () => silentLogger };

const instance = (id: string, intervalSeconds: number | null = 3600) => testInstance(id, intervalSeconds);

/** Runs that end when the test says so, recording what ran when. */
class ControlledRuns {
  readonly started: Array<{ instance: string; runId: string; signal: AbortSignal }> = [];
  private readonly finishers = new Map<string, (outcome: RunOutcome) => void>();
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  run = (config: InstanceConfig, runId: string, signal: AbortSignal): Promise<RunOutcome> => {
    this.started.push({ instance: unitId(config), runId, signal });
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

  it('runs at most maxConcurrentRunsPerKey runs of one key at once, whatever the process allows', async () => {
    const runs = new ControlledRuns();
    const capped = (id: string) => ({ ...instance(id), budget: { ...instance(id).budget, maxConcurrentRuns: 1 } });
    const other = { ...instance('other'), jumpcloud: { ...instance('other').jumpcloud, apiKey: 'k2' } };
    const scheduler = new InProcessScheduler([capped('a'), capped('b'), other], runs.run, { concurrency: 3, logger: silentLogger });
    await scheduler.start();
    await runs.startedCount(2);
    await tick();
    // a holds its key's only slot; the other key's run is not held up
    expect(runs.started.map((r) => r.instance)).toEqual(['a', 'other']);
    runs.finish(runs.started[0].runId);
    await runs.startedCount(3);
    expect(runs.started.map((r) => r.instance)).toEqual(['a', 'other', 'b']);
    await scheduler.stop();
  });

  it('discovers the organizations of a multi-tenant key: one unit each, in /status; one gone is paused, then uninstalled', async () => {
    const sim = new JumpCloudSimulator({ dataset: { organizations: 3, users: 5, seed: 9 } });
    await sim.start();
    const dir = mkdtempSync(join(tmpdir(), 'jcg-tenants-'));
    const runs = new ControlledRuns();
    const msp: InstanceConfig = {
      ...instance('msp'),
      tenants: { discoveryIntervalSeconds: 3600, removeAfterMissingRuns: 2 },
      jumpcloud: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, allowInsecureHttp: false, concurrency: 4 },
      target: { type: 'local', db: join(dir, '{orgId}.db') },
    };
    const scheduler = new InProcessScheduler([msp], runs.run, { concurrency: 4, logger: silentLogger, discover: createDiscoverer({ logger, metrics: new WorkerMetrics() }) });
    try {
      const orgIds = sim.dataset.organizations.map((o) => o.organization._id).sort();
      await scheduler.start();
      // each organization runs at once, two at a time (the key's default cap)
      await runs.startedCount(2);
      await tick();
      expect(runs.started).toHaveLength(2);
      for (let i = 0; i < 3; i++) {
        await runs.startedCount(i + 1);
        runs.finish(runs.started[i].runId);
      }
      await until(async () => (await scheduler.status())[0].organizations?.every((o) => o.lastRun?.status === 'success') === true, 'a successful run of each organization');
      expect(runs.started.map((r) => r.instance).sort()).toEqual(orgIds.map((id) => `msp/${id}`));
      const [status] = await scheduler.status();
      expect(status).toMatchObject({ id: 'msp', running: false, lastRun: null, nextRunAt: null, discovery: { last: { status: 'success', organizations: 3 } } });
      expect(status.organizations?.map((o) => [o.id, o.missingDiscoveries, o.nextRunAt !== null])).toEqual(orgIds.map((id) => [id, 0, true]));
      expect(await scheduler.trigger('msp', 'ffffffffffffffffffffffff')).toEqual({ kind: 'unknown' });
      expect(await scheduler.trigger('nope', orgIds[0])).toEqual({ kind: 'unknown' });

      const gone = orgIds[1];
      LocalGraphStore.open(join(dir, `${gone}.db`)).close();
      sim.mutate((dataset) => {
        dataset.organizations = dataset.organizations.filter((o) => o.organization._id !== gone);
      });
      // a discovery by hand runs each listed organization again, not the missing one
      expect((await scheduler.trigger('msp')).kind).toBe('started');
      await runs.startedCount(5);
      for (const run of runs.started.slice(3)) runs.finish(run.runId);
      await until(async () => (await scheduler.status())[0].organizations?.find((o) => o.id === gone)?.missingDiscoveries === 1, 'the missing organization paused');
      expect(runs.started.slice(3).map((r) => r.instance).sort()).toEqual([orgIds[0], orgIds[2]].map((id) => `msp/${id}`));
      expect((await scheduler.status())[0].organizations?.find((o) => o.id === gone)?.nextRunAt).toBeNull();
      expect(await scheduler.trigger('msp', gone)).toEqual({ kind: 'unknown' });
      expect(existsSync(join(dir, `${gone}.db`))).toBe(true);

      await until(async () => (await scheduler.trigger('msp')).kind === 'started', 'a second discovery accepted');
      await until(async () => (await scheduler.status())[0].organizations?.length === 2, 'the organization uninstalled');
      expect(existsSync(join(dir, `${gone}.db`))).toBe(false);
      expect((await scheduler.status())[0].discovery?.last).toMatchObject({ removed: [gone], organizations: 2 });

      // a key that suddenly lists nothing fails the discovery: no organization counts a miss
      sim.mutate((dataset) => {
        dataset.organizations = [];
      });
      await until(async () => (await scheduler.trigger('msp')).kind === 'started', 'a third discovery accepted');
      await until(async () => (await scheduler.status())[0].discovery?.last?.status === 'failure', 'the empty list refused');
      const [afterEmpty] = await scheduler.status();
      expect(afterEmpty.discovery?.last?.error).toContain('the key lists no organizations (it knew 2)');
      expect(afterEmpty.organizations?.map((o) => o.missingDiscoveries)).toEqual([0, 0]);
    } finally {
      for (const run of runs.started) runs.finish(run.runId);
      await scheduler.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs only the organizations a list names, of those the key lists', async () => {
    const sim = new JumpCloudSimulator({ dataset: { organizations: 3, users: 3, seed: 9 } });
    await sim.start();
    const runs = new ControlledRuns();
    const [first, , third] = sim.dataset.organizations.map((o) => o.organization._id).sort();
    const msp: InstanceConfig = {
      ...instance('msp'),
      tenants: { discoveryIntervalSeconds: 3600, removeAfterMissingRuns: 2, only: [first, third, 'ffffffffffffffffffffffff'] },
      jumpcloud: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, allowInsecureHttp: false, concurrency: 4 },
      target: { type: 'local', db: '/nowhere/{orgId}.db' },
    };
    const scheduler = new InProcessScheduler([msp], runs.run, { concurrency: 4, logger: silentLogger, discover: createDiscoverer({ logger, metrics: new WorkerMetrics() }) });
    try {
      await scheduler.start();
      await runs.startedCount(2);
      await until(async () => (await scheduler.status())[0].discovery?.last !== null, 'the discovery');
      expect(runs.started.map((r) => r.instance).sort()).toEqual([`msp/${first}`, `msp/${third}`]);
      expect((await scheduler.status())[0].organizations?.map((o) => o.id)).toEqual([first, third]);
    } finally {
      for (const run of runs.started) runs.finish(run.runId);
      await scheduler.stop();
      await sim.stop();
    }
  });

  it('records a discovery that fails (a key JumpCloud refuses) and runs nothing', async () => {
    const sim = new JumpCloudSimulator({ dataset: { organizations: 2, users: 3, seed: 9 } });
    await sim.start();
    const runs = new ControlledRuns();
    const metrics = new WorkerMetrics();
    const msp: InstanceConfig = {
      ...instance('msp'),
      tenants: { discoveryIntervalSeconds: 3600, removeAfterMissingRuns: 2 },
      jumpcloud: { apiKey: 'not-the-key', baseUrl: sim.baseUrl, allowInsecureHttp: false, concurrency: 4 },
      target: { type: 'local', db: '/nowhere/{orgId}.db' },
    };
    const scheduler = new InProcessScheduler([msp], runs.run, { concurrency: 2, logger: silentLogger, discover: createDiscoverer({ logger, metrics }) });
    try {
      await scheduler.start();
      await until(async () => (await scheduler.status())[0].discovery?.last !== null, 'the discovery to end');
      const [status] = await scheduler.status();
      expect(status.discovery?.last).toMatchObject({ status: 'failure', error: expect.stringContaining('401') });
      expect(status.discovery?.nextAt).not.toBeNull();
      expect(status.organizations).toEqual([]);
      expect(runs.started).toEqual([]);
      expect(await metrics.text()).toContain('jumpcloud_graph_discoveries_total{instance="msp",status="failure"} 1');
    } finally {
      await scheduler.stop();
      await sim.stop();
    }
  });
});
