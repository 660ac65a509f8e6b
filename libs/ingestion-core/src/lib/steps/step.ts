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
  /** Resolves once the given step (of this organization) has ended, whatever its outcome. */
  settled(stepId: StepId): Promise<void>;
}

/** The code of a step; its id, types and dependencies are data in graph-mapping's registry. */
export interface StepImplementation {
  readonly id: StepId;
  /**
   * The dependencies the step must wait for before it starts, when it can start before all of
   * its registry dependencies have ended (it then awaits the others itself with `settled`).
   * Partial-type rules still follow the registry's `dependsOn`.
   */
  readonly startsAfter?: readonly StepId[];
  execute(context: StepContext): Promise<void>;
}
