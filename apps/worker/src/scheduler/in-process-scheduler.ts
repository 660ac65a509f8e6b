import { randomUUID } from 'node:crypto';
import { type Logger } from '@jumpcloud-graph/domain';
import { keysOf } from '../budget/key-budgets';
import { keyId } from '../budget/redis-key-budget';
import { type InstanceConfig } from '../config/worker-config';
import { type RunInstance } from '../instance-runner';
import { type DiscoverInstance, type DiscoveryRecord } from '../tenants/discovery';
import { type KnownOrganization, organizationUnit, uninstallOrganization, unitId } from '../tenants/organizations';
import { type InstanceStatus, type LastRun, type Scheduler, Slots, type TriggerResult } from './scheduler';

interface Pending {
  runId: string;
  controller: AbortController;
  done: Promise<void>;
}

/** What runs on its own schedule: an instance, or one organization of a multi-tenant instance. */
interface Unit {
  config: InstanceConfig;
  pending?: Pending;
  running: boolean;
  timer?: NodeJS.Timeout;
  /** When its timer is due (epoch ms). */
  dueAt?: number;
  lastRun?: LastRun;
}

/** A multi-tenant instance's organizations, as this process's discoveries left them. */
interface Tenancy {
  known: KnownOrganization[];
  last: DiscoveryRecord | null;
  timer?: NodeJS.Timeout;
  dueAt?: number;
  running?: Promise<void>;
  controller?: AbortController;
}

/**
 * The scheduler of a single worker process (no Redis): a timer per instance (per organization of
 * a multi-tenant instance, whose organizations are discovered again on their own timer), at most
 * `concurrency` runs at once, at most `maxConcurrentRunsPerKey` of one JumpCloud key, and at most
 * one run (running or waiting for a slot) per instance or organization. The next scheduled run is
 * one interval after the last one started, or at once when that run took longer. What discoveries
 * found is kept in memory: a restarted process discovers afresh.
 */
export class InProcessScheduler implements Scheduler {
  private readonly instances: Map<string, InstanceConfig>;
  private readonly slots: Slots;
  /** Runs of one key at once: the strictest `maxConcurrentRunsPerKey` of its instances. */
  private readonly keySlots = new Map<string, Slots>();
  private readonly units = new Map<string, Unit>();
  private readonly tenancies = new Map<string, Tenancy>();
  private started = false;
  private stopping = false;

  constructor(
    instances: readonly InstanceConfig[],
    private readonly runInstance: RunInstance,
    private readonly options: { concurrency: number; logger: Logger; discover?: DiscoverInstance },
  ) {
    this.instances = new Map(instances.map((i) => [i.id, i]));
    this.slots = new Slots(options.concurrency);
    for (const [key, { settings }] of keysOf(instances)) this.keySlots.set(key, new Slots(settings.maxConcurrentRuns));
    if (instances.some((i) => i.tenants) && !options.discover) throw new Error('a multi-tenant instance needs a discoverer');
  }

  async start(): Promise<void> {
    for (const instance of this.instances.values()) {
      if (instance.tenants) {
        this.tenancies.set(instance.id, { known: [], last: null });
        this.discover(instance, false);
        continue;
      }
      const unit: Unit = { config: instance, running: false };
      this.units.set(instance.id, unit);
      if (instance.intervalSeconds !== null) this.launch(unit);
    }
    this.started = true;
  }

  ready(): boolean {
    return this.started && !this.stopping;
  }

  async trigger(instanceId: string, orgId?: string): Promise<TriggerResult> {
    const instance = this.instances.get(instanceId);
    if (!instance || (orgId !== undefined && !instance.tenants)) return { kind: 'unknown' };
    if (instance.tenants && orgId === undefined) {
      const tenancy = this.tenancies.get(instanceId);
      if (this.stopping || !tenancy || tenancy.running) return { kind: 'busy' };
      return { kind: 'started', runId: this.discover(instance, true) };
    }
    const unit = this.units.get(orgId === undefined ? instanceId : `${instanceId}/${orgId}`);
    if (!unit) return { kind: 'unknown' };
    if (this.stopping || unit.pending) return { kind: 'busy' };
    return { kind: 'started', runId: this.launch(unit) };
  }

  async status(): Promise<InstanceStatus[]> {
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    return [...this.instances.values()].map((instance) => {
      const tenancy = this.tenancies.get(instance.id);
      if (!tenancy) {
        const unit = this.units.get(instance.id);
        return { id: instance.id, running: unit?.running ?? false, lastRun: unit?.lastRun ?? null, nextRunAt: iso(unit?.dueAt) };
      }
      const organizations = tenancy.known.map((org) => {
        const unit = this.units.get(`${instance.id}/${org.id}`);
        return { id: org.id, name: org.name, running: unit?.running ?? false, lastRun: unit?.lastRun ?? null, nextRunAt: iso(unit?.dueAt), missingDiscoveries: org.missing };
      });
      return {
        id: instance.id,
        running: organizations.some((org) => org.running),
        lastRun: null,
        nextRunAt: null,
        discovery: { last: tenancy.last, nextAt: iso(tenancy.dueAt) },
        organizations,
      };
    });
  }

  async organizations(instanceId: string): Promise<KnownOrganization[]> {
    return [...(this.tenancies.get(instanceId)?.known ?? [])];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const waits: Array<Promise<void>> = [];
    for (const tenancy of this.tenancies.values()) {
      clearTimeout(tenancy.timer);
      tenancy.controller?.abort('the worker is shutting down');
      if (tenancy.running) waits.push(tenancy.running);
    }
    for (const unit of this.units.values()) {
      clearTimeout(unit.timer);
      unit.dueAt = undefined;
      unit.pending?.controller.abort('the worker is shutting down');
      if (unit.pending) waits.push(unit.pending.done);
    }
    await Promise.all(waits);
  }

  /**
   * Discovers a multi-tenant instance's organizations now, then on its interval: a new
   * organization gets its own unit and runs at once (`runAll`: every organization does), one no
   * longer listed stops running, and is uninstalled (when no run of it is in progress) once
   * missing from `removeAfterMissingRuns` discoveries in a row. Returns an id for the trigger.
   */
  private discover(instance: InstanceConfig, runAll: boolean): string {
    const tenancy = this.tenancies.get(instance.id) as Tenancy;
    clearTimeout(tenancy.timer);
    tenancy.dueAt = undefined;
    const id = `discover-${randomUUID()}`;
    const controller = new AbortController();
    tenancy.controller = controller;
    tenancy.running = (async () => {
      try {
        const found = await (this.options.discover as DiscoverInstance)(instance, tenancy.known, (unit) => this.uninstall(unit), controller.signal);
        tenancy.last = found.record;
        if (!found.ok || this.stopping) return;
        tenancy.known = found.known;
        const present = new Set(found.present.map((org) => org.id));
        for (const [key, unit] of this.units) {
          if (unit.config.id !== instance.id || present.has(unit.config.organization?.id ?? '')) continue;
          // no longer listed: its runs stop (one in progress ends on its own)
          clearTimeout(unit.timer);
          this.units.delete(key);
        }
        for (const org of found.present) {
          const config = organizationUnit(instance, org);
          const existing = this.units.get(unitId(config));
          if (existing) {
            existing.config = config;
            if (runAll && !existing.pending) this.launch(existing);
            continue;
          }
          const unit: Unit = { config, running: false };
          this.units.set(unitId(config), unit);
          if (runAll || instance.intervalSeconds !== null) this.launch(unit);
        }
      } finally {
        tenancy.running = undefined;
        tenancy.controller = undefined;
        this.scheduleDiscovery(instance, tenancy);
      }
    })();
    return id;
  }

  private scheduleDiscovery(instance: InstanceConfig, tenancy: Tenancy): void {
    if (this.stopping || !instance.tenants) return;
    const delay = instance.tenants.discoveryIntervalSeconds * 1000;
    tenancy.dueAt = Date.now() + delay;
    tenancy.timer = setTimeout(() => this.discover(instance, false), delay);
    tenancy.timer.unref();
  }

  /** Uninstalls an organization no run of which is waiting or in progress (busy otherwise). */
  private async uninstall(config: InstanceConfig): Promise<'done' | 'busy'> {
    const key = unitId(config);
    const unit = this.units.get(key);
    if (unit?.pending) return 'busy';
    if (unit) clearTimeout(unit.timer);
    this.units.delete(key);
    const removed = await uninstallOrganization(config, this.options.logger);
    this.options.logger.info({ instance: config.id, org: config.organization?.id, ...removed }, 'organization uninstalled');
    return 'done';
  }

  /** Queues a run of the unit (it starts when its key's slot and a process slot are free); returns its run id. */
  private launch(unit: Unit): string {
    clearTimeout(unit.timer);
    unit.timer = undefined;
    unit.dueAt = undefined;
    const runId = randomUUID();
    const controller = new AbortController();
    const keySlots = this.keySlots.get(keyId(unit.config.jumpcloud.apiKey)) as Slots;
    const done = (async () => {
      // The key's slot first: a run waiting for a process slot holds no other key's turn.
      await keySlots.acquire();
      await this.slots.acquire();
      const startedAt = Date.now();
      try {
        if (!controller.signal.aborted) {
          unit.running = true;
          const lastRun: LastRun = { runId, startedAt: new Date(startedAt).toISOString() };
          unit.lastRun = lastRun;
          const outcome = await this.runInstance(unit.config, runId, controller.signal);
          lastRun.endedAt = new Date().toISOString();
          lastRun.status = outcome.status;
          if (outcome.summary?.mode) lastRun.mode = outcome.summary.mode;
          if (outcome.error) lastRun.error = outcome.error;
        }
      } finally {
        unit.running = false;
        this.slots.release();
        keySlots.release();
        unit.pending = undefined;
        this.scheduleNext(unit, startedAt);
      }
    })();
    unit.pending = { runId, controller, done };
    return runId;
  }

  private scheduleNext(unit: Unit, lastStart: number): void {
    const { config } = unit;
    // a unit dropped meanwhile (its organization no longer listed) is not scheduled again
    if (this.stopping || config.intervalSeconds === null || this.units.get(unitId(config)) !== unit) return;
    const delay = Math.max(0, lastStart + config.intervalSeconds * 1000 - Date.now());
    unit.dueAt = Date.now() + delay;
    unit.timer = setTimeout(() => {
      unit.timer = undefined;
      unit.dueAt = undefined;
      if (!this.stopping && !unit.pending && this.units.get(unitId(config)) === unit) this.launch(unit);
    }, delay);
    unit.timer.unref();
    this.options.logger.debug({ instance: config.id, ...(config.organization ? { org: config.organization.id } : {}), inMs: delay }, 'next run scheduled');
  }
}
