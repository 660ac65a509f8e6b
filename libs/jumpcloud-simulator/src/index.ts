export {
  CONTROL_OPERATIONS,
  CONTROL_PATH,
  LOGIN_SERVICES,
  SimulatorControl,
  type ControlOperation,
  type ControlOperationName,
  type ControlResult,
  type NewApplication,
  type NewSystem,
  type NewSystemGroup,
  type NewUser,
  type NewUserGroup,
} from './lib/control';
export { createDataset } from './lib/dataset';
export type { DatasetOptions, EdgeCaseMarkers, LoginService, OrganizationData, PastLogin, SimulatorDataset } from './lib/dataset.types';
export { FAULT_KINDS, type FaultKind, type FaultRule } from './lib/faults';
export {
  DIRECTORY_INSIGHTS_PATH,
  type AssociationEnd,
  type DirectoryInsightsEvent,
  type DirectoryInsightsEventType,
  type DirectoryObjectType,
} from './lib/insights';
export { ENDPOINT_KEYS } from './lib/routes';
export { busiestWindow } from './lib/request-rates';
export {
  DEFAULT_API_KEY,
  JumpCloudSimulator,
  startJumpCloudSimulator,
  type RequestLogEntry,
  type SimulatorOptions,
  type SimulatorStats,
} from './lib/simulator';
