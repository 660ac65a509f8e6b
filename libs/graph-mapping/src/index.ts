export { type MappingContext, consoleUrlFor } from './lib/mapping-context';
export { toAccountEntity } from './lib/account.converter';
export { toUserEntity, type UserLastLogin } from './lib/user.converter';
export { toGroupEntity } from './lib/group.converter';
export { toApplicationEntity } from './lib/application.converter';
export { toDeviceEntity } from './lib/device.converter';
export { type DevicePosture, DevicePostureCollector, collectionTimeMs } from './lib/device-posture';
export { toPolicyEntity, LatestPolicyResults, policyResultProperties } from './lib/policy.converter';
export { userDeviceProperties } from './lib/user-device.converter';
export { toDeviceGroupEntity } from './lib/device-group.converter';
export { toRelationship } from './lib/relationship.converter';
export { toUserEmployeeMappedRelationship, employeeKey } from './lib/employee.converter';
export { type RawDataKind, scrubRawData } from './lib/raw-data.scrubber';
export {
  type StepId,
  type EntityDefinition,
  type RelationshipDefinition,
  type StepDefinition,
  type RelationshipTypeName,
  ENTITIES,
  RELATIONSHIPS,
  STEPS,
  stepTypes,
  withDependencies,
} from './lib/data-model.registry';
export { type EntityValidator, createEntityValidator } from './lib/entity.validator';
export { KeyDeduplicator } from './lib/key-deduplicator';
