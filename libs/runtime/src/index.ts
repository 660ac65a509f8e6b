export {
  createJumpCloudSource,
  createJupiterOnePublisher,
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
export { claimOwnerAlive, localGraphChanges, type LocalGraphAlertsOptions, runLocalGraphAlerts } from './lib/alerts';
