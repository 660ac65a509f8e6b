import { type SyncMode, type TargetReport } from '@jumpcloud-graph/domain';
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
  /**
   * How to read JumpCloud (default `full`; the apps default to `auto`):
   * - `full`: every list; also records a Directory Insights watermark per organization;
   * - `incremental`: only what Directory Insights events name since the latest run's watermarks,
   *   written as a delta run; needs a target that keeps its graph and a run with a watermark for
   *   every organization (else a `ConfigurationError`, exit 2);
   * - `auto`: incremental when that is possible and the last full sync is younger than
   *   `fullEveryMs` and the watermarks younger than 80 days; full otherwise, and full (with one
   *   warning) when Directory Insights cannot be read.
   */
  mode?: SyncModeOption;
  /** `auto` runs a full sync when the last one started longer ago than this (default 24 h). */
  fullEveryMs?: number;
  /** More unresolved events than this (default 50) turn an incremental run into a full one. */
  maxUnresolved?: number;
  /** A full sync without a previous watermark reads logins this many days back (default 30, at most 90). */
  lastLoginDays?: number;
}

export type SyncModeOption = 'full' | 'incremental' | 'auto';

/** What an incremental run did (`SyncSummary.incremental`). */
export interface IncrementalReport {
  /** Distinct Directory Insights events read (every organization). */
  events: number;
  /** Objects read again by id. */
  reread: number;
  /** Objects deleted (with their relationships). */
  deleted: number;
  /** Member and association lists read again. */
  listsReread: number;
  /** Events that could not be resolved (an unknown type, an object that is gone without a delete event, ...). */
  unresolved: number;
  /** Users whose last login changed. */
  lastLogins: number;
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
  /** How this run read JumpCloud. */
  mode: SyncMode;
  /** Why a run asked for as `auto` or `incremental` became a full one; absent otherwise. */
  fullReason?: string;
  /** The incremental run's figures (absent for a full run). */
  incremental?: IncrementalReport;
  /** Per organization, the Directory Insights watermark recorded (absent for a target that keeps no state or when none could be read). */
  watermarks?: Record<string, string>;
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
