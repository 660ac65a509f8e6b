import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type JumpCloudSource, type Logger } from '@jumpcloud-graph/domain';
import { type JupiterOneSyncPublisher } from '@jumpcloud-graph/jupiterone-publisher';
import {
  createJumpCloudSource,
  createJupiterOnePublisher,
  type JupiterOneTargetSettings,
  type LocalGraphThreadStarter,
  openRun,
  type OpenRun,
  registerRootSingletons,
  type RunSettings,
} from '@jumpcloud-graph/runtime';
import { container, type DependencyContainer } from 'tsyringe';
import { type CommandConfig, type SyncConfig } from './config/sync-config';
import { VERSION } from './version';

/**
 * The CLI's composition root. The wiring itself is `@jumpcloud-graph/runtime`'s, shared with the
 * worker; what is the CLI's own is here: its configuration turned into run settings, the root
 * container (tsyringe's global one, with the process's singletons), and how the local graph's
 * thread starts (from its own bundle, local-graph-thread.js).
 */
export function cliRoot(): DependencyContainer {
  registerRootSingletons(container, VERSION);
  return container;
}

/** The local graph store's thread: its own bundle beside main.js (local-graph-thread.ts), started with the store's worker data. */
export const startLocalGraphThread: LocalGraphThreadStarter = (workerData) => new Worker(join(__dirname, 'local-graph-thread.js'), { workerData });

/** The JupiterOne target of a configuration (its keys are checked by the configuration). */
export function jupiterOneTargetOf(config: CommandConfig): JupiterOneTargetSettings {
  return {
    type: 'jupiterone',
    apiKey: config.jupiteroneApiKey ?? '',
    account: config.jupiteroneAccount ?? '',
    baseUrl: config.jupiteroneBaseUrl,
    allowInsecureHttp: config.allowInsecureHttp,
    ...(config.integrationInstanceId !== undefined ? { integrationInstanceId: config.integrationInstanceId } : {}),
    ...(config.scope !== undefined ? { scope: config.scope } : {}),
    wait: config.wait,
    uploadBatchBytes: config.uploadBatchBytes,
    uploadConcurrency: config.uploadConcurrency,
    // the local graph that keeps the state of incremental syncs (an explicit --db)
    ...(config.stateDb !== undefined ? { stateDb: config.stateDb } : {}),
  };
}

/** The settings of one sync from the CLI's configuration. */
export function runSettingsOf(config: SyncConfig): RunSettings {
  return {
    jumpcloud: {
      apiKey: config.jumpcloudApiKey,
      ...(config.jumpcloudOrgId !== undefined ? { orgId: config.jumpcloudOrgId } : {}),
      baseUrl: config.jumpcloudBaseUrl,
      allowInsecureHttp: config.allowInsecureHttp,
      concurrency: config.concurrency,
    },
    target: config.target === 'jupiterone' ? jupiterOneTargetOf(config) : { type: 'local', db: config.db },
    accountName: config.accountName,
    tagAccountName: config.tagAccountName,
    includeSshKeys: config.includeSshKeys,
    steps: config.steps,
    consoleUrl: config.consoleUrl,
    mode: config.mode,
    fullEveryMs: config.fullEveryMs,
    maxUnresolved: config.maxUnresolved,
    lastLoginDays: config.lastLoginDays,
  };
}

/** One sync, wired in a child container of the CLI's root. */
export function openSyncRun(config: SyncConfig, logger: Logger): Promise<OpenRun> {
  return openRun(cliRoot(), runSettingsOf(config), { logger, startLocalGraphThread });
}

/** The JumpCloud source alone (validate, uninstall). */
export function jumpCloudSourceFor(config: SyncConfig, logger: Logger): JumpCloudSource {
  return createJumpCloudSource(runSettingsOf(config).jumpcloud, logger, VERSION);
}

/** The JupiterOne publisher alone (validate, uninstall). */
export function jupiterOnePublisherFor(config: CommandConfig, logger: Logger): JupiterOneSyncPublisher {
  return createJupiterOnePublisher(jupiterOneTargetOf(config), logger);
}
