/** How much a finding matters, as JupiterOne's alert rules grade it. */
export const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a finding is about: the graph object, as a receiver shows and links it. */
export interface FindingObject {
  _type: string;
  _key: string;
  /** The object's `name` (or `displayName`) when it has one. */
  name: string | null;
  /** Its page in the JumpCloud console, when the object has one. */
  webLink: string | null;
}

/** One property of an updated object: its value before and after (null where it was absent). */
export interface PropertyChange {
  from: unknown;
  to: unknown;
}

/** Why a rule fired for an object: a query result, or a change of the run's diff. */
export type FindingKind = 'result' | 'created' | 'updated' | 'deleted';

/**
 * One thing a rule found. `id` is stable: the same rule, object and (for updates) the same changed
 * values give the same id in every evaluation, so receivers dedupe by it.
 */
export interface Finding {
  id: string;
  ruleId: string;
  kind: FindingKind;
  object: FindingObject;
  /** For `updated`: each changed property. `_rawData` appears as one entry without values (`{}`). */
  changes?: Record<string, PropertyChange | Record<string, never>>;
}

/** What a delivery says about the rule that fired. */
export interface RuleSummary {
  id: string;
  name: string;
  severity: Severity;
}

/** Where a rule's findings go. */
export interface WebhookAction {
  type: 'webhook';
  /** https, or http to a loopback host. */
  url: string;
  /** `json` (default): our payload; `slack`: Slack's incoming-webhook shape. */
  format: 'json' | 'slack';
  /** The name of the environment variable that holds the signing secret; the app resolves it. */
  secretEnv?: string;
}
