import { type GraphPublisher, type JumpCloudSource, type Logger } from '@jumpcloud-graph/domain';
import { type InjectionToken } from 'tsyringe';
import { type SyncOptions } from './sync-options';

// The injection tokens of the ingestion core, typed by the ports of `domain`. The apps'
// container.ts files register an adapter for each; nothing else calls `register`.
export const JUMPCLOUD_SOURCE: InjectionToken<JumpCloudSource> = Symbol('JumpCloudSource');
export const GRAPH_PUBLISHER: InjectionToken<GraphPublisher> = Symbol('GraphPublisher');
export const LOGGER: InjectionToken<Logger> = Symbol('Logger');
export const SYNC_OPTIONS: InjectionToken<SyncOptions> = Symbol('SyncOptions');
