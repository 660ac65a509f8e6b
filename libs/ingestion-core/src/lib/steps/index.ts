import { type StepId } from '@jumpcloud-graph/graph-mapping';
import { accountStep } from './account.step';
import { employeesStep } from './employees.step';
import { groupMembersStep } from './group-members.step';
import { groupsStep } from './groups.step';
import { type StepImplementation } from './step';
import { usersStep } from './users.step';

/** The steps this build implements; registry steps without one are reported partial. */
export const STEP_IMPLEMENTATIONS: ReadonlyMap<StepId, StepImplementation> = new Map(
  [accountStep, usersStep, groupsStep, groupMembersStep, employeesStep].map((step) => [step.id, step]),
);
