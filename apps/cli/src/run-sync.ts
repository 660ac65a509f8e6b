import { ConfigurationError, type GraphPublisher, type Logger, SourceAuthError, TargetAuthError } from '@jumpcloud-graph/domain';
import { type SyncSummary, SyncRunner } from '@jumpcloud-graph/ingestion-core';
import { Worker } from 'node:worker_threads';
import { JupiterOneSyncPublisher, LocalGraphWorkerPublisher, type LocalGraphWorkerData } from '@jumpcloud-graph/jupiterone-publisher';
import { type CommandConfig, UsageError, type SyncConfig } from './config/sync-config';
import { createJumpCloudSource, createSyncContainer } from './container';
import { EXIT_FAILURE, EXIT_PARTIAL, EXIT_SUCCESS, EXIT_USAGE } from './exit-codes';
import { createLogger } from './logger';
import { createProgressDisplay } from './progress-display';
import { formatSummary, summaryJson } from './summary-format';

export interface SyncIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  json: boolean;
  quiet: boolean;
}

/** The exit code an error means (INTERFACES.md): 2 for usage, configuration and authentication. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigurationError || error instanceof SourceAuthError || error instanceof TargetAuthError) {
    return EXIT_USAGE;
  }
  return EXIT_FAILURE;
}

/** The JupiterOne publisher of a configuration whose target is jupiterone (keys checked by the config). */
export function createJupiterOnePublisher(config: CommandConfig, logger: Logger): JupiterOneSyncPublisher {
  return new JupiterOneSyncPublisher({
    apiKey: config.jupiteroneApiKey ?? '',
    account: config.jupiteroneAccount ?? '',
    baseUrl: config.jupiteroneBaseUrl,
    target: config.integrationInstanceId !== undefined ? { integrationInstanceId: config.integrationInstanceId } : { scope: config.scope },
    batchBytes: config.uploadBatchBytes,
    uploadConcurrency: config.uploadConcurrency,
    wait: config.wait,
    logger,
  });
}

/** The publisher of the configured target, and how to release it. */
async function openPublisher(config: SyncConfig, logger: Logger): Promise<{ publisher: GraphPublisher; close(): Promise<void> }> {
  if (config.target === 'jupiterone') return { publisher: createJupiterOnePublisher(config, logger), close: async () => undefined };
  // The store runs in a worker thread (this same file; see main.ts), beside the reading and mapping.
  const workerData: LocalGraphWorkerData = { role: 'local-graph-store', path: config.db };
  const store = await LocalGraphWorkerPublisher.start(() => new Worker(__filename, { workerData }), logger);
  return { publisher: store, close: () => store.close() };
}

export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * One sync into the configured target, with progress on stderr and the summary on stdout.
 * Returns the exit code; prints one line on stderr for an error.
 */
export async function runSync(config: SyncConfig, io: SyncIo): Promise<{ exitCode: number; summary?: SyncSummary }> {
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn({}, warning);
  const started = performance.now();
  let target: { publisher: GraphPublisher; close(): Promise<void> } | undefined;
  try {
    const source = createJumpCloudSource(config, logger);
    target = await openPublisher(config, logger);
    const runner = createSyncContainer(config, { logger, source, publisher: target.publisher }).resolve(SyncRunner);
    const progress = createProgressDisplay({
      stream: io.stderr,
      logger,
      quiet: io.quiet || io.json,
      requests: () => source.requestCounts().total,
    });
    let summary: SyncSummary;
    try {
      summary = await runner.run(progress.listener);
    } finally {
      progress.stop();
    }
    io.stdout.write(io.json ? `${JSON.stringify(summaryJson(summary))}\n` : `${formatSummary(summary)}\n`);
    return { exitCode: summary.status === 'partial' ? EXIT_PARTIAL : EXIT_SUCCESS, summary };
  } catch (error) {
    io.stderr.write(`jumpcloud-graph: ${oneLine(error)}\n`);
    if (io.json) {
      io.stdout.write(
        `${JSON.stringify({ status: 'failure', error: oneLine(error), entities: {}, relationships: {}, partialTypes: [], durationMs: Math.round(performance.now() - started) })}\n`,
      );
    }
    return { exitCode: exitCodeFor(error) };
  } finally {
    await target?.close();
  }
}
