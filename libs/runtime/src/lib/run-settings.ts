import { type StepId } from '@jumpcloud-graph/graph-mapping';
import { type SyncModeOption } from '@jumpcloud-graph/ingestion-core';
import { type RequestBudget } from '@jumpcloud-graph/jumpcloud-client';

/** How to reach JumpCloud: what each app's validated configuration gives for one run. */
export interface JumpCloudSettings {
  apiKey: string;
  /** Sync only this organization (sent as `x-org-id`); default every organization the key lists. */
  orgId?: string;
  baseUrl: string;
  allowInsecureHttp: boolean;
  /** Requests in flight at most. */
  concurrency: number;
  /** A request budget shared with other processes using the same key (the worker's replicas on Redis). */
  budget?: RequestBudget;
}

/** Where the graph goes. */
export type TargetSettings = LocalTargetSettings | JupiterOneTargetSettings;

export interface LocalTargetSettings {
  type: 'local';
  /** The local graph database file. */
  db: string;
}

export interface JupiterOneTargetSettings {
  type: 'jupiterone';
  apiKey: string;
  account: string;
  baseUrl: string;
  allowInsecureHttp: boolean;
  integrationInstanceId?: string;
  scope?: string;
  wait: boolean;
  uploadBatchBytes?: number;
  uploadConcurrency?: number;
  /**
   * A local graph database that keeps the state of incremental syncs for this target (their
   * watermarks, users' last logins, the graph a delta run starts from). Without it a JupiterOne
   * target keeps no state: `auto` runs full, and `incremental` cannot run.
   */
  stateDb?: string;
}

/** Everything one sync needs, validated by the app that builds it. */
export interface RunSettings {
  jumpcloud: JumpCloudSettings;
  target: TargetSettings;
  accountName?: string;
  tagAccountName: boolean;
  includeSshKeys: boolean;
  /** Run only these steps (and those they depend on). */
  steps?: readonly StepId[];
  /** Console origin for `webLink` when it is not the JumpCloud base URL's (a simulator's). */
  consoleUrl?: string;
  /** full, incremental or auto (the runner's `SyncOptions.mode`; default full). */
  mode?: SyncModeOption;
  /** `auto` runs a full sync when the last one is older than this, in milliseconds (default 24 h). */
  fullEveryMs?: number;
  /** More unresolved events than this turn an incremental run into a full one (default 50). */
  maxUnresolved?: number;
  /** Days of logins a full sync without a previous watermark reads (default 30, at most 90). */
  lastLoginDays?: number;
}
