import { type Logger } from '@jumpcloud-graph/domain';
import { SyncCancelledError, type SyncSummary } from '@jumpcloud-graph/ingestion-core';
import { type OpenRun } from '@jumpcloud-graph/runtime';
import { type InstanceConfig } from './config/worker-config';
import { openInstanceRun } from './container';
import { type RunStatus, type WorkerMetrics } from './metrics';

export interface RunOutcome {
  status: RunStatus;
  summary?: SyncSummary;
  error?: string;
}

/** Runs one sync of an instance: what both schedulers call. */
export type RunInstance = (instance: InstanceConfig, runId: string, signal: AbortSignal) => Promise<RunOutcome>;

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * Runs syncs with the same core as the CLI. Every run logs with its instance and run id, counts
 * in the metrics, and never throws: a failed run is an outcome, and the schedule goes on.
 * `workerFile` is the bundle that serves the local graph store in a worker thread.
 */
export function createInstanceRunner(deps: { logger: Logger & { child(bindings: Record<string, unknown>): Logger }; metrics: WorkerMetrics; workerFile: string }): RunInstance {
  return async (instance, runId, signal) => {
    const logger = deps.logger.child({ instance: instance.id, runId });
    const started = performance.now();
    deps.metrics.runStarted();
    logger.info({}, 'run started');
    let outcome: RunOutcome;
    let run: OpenRun | undefined;
    try {
      run = await openInstanceRun(instance, logger, deps.workerFile);
      const summary = await run.runner.run(undefined, { signal });
      outcome = { status: summary.status === 'partial' ? 'partial' : summary.status === 'failure' ? 'failure' : 'success', summary };
    } catch (error) {
      outcome = { status: error instanceof SyncCancelledError || signal.aborted ? 'cancelled' : 'failure', error: messageOf(error) };
    } finally {
      await run?.close().catch((error: unknown) => logger.warn({ error: messageOf(error) }, 'closing the run failed'));
    }
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.runEnded(instance.id, outcome.status, seconds, outcome.summary?.entities);
    const fields = {
      status: outcome.status,
      durationMs: Math.round(seconds * 1000),
      ...(outcome.summary
        ? { entities: outcome.summary.entities, partialTypes: outcome.summary.partialTypes, apiRequests: outcome.summary.apiRequests }
        : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
    };
    if (outcome.status === 'failure') logger.error(fields, 'run ended');
    else logger.info(fields, 'run ended');
    return outcome;
  };
}
