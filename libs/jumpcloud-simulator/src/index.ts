export { createDataset } from './lib/dataset';
export type { DatasetOptions, EdgeCaseMarkers, OrganizationData, SimulatorDataset } from './lib/dataset.types';
export { FAULT_KINDS, type FaultKind, type FaultRule } from './lib/faults';
export { ENDPOINT_KEYS } from './lib/routes';
export {
  DEFAULT_API_KEY,
  JumpCloudSimulator,
  startJumpCloudSimulator,
  type RequestLogEntry,
  type SimulatorOptions,
  type SimulatorStats,
} from './lib/simulator';
