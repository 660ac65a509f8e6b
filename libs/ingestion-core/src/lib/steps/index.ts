import { type StepId } from '@jumpcloud-graph/graph-mapping';
import { accountStep } from './account.step';
import { applicationAssignmentsStep } from './application-assignments.step';
import { applicationsStep } from './applications.step';
import { devicePostureStep } from './device-posture.step';
import { devicesStep } from './devices.step';
import { employeesStep } from './employees.step';
import { deviceGroupMembersStep, groupMembersStep } from './group-members.step';
import { deviceGroupsStep, groupsStep } from './groups.step';
import { policiesStep } from './policies.step';
import { policyTargetsStep } from './policy-targets.step';
import { type StepImplementation } from './step';
import { userDevicesStep } from './user-devices.step';
import { usersStep } from './users.step';

/** The code of every step of the registry. */
export const STEP_IMPLEMENTATIONS: ReadonlyMap<StepId, StepImplementation> = new Map(
  [
    accountStep,
    usersStep,
    groupsStep,
    applicationsStep,
    devicesStep,
    deviceGroupsStep,
    policiesStep,
    groupMembersStep,
    applicationAssignmentsStep,
    deviceGroupMembersStep,
    userDevicesStep,
    devicePostureStep,
    policyTargetsStep,
    employeesStep,
  ].map((step) => [step.id, step]),
);
