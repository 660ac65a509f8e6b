import { type AlertReport } from '@jumpcloud-graph/alerting';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type RunStatus = 'success' | 'partial' | 'failure' | 'cancelled';

/**
 * The `mode` label of a run: how it read JumpCloud (`full` or `incremental`, from its summary), or
 * the mode asked for (`full`, `incremental` or `auto`) when it ended without a summary.
 */
export type RunModeLabel = 'full' | 'incremental' | 'auto';

/** The worker's Prometheus metrics, in a registry of its own (docs/worker.md names them). */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({
    name: 'jumpcloud_graph_sync_runs_total',
    help: 'Sync runs that ended, by instance, status and mode',
    labelNames: ['instance', 'status', 'mode'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'jumpcloud_graph_sync_duration_seconds',
    help: 'Duration of sync runs, by instance and mode',
    labelNames: ['instance', 'mode'],
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
    help: 'Entities written by the last successful or partial run, by instance and _type',
    labelNames: ['instance', 'type'],
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({
    name: 'jumpcloud_graph_last_success_timestamp_seconds',
    help: 'When the last successful run of the instance ended (Unix time)',
    labelNames: ['instance'],
    registers: [this.registry],
  });
  private readonly running = new Gauge({
    name: 'jumpcloud_graph_sync_runs_in_progress',
    help: 'Runs in progress in this process',
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: 'jumpcloud_graph_alerts_total',
    help: 'New findings of alert rules, by instance, rule and severity',
    labelNames: ['instance', 'rule', 'severity'],
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: 'jumpcloud_graph_alert_deliveries_total',
    help: 'Pending findings this process claimed after a run, by instance and status (delivered; failed: left pending; dropped)',
    labelNames: ['instance', 'status'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'jumpcloud_graph_worker_' });
  }

  runStarted(): void {
    this.running.inc();
  }

  runEnded(instance: string, status: RunStatus, mode: RunModeLabel, seconds: number, entities?: Record<string, number>): void {
    this.running.dec();
    this.runs.inc({ instance, status, mode });
    this.duration.observe({ instance, mode }, seconds);
    if (entities) {
      for (const [type, count] of Object.entries(entities)) this.entities.set({ instance, type }, count);
    }
    if (status === 'success') this.lastSuccess.set({ instance }, Date.now() / 1000);
  }

  /**
   * One evaluation of an instance's rules. Every rule and status is counted, zero included, so
   * each series exists from the first evaluation on (a rate over it needs no special case).
   */
  alertsEvaluated(instance: string, report: AlertReport): void {
    for (const rule of report.byRule) this.alerts.inc({ instance, rule: rule.id, severity: rule.severity }, rule.findings);
    this.deliveries.inc({ instance, status: 'delivered' }, report.delivered);
    this.deliveries.inc({ instance, status: 'failed' }, report.pending);
    this.deliveries.inc({ instance, status: 'dropped' }, report.dropped);
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
