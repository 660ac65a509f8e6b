export * from './lib/concurrency';
export { PublishWriteError, type Reference, RunState } from './lib/run-state';
export * from './lib/sync-options';
export * from './lib/sync-runner';
export * from './lib/tokens';
