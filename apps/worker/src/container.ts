import { Worker } from 'node:worker_threads';
import { type Logger } from '@jumpcloud-graph/domain';
import { type RequestBudget } from '@jumpcloud-graph/jumpcloud-client';
import { type LocalGraphThreadStarter, openRun, type OpenRun, registerRootSingletons, type RunSettings } from '@jumpcloud-graph/runtime';
import { container, type DependencyContainer } from 'tsyringe';
import { type InstanceConfig } from './config/worker-config';
import { VERSION } from './version';

/**
 * The worker's composition root. The wiring is `@jumpcloud-graph/runtime`'s, shared with the CLI;
 * the root container (tsyringe's global one) holds the process's singletons, so the compiled
 * data-model validator serves every run of every instance, and each run gets a child container
 * that is disposed when it ends.
 */
export function workerRoot(): DependencyContainer {
  registerRootSingletons(container, VERSION);
  return container;
}

/** The local graph store's thread: the worker's bundle `workerFile`, started with the store's data. */
export function localGraphThreadStarter(workerFile: string): LocalGraphThreadStarter {
  return (workerData) => new Worker(workerFile, { workerData });
}

/** The settings of one run of an instance (with its key's shared budget, on Redis). */
export function runSettingsOf(instance: InstanceConfig, budget?: RequestBudget): RunSettings {
  return {
    jumpcloud: budget ? { ...instance.jumpcloud, budget } : instance.jumpcloud,
    target: instance.target,
    accountName: instance.accountName,
    tagAccountName: instance.tagAccountName,
    includeSshKeys: instance.includeSshKeys,
    mode: instance.mode,
    fullEveryMs: instance.fullEveryMs,
    maxUnresolved: instance.maxUnresolved,
    lastLoginDays: instance.lastLoginDays,
  };
}

/** One run of an instance, wired in a child container of the worker's root. */
export function openInstanceRun(instance: InstanceConfig, logger: Logger, workerFile: string, budget?: RequestBudget): Promise<OpenRun> {
  return openRun(workerRoot(), runSettingsOf(instance, budget), { logger, startLocalGraphThread: localGraphThreadStarter(workerFile) });
}
