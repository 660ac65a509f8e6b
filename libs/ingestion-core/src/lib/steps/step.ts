import { type JumpCloudSource, type Logger, type Organization } from '@jumpcloud-graph/domain';
import { type DevicePostureCollector, type MappingContext, type StepId } from '@jumpcloud-graph/graph-mapping';
import { type LastLoginBook } from '../incremental/directory-window';
import { type RunState } from '../run-state';

/** A user with an email, remembered by the users step for the employees step (not the object). */
export type EmployeeSeed = readonly [userKey: string, email: string, firstName: string | null, lastName: string | null, name: string];

/** A count that can be awaited: resolves waiters once it reaches their value. */
export class WatchedCount {
  private current = 0;
  private readonly waiters: Array<{ at: number; resolve: () => void }> = [];

  get value(): number {
    return this.current;
  }

  add(n: number): void {
    this.current += n;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].at <= this.current) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  reached(at: number): Promise<void> {
    if (at <= this.current) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ at, resolve }));
  }
}

/** The ids (never the objects) each list step of one organization wrote, for the steps that fan out from them. */
export interface OrganizationIds {
  readonly users: string[];
  readonly groups: string[];
  readonly applications: string[];
  readonly devices: string[];
  readonly deviceGroups: string[];
  readonly policies: string[];
}

/**
 * How reading System Insights went: its rows folded per device; the feature not on the
 * organization's plan (a 403: the properties are left out, and that is no failure); or another
 * error (the device-posture step fails with it).
 */
export type DevicePostureOutcome =
  | { kind: 'read'; collector: DevicePostureCollector }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'failed'; error: unknown };

/** What the steps of one organization share. */
export interface OrganizationState {
  readonly organization: Organization;
  readonly accountKey: string;
  readonly ids: OrganizationIds;
  /** Users written so far, awaited by `user-devices` to pick the smaller side. */
  readonly userCount: WatchedCount;
  readonly employees: EmployeeSeed[];
  /** System Insights, read once (started by whichever of `devices` and `device-posture` asks first). */
  posture?: Promise<DevicePostureOutcome>;
  /**
   * The users' last logins (stored, and the organization's Directory Insights window), read once
   * when the users step asks; never rejects (a window that cannot be read leaves the stored ones).
   */
  lastLogins?: () => Promise<LastLoginBook>;
}

export function organizationState(organization: Organization): OrganizationState {
  return {
    organization,
    accountKey: organization.id,
    ids: { users: [], groups: [], applications: [], devices: [], deviceGroups: [], policies: [] },
    userCount: new WatchedCount(),
    employees: [],
  };
}

export interface StepContext {
  readonly org: OrganizationState;
  readonly source: JumpCloudSource;
  readonly mapping: MappingContext;
  readonly run: RunState;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Member or association lists to read at once. */
  readonly fanOut: number;
  /** Reports objects written so far by this step. */
  progress(objects: number): void;
  /** Resolves once the given step (of this organization) has ended, whatever its outcome. */
  settled(stepId: StepId): Promise<void>;
  /** Whether the given step (of this organization) has ended. */
  hasSettled(stepId: StepId): boolean;
  /** Whether the given step is part of this run (selected, or every step when none is). */
  willRun(stepId: StepId): boolean;
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
