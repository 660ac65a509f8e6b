export * from './lib/concurrency';
export { PublishWriteError, type Reference, RunState } from './lib/run-state';
export * from './lib/sync-options';
export * from './lib/sync-runner';
export * from './lib/tokens';
export {
  DIRECTORY_OBJECT_KINDS,
  type DirectoryObjectKind,
  type IncrementalPlan,
  type ListRereads,
  LOGIN_EVENT_TYPES,
  type ObjectChanges,
  planIncremental,
  type UnresolvedEvent,
  type UnresolvedReason,
} from './lib/incremental/incremental-plan';
export { type LastLogin, type LastLoginService, latestLogins, mergeLastLogin } from './lib/incremental/last-login';
