import { type GraphPublisher, type JumpCloudSource, type Logger } from '@jumpcloud-graph/domain';
import { type EntityValidator } from '@jumpcloud-graph/graph-mapping';
import { type InjectionToken } from 'tsyringe';
import { type SyncOptions } from './sync-options';

// The injection tokens of the ingestion core, typed by the ports of `domain`. The composition
// root (libs/runtime's container, used by both apps) registers an adapter for each.
export const JUMPCLOUD_SOURCE: InjectionToken<JumpCloudSource> = Symbol('JumpCloudSource');
export const GRAPH_PUBLISHER: InjectionToken<GraphPublisher> = Symbol('GraphPublisher');
export const LOGGER: InjectionToken<Logger> = Symbol('Logger');
export const SYNC_OPTIONS: InjectionToken<SyncOptions> = Symbol('SyncOptions');
/** The compiled data-model validator: costly to build, so one per process (a root singleton). */
export const ENTITY_VALIDATOR: InjectionToken<EntityValidator> = Symbol('EntityValidator');

/** Monotonic time in milliseconds, for durations. */
export interface Clock {
  now(): number;
}
export const CLOCK: InjectionToken<Clock> = Symbol('Clock');

/** The process's monotonic clock. */
export const systemClock: Clock = { now: () => performance.now() };

/** Wall-clock time (epoch ms): Directory Insights windows and watermarks. */
export const WALL_CLOCK: InjectionToken<Clock> = Symbol('WallClock');

/** The system's wall clock. */
export const systemWallClock: Clock = { now: () => Date.now() };
