/**
 * The data model as data: every step, entity and relationship this integration emits
 * (docs/jupiterone.md). The converters take `_type`/`_class` from here, the runner reads the steps
 * (order, partial types) and the docs generator writes its tables from it, so a type is named in
 * exactly one place.
 */

/** The steps of one sync, in the order the README gives. */
export type StepId =
  | 'account'
  | 'users'
  | 'groups'
  | 'applications'
  | 'devices'
  | 'device-groups'
  | 'policies'
  | 'group-members'
  | 'application-assignments'
  | 'device-group-members'
  | 'user-devices'
  | 'device-posture'
  | 'policy-targets'
  | 'employees';

/** Every relationship `_type` the integration emits (mapped ones included). */
export type RelationshipTypeName =
  | 'jumpcloud_account_has_user'
  | 'jumpcloud_account_has_group'
  | 'jumpcloud_group_has_user'
  | 'jumpcloud_account_has_application'
  | 'jumpcloud_user_assigned_application'
  | 'jumpcloud_group_assigned_application'
  | 'jumpcloud_account_has_device'
  | 'jumpcloud_device_group_has_device'
  | 'jumpcloud_user_uses_device'
  | 'jumpcloud_account_has_policy'
  | 'jumpcloud_policy_enforces_device'
  | 'jumpcloud_policy_enforces_device_group'
  | 'jumpcloud_user_is_employee';

/** One entity type: what the docs list and what the step that produces it declares. */
export interface EntityDefinition {
  resourceName: string;
  _type: string;
  _class: string[];
  stepId: StepId;
  description: string;
}

/** One relationship type. `mapped` relationships carry `_mapping` instead of a target key. */
export interface RelationshipDefinition {
  _type: RelationshipTypeName;
  _class: 'HAS' | 'ASSIGNED' | 'USES' | 'ENFORCES' | 'IS';
  sourceType: string;
  targetType: string;
  stepId: StepId;
  mapped: boolean;
  description: string;
}

/**
 * One step: the types it declares (partial as a whole when it fails), the entity types whose
 * properties it adds to (written by another step, so never partial for its sake), and the steps it
 * needs first.
 */
export interface StepDefinition {
  id: StepId;
  name: string;
  entityTypes: string[];
  relationshipTypes: string[];
  enriches: string[];
  dependsOn: StepId[];
}

export const ACCOUNT_ENTITY: EntityDefinition = {
  resourceName: 'Account',
  _type: 'jumpcloud_account',
  _class: ['Account', 'Organization'],
  stepId: 'account',
  description: 'The JumpCloud organization (v1 GET /organizations)',
};
export const USER_ENTITY: EntityDefinition = {
  resourceName: 'User',
  _type: 'jumpcloud_user',
  _class: ['User'],
  stepId: 'users',
  description: 'A JumpCloud user (v1 GET /systemusers)',
};
export const GROUP_ENTITY: EntityDefinition = {
  resourceName: 'User Group',
  _type: 'jumpcloud_group',
  _class: ['Group'],
  stepId: 'groups',
  description: 'A JumpCloud user group (v2 GET /usergroups)',
};
export const APPLICATION_ENTITY: EntityDefinition = {
  resourceName: 'Application',
  _type: 'jumpcloud_application',
  _class: ['Application'],
  stepId: 'applications',
  description: 'A JumpCloud SSO application (v1 GET /applications); never any config value',
};
export const DEVICE_ENTITY: EntityDefinition = {
  resourceName: 'Device',
  _type: 'jumpcloud_device',
  _class: ['Device'],
  stepId: 'devices',
  description: 'A JumpCloud system (v1 GET /systems)',
};
export const DEVICE_GROUP_ENTITY: EntityDefinition = {
  resourceName: 'Device Group',
  _type: 'jumpcloud_device_group',
  _class: ['Group'],
  stepId: 'device-groups',
  description: 'A JumpCloud system group (v2 GET /systemgroups)',
};
export const POLICY_ENTITY: EntityDefinition = {
  resourceName: 'Policy',
  _type: 'jumpcloud_policy',
  _class: ['ControlPolicy'],
  stepId: 'policies',
  description: 'A JumpCloud device policy (v2 GET /policies)',
};
export const EMPLOYEE_ENTITY: EntityDefinition = {
  resourceName: 'Employee',
  _type: 'employee',
  _class: ['Person'],
  stepId: 'employees',
  description: 'The person behind a user, the target of jumpcloud_user_is_employee (key assigned by JupiterOne; locally employee:<lower-case email>)',
};

/** Every entity type, in step order. */
export const ENTITIES: readonly EntityDefinition[] = [
  ACCOUNT_ENTITY,
  USER_ENTITY,
  GROUP_ENTITY,
  APPLICATION_ENTITY,
  DEVICE_ENTITY,
  DEVICE_GROUP_ENTITY,
  POLICY_ENTITY,
  EMPLOYEE_ENTITY,
];

/** Every relationship type, in step order. */
export const RELATIONSHIPS: readonly RelationshipDefinition[] = [
  {
    _type: 'jumpcloud_account_has_user',
    _class: 'HAS',
    sourceType: ACCOUNT_ENTITY._type,
    targetType: USER_ENTITY._type,
    stepId: 'users',
    mapped: false,
    description: 'Every user of the organization',
  },
  {
    _type: 'jumpcloud_account_has_group',
    _class: 'HAS',
    sourceType: ACCOUNT_ENTITY._type,
    targetType: GROUP_ENTITY._type,
    stepId: 'groups',
    mapped: false,
    description: 'Every user group of the organization',
  },
  {
    _type: 'jumpcloud_account_has_application',
    _class: 'HAS',
    sourceType: ACCOUNT_ENTITY._type,
    targetType: APPLICATION_ENTITY._type,
    stepId: 'applications',
    mapped: false,
    description: 'Every application of the organization',
  },
  {
    _type: 'jumpcloud_account_has_device',
    _class: 'HAS',
    sourceType: ACCOUNT_ENTITY._type,
    targetType: DEVICE_ENTITY._type,
    stepId: 'devices',
    mapped: false,
    description: 'Every system of the organization',
  },
  {
    _type: 'jumpcloud_group_has_user',
    _class: 'HAS',
    sourceType: GROUP_ENTITY._type,
    targetType: USER_ENTITY._type,
    stepId: 'group-members',
    mapped: false,
    description: 'Direct members of a user group (v2 GET /usergroups/{id}/members)',
  },
  {
    _type: 'jumpcloud_user_assigned_application',
    _class: 'ASSIGNED',
    sourceType: USER_ENTITY._type,
    targetType: APPLICATION_ENTITY._type,
    stepId: 'application-assignments',
    mapped: false,
    description: 'Users bound directly to an application (v2 GET /applications/{id}/associations?targets=user)',
  },
  {
    _type: 'jumpcloud_group_assigned_application',
    _class: 'ASSIGNED',
    sourceType: GROUP_ENTITY._type,
    targetType: APPLICATION_ENTITY._type,
    stepId: 'application-assignments',
    mapped: false,
    description: 'User groups bound directly to an application (v2 GET /applications/{id}/associations?targets=user_group)',
  },
  {
    _type: 'jumpcloud_device_group_has_device',
    _class: 'HAS',
    sourceType: DEVICE_GROUP_ENTITY._type,
    targetType: DEVICE_ENTITY._type,
    stepId: 'device-group-members',
    mapped: false,
    description: 'Members of a system group (v2 GET /systemgroups/{id}/members)',
  },
  {
    _type: 'jumpcloud_user_uses_device',
    _class: 'USES',
    sourceType: USER_ENTITY._type,
    targetType: DEVICE_ENTITY._type,
    stepId: 'user-devices',
    mapped: false,
    description: 'Users bound to a system (v2 system or user associations, whichever side has fewer objects)',
  },
  {
    _type: 'jumpcloud_account_has_policy',
    _class: 'HAS',
    sourceType: ACCOUNT_ENTITY._type,
    targetType: POLICY_ENTITY._type,
    stepId: 'policies',
    mapped: false,
    description: 'Every policy of the organization',
  },
  {
    _type: 'jumpcloud_policy_enforces_device',
    _class: 'ENFORCES',
    sourceType: POLICY_ENTITY._type,
    targetType: DEVICE_ENTITY._type,
    stepId: 'policy-targets',
    mapped: false,
    description:
      'Systems a policy is bound to directly (v2 GET /policies/{id}/associations?targets=system), with the latest result of the policy on each (v2 GET /policyresults)',
  },
  {
    _type: 'jumpcloud_policy_enforces_device_group',
    _class: 'ENFORCES',
    sourceType: POLICY_ENTITY._type,
    targetType: DEVICE_GROUP_ENTITY._type,
    stepId: 'policy-targets',
    mapped: false,
    description: 'System groups a policy is bound to (v2 GET /policies/{id}/associations?targets=system_group)',
  },
  {
    _type: 'jumpcloud_user_is_employee',
    _class: 'IS',
    sourceType: USER_ENTITY._type,
    targetType: EMPLOYEE_ENTITY._type,
    stepId: 'employees',
    mapped: true,
    description: 'Mapped relationship from a user with an email to the Person with that email',
  },
];

const STEP_SHAPES: readonly { id: StepId; name: string; dependsOn: StepId[]; enriches?: string[] }[] = [
  { id: 'account', name: 'Fetch Account', dependsOn: [] },
  { id: 'users', name: 'Fetch Users', dependsOn: ['account'] },
  { id: 'groups', name: 'Fetch User Groups', dependsOn: ['account'] },
  { id: 'applications', name: 'Fetch Applications', dependsOn: ['account'] },
  { id: 'devices', name: 'Fetch Devices', dependsOn: ['account'] },
  { id: 'device-groups', name: 'Fetch Device Groups', dependsOn: ['account'] },
  { id: 'policies', name: 'Fetch Policies', dependsOn: ['account'] },
  { id: 'group-members', name: 'Build User Group Members', dependsOn: ['users', 'groups'] },
  { id: 'application-assignments', name: 'Build Application Assignments', dependsOn: ['users', 'groups', 'applications'] },
  { id: 'device-group-members', name: 'Build Device Group Members', dependsOn: ['devices', 'device-groups'] },
  { id: 'user-devices', name: 'Build User Devices', dependsOn: ['users', 'devices'] },
  // System Insights' encryption and OS build, read while the systems are and folded into the device
  // entities as the devices step writes them (so a device is always written whole): this step
  // reports how reading them went, and fails when it did (a 403, the plan without it, is no failure).
  { id: 'device-posture', name: 'Fetch Device Posture', dependsOn: ['devices'], enriches: [DEVICE_ENTITY._type] },
  { id: 'policy-targets', name: 'Build Policy Targets', dependsOn: ['policies', 'devices', 'device-groups'] },
  { id: 'employees', name: 'Map Users to Employees', dependsOn: ['users'] },
];

/**
 * Every step, in a valid topological order (each step after every step it depends on). The
 * declared types come from ENTITIES and RELATIONSHIPS, so a type cannot be declared by a step
 * other than the one its definition names.
 */
export const STEPS: readonly StepDefinition[] = STEP_SHAPES.map((step) => ({
  id: step.id,
  name: step.name,
  entityTypes: ENTITIES.filter((e) => e.stepId === step.id).map((e) => e._type),
  relationshipTypes: RELATIONSHIPS.filter((r) => r.stepId === step.id).map((r) => r._type),
  enriches: [...(step.enriches ?? [])],
  dependsOn: [...step.dependsOn],
}));

/**
 * `steps` and every step they depend on, transitively, in registry order. A step whose parents do
 * not run emits nothing, and then its types would look like "deleted everywhere": a selection
 * always runs with its dependencies.
 */
export function withDependencies(steps: readonly StepId[]): StepId[] {
  const wanted = new Set<StepId>();
  const visit = (id: StepId) => {
    if (wanted.has(id)) return;
    const step = STEPS.find((s) => s.id === id);
    if (!step) throw new Error(`Unknown step: ${String(id)}`);
    wanted.add(id);
    for (const parent of step.dependsOn) visit(parent);
  };
  for (const id of steps) visit(id);
  return STEPS.filter((s) => wanted.has(s.id)).map((s) => s.id);
}

/** The entity and relationship `_type`s a step declares: what becomes partial when it fails. */
export function stepTypes(stepId: StepId): string[] {
  const step = STEPS.find((s) => s.id === stepId);
  if (!step) throw new Error(`Unknown step: ${String(stepId)}`);
  return [...step.entityTypes, ...step.relationshipTypes];
}

/** The definition of a relationship type (throws for a name outside the registry). */
export function relationshipDefinition(type: RelationshipTypeName): RelationshipDefinition {
  const definition = RELATIONSHIPS.find((r) => r._type === type);
  if (!definition) throw new Error(`Unknown relationship type: ${String(type)}`);
  return definition;
}
