export {
  createJumpCloudSource,
  createJupiterOnePublisher,
  listJumpCloudOrganizations,
  type LocalGraphThreadStarter,
  startLocalGraphPublisher,
} from './lib/adapters';
export {
  APP_VERSION,
  createRunContainer,
  openRun,
  type OpenRun,
  registerRootSingletons,
  RUN_SETTINGS,
  syncOptionsOf,
} from './lib/container';
export {
  type JumpCloudSettings,
  type JupiterOneTargetSettings,
  type LocalTargetSettings,
  type RunSettings,
  type TargetSettings,
} from './lib/run-settings';
export { ConfigFileError, readConfigFile } from './lib/config-file';
export {
  claimOwnerAlive,
  loadAlertRules,
  type LoadedAlertRules,
  localGraphChanges,
  type LocalGraphAlertsOptions,
  runLocalGraphAlerts,
  WEBHOOK_RETRY,
} from './lib/alerts';
export { DURATION_ERROR, durationMs, MAX_FULL_EVERY_MS, parseDuration } from './lib/duration';
export { JupiterOneWithLocalState } from './lib/jupiterone-with-state';
export { removeLocalGraph } from './lib/uninstall';
