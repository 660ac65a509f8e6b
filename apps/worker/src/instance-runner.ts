import { type AlertReport } from '@jumpcloud-graph/alerting';
import { type Logger } from '@jumpcloud-graph/domain';
import { type RequestBudget } from '@jumpcloud-graph/jumpcloud-client';
import { SyncCancelledError, type SyncSummary } from '@jumpcloud-graph/ingestion-core';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { type OpenRun, runLocalGraphAlerts } from '@jumpcloud-graph/runtime';
import { type InstanceConfig, type InstanceRules } from './config/worker-config';
import { openInstanceRun } from './container';
import { type RunLabels, type RunStatus, type WorkerMetrics } from './metrics';
import { unitId } from './tenants/organizations';

/** What the alert rules did after a run: the report (with the local graph run evaluated), or why they could not run. */
export type RunAlertsOutcome = (AlertReport & { runId: number }) | { error: string };

export interface RunOutcome {
  status: RunStatus;
  summary?: SyncSummary;
  error?: string;
  /** Instances with rules, after a successful or partial run; it never changes `status`. */
  alerts?: RunAlertsOutcome;
}

/** Runs one sync of an instance: what both schedulers call. */
export type RunInstance = (instance: InstanceConfig, runId: string, signal: AbortSignal) => Promise<RunOutcome>;

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * The rules on the run the local graph just committed, then the delivery of every pending finding
 * this process can claim (replicas sharing the database never deliver one finding twice at once).
 * Never throws: a delivery failure leaves its findings pending for the next run, an evaluation
 * error is logged, and neither changes the run's status.
 */
async function evaluateAlerts(db: string, instanceId: string, rules: InstanceRules, logger: Logger, signal: AbortSignal): Promise<RunAlertsOutcome> {
  let store: LocalGraphStore | undefined;
  try {
    store = LocalGraphStore.open(db, { create: false });
    const report = await runLocalGraphAlerts(store, { rules, instance: instanceId, now: Date.now, signal });
    for (const error of report.errors) logger.warn({ error }, 'alert delivery failed');
    return report;
  } catch (error) {
    // The evaluation does not watch the signal, the delivery does: a cancel lands here with the
    // evaluation recorded and the findings it did not deliver still pending.
    if (signal.aborted) logger.warn({ error: messageOf(error) }, 'alert delivery cancelled');
    else logger.error({ error: messageOf(error) }, 'alert rules were not evaluated');
    return { error: messageOf(error) };
  } finally {
    try {
      store?.close();
    } catch (error) {
      logger.warn({ error: messageOf(error) }, 'closing the local graph of the alert rules failed');
    }
  }
}

/** The counts of an alerts outcome, for the "run ended" line. */
function alertFields(alerts: RunAlertsOutcome) {
  if ('error' in alerts) return { error: alerts.error };
  const { rules, findings, delivered, pending, dropped, messages, errors } = alerts;
  return { rules, findings, delivered, pending, dropped, messages, errors: errors.length };
}

/**
 * Runs syncs with the same core as the CLI. Every run logs with its instance and run id, counts
 * in the metrics, and never throws: a failed run is an outcome, and the schedule goes on.
 * `workerFile` is the bundle that serves the local graph store in a worker thread.
 */
export function createInstanceRunner(deps: {
  logger: Logger & { child(bindings: Record<string, unknown>): Logger };
  metrics: WorkerMetrics;
  workerFile: string;
  /** The shared request budget of an instance's key (a worker on Redis). */
  budgetOf?: (instance: InstanceConfig) => RequestBudget | undefined;
}): RunInstance {
  return async (instance, runId, signal) => {
    const labels: RunLabels = instance.organization ? { instance: instance.id, org: instance.organization.id } : { instance: instance.id };
    const logger = deps.logger.child({ ...labels, runId });
    const started = performance.now();
    deps.metrics.runStarted();
    logger.info({}, 'run started');
    let outcome: RunOutcome;
    let run: OpenRun | undefined;
    try {
      run = await openInstanceRun(instance, logger, deps.workerFile, deps.budgetOf?.(instance));
      const summary = await run.runner.run(undefined, { signal });
      outcome = { status: summary.status === 'partial' ? 'partial' : summary.status === 'failure' ? 'failure' : 'success', summary };
    } catch (error) {
      outcome = { status: error instanceof SyncCancelledError || signal.aborted ? 'cancelled' : 'failure', error: messageOf(error) };
    } finally {
      await run?.close().catch((error: unknown) => logger.warn({ error: messageOf(error) }, 'closing the run failed'));
    }
    // the sync's own duration: webhook retries are not the sync's time
    const seconds = (performance.now() - started) / 1000;
    // rules after a run that committed (success or partial), never after a failed or cancelled one
    if (instance.rules !== undefined && instance.target.type === 'local' && (outcome.status === 'success' || outcome.status === 'partial')) {
      outcome.alerts = await evaluateAlerts(instance.target.db, unitId(instance), instance.rules, logger, signal);
      if (!('error' in outcome.alerts)) deps.metrics.alertsEvaluated(labels, outcome.alerts);
    }
    // how the run read JumpCloud; without a summary (a failure, a cancel), the mode asked for
    const mode = outcome.summary?.mode ?? instance.mode;
    deps.metrics.runEnded(labels, outcome.status, mode, seconds, outcome.summary?.entities);
    const fields = {
      status: outcome.status,
      mode,
      ...(outcome.summary?.fullReason !== undefined ? { fullReason: outcome.summary.fullReason } : {}),
      ...(outcome.summary?.incremental !== undefined ? { incremental: outcome.summary.incremental } : {}),
      durationMs: Math.round(seconds * 1000),
      ...(outcome.summary
        ? { entities: outcome.summary.entities, partialTypes: outcome.summary.partialTypes, apiRequests: outcome.summary.apiRequests }
        : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.alerts ? { alerts: alertFields(outcome.alerts) } : {}),
    };
    if (outcome.status === 'failure') logger.error(fields, 'run ended');
    else logger.info(fields, 'run ended');
    return outcome;
  };
}
