import { type GraphPublisher, type JumpCloudSource, type Logger } from '@jumpcloud-graph/domain';
import { createEntityValidator } from '@jumpcloud-graph/graph-mapping';
import {
  CLOCK,
  ENTITY_VALIDATOR,
  GRAPH_PUBLISHER,
  JUMPCLOUD_SOURCE,
  LOGGER,
  SYNC_OPTIONS,
  type SyncOptions,
  SyncRunner,
  systemClock,
  systemWallClock,
  WALL_CLOCK,
} from '@jumpcloud-graph/ingestion-core';
import { type DependencyContainer, type InjectionToken, instanceCachingFactory } from 'tsyringe';
import { createJumpCloudSource, createJupiterOnePublisher, type LocalGraphThreadStarter, startLocalGraphPublisher } from './adapters';
import { JupiterOneWithLocalState } from './jupiterone-with-state';
import { type RunSettings } from './run-settings';

/** The settings of the run a child container serves. */
export const RUN_SETTINGS: InjectionToken<RunSettings> = Symbol('RunSettings');
/** The version the clients announce in their User-Agent. */
export const APP_VERSION: InjectionToken<string> = Symbol('AppVersion');

/**
 * Registers the process's long-lived, costly objects in the root container, once: the compiled
 * data-model validator (a worker running many syncs compiles its schemas once) and the clock.
 * The app passes its root (tsyringe's `container`): libraries never import it.
 */
export function registerRootSingletons(root: DependencyContainer, version: string): void {
  if (!root.isRegistered(ENTITY_VALIDATOR)) root.register(ENTITY_VALIDATOR, { useFactory: instanceCachingFactory(() => createEntityValidator()) });
  if (!root.isRegistered(CLOCK)) root.register(CLOCK, { useValue: systemClock });
  if (!root.isRegistered(WALL_CLOCK)) root.register(WALL_CLOCK, { useValue: systemWallClock });
  if (!root.isRegistered(APP_VERSION)) root.register(APP_VERSION, { useValue: version });
}

/** The runner's options from the run's settings. */
export function syncOptionsOf(settings: RunSettings): SyncOptions {
  return {
    consoleUrl: settings.consoleUrl ?? new URL(settings.jumpcloud.baseUrl).origin,
    accountName: settings.accountName,
    tagAccountName: settings.tagAccountName,
    includeSshKeys: settings.includeSshKeys,
    steps: settings.steps,
    mode: settings.mode,
    fullEveryMs: settings.fullEveryMs,
    maxUnresolved: settings.maxUnresolved,
    lastLoginDays: settings.lastLoginDays,
  };
}

/**
 * A child container for one run: the settings, the logger, the runner's options and the JumpCloud
 * source (built by its factory from the settings, once per run). The publisher is registered by
 * `openRun` once it is started (the local graph's thread starts asynchronously).
 */
export function createRunContainer(root: DependencyContainer, settings: RunSettings, logger: Logger): DependencyContainer {
  const scope = root.createChildContainer();
  scope.register(RUN_SETTINGS, { useValue: settings });
  scope.register(LOGGER, { useValue: logger });
  scope.register(SYNC_OPTIONS, { useFactory: (c) => syncOptionsOf(c.resolve(RUN_SETTINGS)) });
  scope.register(JUMPCLOUD_SOURCE, {
    useFactory: instanceCachingFactory((c) => createJumpCloudSource(c.resolve(RUN_SETTINGS).jumpcloud, c.resolve(LOGGER), c.resolve(APP_VERSION))),
  });
  return scope;
}

/** One run, wired: its runner and source, and how to release it. */
export interface OpenRun {
  runner: SyncRunner;
  source: JumpCloudSource;
  publisher: GraphPublisher;
  /** Closes the publisher (the local graph's thread) and disposes the run's container. Idempotent. */
  close(): Promise<void>;
}

/**
 * Wires one run in a child container of `root` (after `registerRootSingletons`): builds the
 * source (a bad setting throws here, with its own error class), starts the publisher, resolves the
 * runner. Call `close` when the run has ended, whatever its outcome.
 */
export async function openRun(root: DependencyContainer, settings: RunSettings, deps: { logger: Logger; startLocalGraphThread: LocalGraphThreadStarter }): Promise<OpenRun> {
  const scope = createRunContainer(root, settings, deps.logger);
  // Resolved directly, so a configuration error keeps its class (resolving it as a constructor
  // parameter of the runner would wrap it).
  const source = scope.resolve(JUMPCLOUD_SOURCE);
  let release = async () => undefined as void;
  let publisher: GraphPublisher;
  try {
    if (settings.target.type === 'local') {
      const store = await startLocalGraphPublisher(settings.target.db, deps.logger, deps.startLocalGraphThread);
      release = () => store.close();
      publisher = store;
    } else if (settings.target.stateDb !== undefined) {
      // JupiterOne with the local graph as the state of incremental syncs
      const stateDb = settings.target.stateDb;
      const state = await startLocalGraphPublisher(stateDb, deps.logger, deps.startLocalGraphThread);
      release = () => state.close();
      publisher = new JupiterOneWithLocalState(state, createJupiterOnePublisher(settings.target, deps.logger), stateDb, deps.logger);
    } else {
      publisher = createJupiterOnePublisher(settings.target, deps.logger);
    }
  } catch (error) {
    await scope.dispose();
    throw error;
  }
  scope.register(GRAPH_PUBLISHER, { useValue: publisher });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await release();
    } finally {
      await scope.dispose();
    }
  };
  let runner: SyncRunner;
  try {
    runner = scope.resolve(SyncRunner);
  } catch (error) {
    await close();
    throw error;
  }
  return { runner, source, publisher, close };
}
