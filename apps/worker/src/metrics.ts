import { type AlertReport } from '@jumpcloud-graph/alerting';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type RunStatus = 'success' | 'partial' | 'failure' | 'cancelled';

/**
 * The `mode` label of a run: how it read JumpCloud (`full` or `incremental`, from its summary), or
 * the mode asked for (`full`, `incremental` or `auto`) when it ended without a summary.
 */
export type RunModeLabel = 'full' | 'incremental' | 'auto';

/** The labels of a run: its instance, and its organization for a multi-tenant instance (no `org` label otherwise). */
export type RunLabels = { instance: string; org?: string };

/** The worker's Prometheus metrics, in a registry of its own (docs/worker.md names them). */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({
    name: 'jumpcloud_graph_sync_runs_total',
    help: 'Sync runs that ended, by instance (and organization, for a multi-tenant instance), status and mode',
    labelNames: ['instance', 'org', 'status', 'mode'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'jumpcloud_graph_sync_duration_seconds',
    help: 'Duration of sync runs, by instance (and organization) and mode',
    labelNames: ['instance', 'org', 'mode'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  private readonly budgetWait = new Histogram({
    name: 'jumpcloud_graph_key_budget_wait_seconds',
    help: "How long JumpCloud requests waited for their key's shared budget, by key (a hash of the API key)",
    labelNames: ['key'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly throttled = new Counter({
    name: 'jumpcloud_graph_key_throttled_total',
    help: 'JumpCloud 429 answers that slowed or paused a key for every replica, by key (a hash of the API key)',
    labelNames: ['key'],
    registers: [this.registry],
  });
  private readonly entities = new Gauge({
    name: 'jumpcloud_graph_entities_published',
    help: 'Entities written by the last successful or partial run, by instance (and organization) and _type',
    labelNames: ['instance', 'org', 'type'],
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({
    name: 'jumpcloud_graph_last_success_timestamp_seconds',
    help: 'When the last successful run of the instance (or organization) ended (Unix time)',
    labelNames: ['instance', 'org'],
    registers: [this.registry],
  });
  private readonly running = new Gauge({
    name: 'jumpcloud_graph_sync_runs_in_progress',
    help: 'Runs in progress in this process',
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: 'jumpcloud_graph_alerts_total',
    help: 'New findings of alert rules, by instance (and organization), rule and severity',
    labelNames: ['instance', 'org', 'rule', 'severity'],
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: 'jumpcloud_graph_alert_deliveries_total',
    help: 'Pending findings this process claimed after a run, by instance (and organization) and status (delivered; failed: left pending; dropped)',
    labelNames: ['instance', 'org', 'status'],
    registers: [this.registry],
  });
  private readonly discoveries = new Counter({
    name: 'jumpcloud_graph_discoveries_total',
    help: 'Discoveries of the organizations of multi-tenant instances this process ran, by instance and status',
    labelNames: ['instance', 'status'],
    registers: [this.registry],
  });
  private readonly organizations = new Gauge({
    name: 'jumpcloud_graph_organizations',
    help: 'Organizations the key of a multi-tenant instance listed at the last discovery this process ran',
    labelNames: ['instance'],
    registers: [this.registry],
  });
  private readonly removedOrganizations = new Counter({
    name: 'jumpcloud_graph_organizations_removed_total',
    help: 'Organizations of multi-tenant instances uninstalled after missing from too many discoveries, by instance',
    labelNames: ['instance'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'jumpcloud_graph_worker_' });
  }

  runStarted(): void {
    this.running.inc();
  }

  runEnded(unit: RunLabels, status: RunStatus, mode: RunModeLabel, seconds: number, entities?: Record<string, number>): void {
    this.running.dec();
    this.runs.inc({ ...unit, status, mode });
    this.duration.observe({ ...unit, mode }, seconds);
    if (entities) {
      for (const [type, count] of Object.entries(entities)) this.entities.set({ ...unit, type }, count);
    }
    if (status === 'success') this.lastSuccess.set({ ...unit }, Date.now() / 1000);
  }

  /** A discovery of a multi-tenant instance ended: with the organizations it listed and those it uninstalled. */
  discoveryEnded(instance: string, status: 'success' | 'failure', listed?: number, removed = 0): void {
    this.discoveries.inc({ instance, status });
    if (listed !== undefined) this.organizations.set({ instance }, listed);
    if (removed > 0) this.removedOrganizations.inc({ instance }, removed);
  }

  /**
   * One evaluation of an instance's rules. Every rule and status is counted, zero included, so
   * each series exists from the first evaluation on (a rate over it needs no special case).
   */
  alertsEvaluated(unit: RunLabels, report: AlertReport): void {
    for (const rule of report.byRule) this.alerts.inc({ ...unit, rule: rule.id, severity: rule.severity }, rule.findings);
    this.deliveries.inc({ ...unit, status: 'delivered' }, report.delivered);
    this.deliveries.inc({ ...unit, status: 'failed' }, report.pending);
    this.deliveries.inc({ ...unit, status: 'dropped' }, report.dropped);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** A request waited `ms` for its key's shared budget. */
  budgetWaited(key: string, ms: number): void {
    this.budgetWait.observe({ key }, ms / 1000);
  }

  /** A 429 slowed or paused a key's shared budget. */
  keyThrottled(key: string): void {
    this.throttled.inc({ key });
  }
}
