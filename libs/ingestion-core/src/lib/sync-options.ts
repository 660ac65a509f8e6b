import { type TargetReport } from '@jumpcloud-graph/domain';
import { type StepId } from '@jumpcloud-graph/graph-mapping';

/** What one sync does, validated by the app that builds it. */
export interface SyncOptions {
  /** Console origin for `webLink` (US, EU or IN console, or the origin of a custom base URL). */
  consoleUrl: string;
  /** Overrides the organization's displayName in summaries and `tag.AccountName`. */
  accountName?: string;
  tagAccountName: boolean;
  includeSshKeys: boolean;
  /**
   * Run only these steps and the steps they depend on (reported as `addedSteps`); the types of
   * the others are partial. Default: all.
   */
  steps?: readonly StepId[];
  /** Steps of one organization running at once (default 4). */
  stepConcurrency?: number;
  /** Member or association lists read at once within a fan-out step (default 16). */
  fanOut?: number;
}

export type StepStatus = 'success' | 'failure' | 'skipped';

/** Progress events, for a live display or log lines. */
export type ProgressEvent =
  | { kind: 'organizations'; organizations: Array<{ id: string; name: string }> }
  | { kind: 'step-start'; stepId: StepId; orgId: string }
  | { kind: 'step-progress'; stepId: StepId; orgId: string; objects: number }
  | { kind: 'step-end'; stepId: StepId; orgId: string; status: StepStatus; objects: number; durationMs: number; error?: string };

export type ProgressListener = (event: ProgressEvent) => void;

export interface StepReport {
  stepId: StepId;
  orgId: string;
  status: StepStatus;
  objects: number;
  durationMs: number;
  error?: string;
}

/** The run summary (docs/cli.md `sync --json`, plus detail). */
export interface SyncSummary {
  status: 'success' | 'partial' | 'failure';
  entities: Record<string, number>;
  relationships: Record<string, number>;
  partialTypes: string[];
  apiRequests: number;
  retries: number;
  danglingReferences: number;
  duplicateKeys: number;
  invalidEntities: number;
  durationMs: number;
  runId: string | null;
  /** The target's own figures, passed through from the publisher (JupiterOne: uploads and its job). */
  report?: TargetReport;
  organizations: Array<{ id: string; name: string }>;
  /** Steps run because the selected ones (`steps`) depend on them; empty without a selection. */
  addedSteps: StepId[];
  steps: StepReport[];
}
