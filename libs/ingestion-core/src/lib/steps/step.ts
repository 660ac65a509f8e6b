import { type JumpCloudSource, type Organization } from '@jumpcloud-graph/domain';
import { type MappingContext, type StepId } from '@jumpcloud-graph/graph-mapping';
import { type RunState } from '../run-state';

/** A user with an email, remembered by the users step for the employees step (not the object). */
export type EmployeeSeed = readonly [userKey: string, email: string, firstName: string | null, lastName: string | null, name: string];

/** What the steps of one organization share. */
export interface OrganizationState {
  readonly organization: Organization;
  readonly accountKey: string;
  readonly groupIds: string[];
  readonly employees: EmployeeSeed[];
}

export interface StepContext {
  readonly org: OrganizationState;
  readonly source: JumpCloudSource;
  readonly mapping: MappingContext;
  readonly run: RunState;
  readonly signal: AbortSignal;
  /** Member or association lists to read at once. */
  readonly fanOut: number;
  /** Reports objects written so far by this step. */
  progress(objects: number): void;
}

/** The code of a step; its id, types and dependencies are data in graph-mapping's registry. */
export interface StepImplementation {
  readonly id: StepId;
  execute(context: StepContext): Promise<void>;
}
