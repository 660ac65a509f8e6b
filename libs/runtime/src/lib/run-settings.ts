import { type StepId } from '@jumpcloud-graph/graph-mapping';

/** How to reach JumpCloud: what each app's validated configuration gives for one run. */
export interface JumpCloudSettings {
  apiKey: string;
  /** Sync only this organization (sent as `x-org-id`); default every organization the key lists. */
  orgId?: string;
  baseUrl: string;
  allowInsecureHttp: boolean;
  /** Requests in flight at most. */
  concurrency: number;
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
}
