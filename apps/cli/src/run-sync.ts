import { ConfigurationError, type Logger, SourceAuthError, TargetAuthError } from '@jumpcloud-graph/domain';
import { type SyncSummary } from '@jumpcloud-graph/ingestion-core';
import { type AlertReport } from '@jumpcloud-graph/alerting';
import { LocalGraphStore, LocalGraphStoreError } from '@jumpcloud-graph/local-graph';
import { type LoadedAlertRules, type OpenRun, runLocalGraphAlerts } from '@jumpcloud-graph/runtime';
import { formatAlertReport } from './commands/alerts.command';
import { UsageError, type SyncConfig } from './config/sync-config';
import { openSyncRun } from './container';
import { EXIT_FAILURE, EXIT_PARTIAL, EXIT_SUCCESS, EXIT_USAGE } from './exit-codes';
import { createLogger } from './logger';
import { createProgressDisplay } from './progress-display';
import { failureSummary, formatFailure, formatSummary, summaryJson } from './summary-format';

export interface SyncIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  json: boolean;
  quiet: boolean;
  /**
   * Handle SIGINT and SIGTERM: the first aborts the run (a JupiterOne job is aborted, a local run
   * is discarded), prints the failure summary and exits 130 or 143; a second one exits at once.
   */
  handleSignals?: boolean;
}

/** Exit codes of a run ended by a signal: 128 + the signal's number, as shells report them. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

/** The exit code of a finished run's status: failure is 1, never 0. */
export function exitCodeForStatus(status: SyncSummary['status']): number {
  if (status === 'success') return EXIT_SUCCESS;
  return status === 'partial' ? EXIT_PARTIAL : EXIT_FAILURE;
}

/**
 * The log level a command runs at: with --quiet or --json only errors reach stderr (a level
 * already stricter than error, fatal or silent, is kept).
 */
export function effectiveLogLevel(level: string, quiet: boolean): string {
  if (!quiet) return level;
  return level === 'fatal' || level === 'silent' ? level : 'error';
}

/**
 * Watches SIGINT and SIGTERM for one run: the first aborts `controller`, a second exits at once
 * with that signal's code. `dispose` removes the handlers.
 */
function watchSignals(controller: AbortController, logger: Logger, stderr: NodeJS.WriteStream) {
  let received: HandledSignal | undefined;
  const handlers = new Map<HandledSignal, () => void>();
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]) {
    const handler = () => {
      if (received !== undefined) {
        stderr.write(`jumpcloud-graph: ${signal} again: exiting without waiting for the abort to finish\n`);
        process.exit(SIGNAL_EXIT_CODES[signal]);
      }
      received = signal;
      logger.warn({ signal }, 'interrupted: aborting the run (a second signal exits at once)');
      controller.abort(new Error(`interrupted by ${signal}`));
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return {
    get received() {
      return received;
    },
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}

/** The exit code an error means (docs/cli.md): 2 for usage, configuration and authentication. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigurationError || error instanceof SourceAuthError || error instanceof TargetAuthError) {
    return EXIT_USAGE;
  }
  // --db names a file that is not our database, or one a newer version wrote: configuration.
  if (error instanceof LocalGraphStoreError && (error.code === 'LOCAL_GRAPH_NOT_OURS' || error.code === 'LOCAL_GRAPH_SCHEMA_TOO_NEW')) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/**
 * The rules on the local graph the run just committed, and the delivery of what is pending.
 * Neither a delivery failure nor an evaluation error changes the sync's exit code: both are
 * reported (`alerts.errors`, `alerts.error`), and what was not delivered stays pending.
 */
async function evaluateAlerts(config: SyncConfig, alerts: LoadedAlertRules, logger: Logger, signal: AbortSignal): Promise<(AlertReport & { runId: number }) | { error: string }> {
  let store: LocalGraphStore | undefined;
  try {
    store = LocalGraphStore.open(config.db, { create: false });
    const report = await runLocalGraphAlerts(store, { rules: alerts, instance: null, now: Date.now, signal });
    for (const error of report.errors) logger.warn({ runId: report.runId }, `alert delivery failed: ${error}`);
    return report;
  } catch (error) {
    logger.error({}, `alert rules were not evaluated: ${oneLine(error)}`);
    return { error: oneLine(error) };
  } finally {
    store?.close();
  }
}

export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * One sync into the configured target, with progress on stderr and the summary on stdout (with
 * --json exactly one summary object, whatever the outcome). Returns the exit code; prints one
 * line on stderr for an error.
 */
export async function runSync(config: SyncConfig, io: SyncIo, alerts?: LoadedAlertRules): Promise<{ exitCode: number; summary?: SyncSummary }> {
  const quiet = io.quiet || io.json;
  const logger = createLogger(effectiveLogLevel(config.logLevel, quiet));
  for (const warning of config.warnings) logger.warn({}, warning);
  const started = performance.now();
  const cancel = new AbortController();
  const signals = io.handleSignals ? watchSignals(cancel, logger, io.stderr) : undefined;
  let run: OpenRun | undefined;
  try {
    run = await openSyncRun(config, logger);
    const { runner, source } = run;
    const progress = createProgressDisplay({ stream: io.stderr, logger, quiet, requests: () => source.requestCounts().total });
    let summary: SyncSummary;
    try {
      summary = await runner.run(progress.listener, { signal: cancel.signal });
    } finally {
      progress.stop();
    }
    // rules after a run that committed (success or partial), never after a failed one
    const report = alerts !== undefined && summary.status !== 'failure' ? await evaluateAlerts(config, alerts, logger, cancel.signal) : undefined;
    if (io.json) {
      io.stdout.write(`${JSON.stringify({ ...summaryJson(summary), ...(report ? { alerts: report } : {}) })}\n`);
    } else {
      io.stdout.write(`${formatSummary(summary)}\n${report ? `${'error' in report ? `alerts: not evaluated: ${report.error}` : formatAlertReport(report)}\n` : ''}`);
    }
    return { exitCode: exitCodeForStatus(summary.status), summary };
  } catch (error) {
    const signal = signals?.received;
    const message = signal ? `interrupted by ${signal}: the run was aborted, nothing was finalized` : oneLine(error);
    io.stderr.write(`jumpcloud-graph: ${message}\n`);
    const counts = run?.source.requestCounts();
    const failure = failureSummary(message, { durationMs: performance.now() - started, apiRequests: counts?.total, retries: counts?.retries, mode: config.mode });
    io.stdout.write(io.json ? `${JSON.stringify(failure)}\n` : `${formatFailure(failure)}\n`);
    return { exitCode: signal ? SIGNAL_EXIT_CODES[signal] : exitCodeFor(error) };
  } finally {
    signals?.dispose();
    await run?.close();
  }
}
