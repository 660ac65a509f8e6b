import { type RetryOptions } from '@jumpcloud-graph/http-retry';
import { type GraphQueryEngine } from '@jumpcloud-graph/graph-query';
import { type Finding, type RuleSummary, type Severity, type WebhookAction } from './finding';
import { evaluateRules, type PreviousResults, type RunChanges } from './evaluate';
import { type AlertRule } from './rules';
import { deliverWebhook, type DeliverWebhookOptions, type DeliveryResult } from './webhook-delivery';

/** A finding as the state store keeps it. */
export interface AlertFindingRow {
  id: string;
  ruleId: string;
  severity: string;
  kind: string;
  objectType: string;
  objectKey: string;
  /** The finding as JSON. */
  finding: string;
}

/**
 * Where the rules' state lives (the local graph database implements it: `LocalGraphAlertState`).
 * `recordEvaluation` is one transaction; claims keep two processes from delivering one finding at once.
 */
export interface AlertStore extends PreviousResults {
  recordEvaluation(evaluation: {
    runId: number;
    evaluatedAt: number;
    rules: number;
    results: { ruleId: string; keys: string[] }[];
    findings: (AlertFindingRow & { status: 'pending' | 'recorded' })[];
  }): { evaluationId: number; inserted: number };
  claimPending(owner: string, now: number, leaseMs: number, alive?: (owner: string) => boolean): (AlertFindingRow & { runId: number })[];
  markDelivered(ids: string[], owner: string, at: number): void;
  release(ids: string[], owner: string, error: string): void;
  drop(ids: string[], owner: string, reason: string): void;
}

export interface RunAlertsOptions {
  rules: readonly AlertRule[];
  engine: GraphQueryEngine;
  changes: RunChanges | undefined;
  store: AlertStore;
  runId: number;
  /** The worker's instance id; null from the CLI. */
  instance: string | null;
  now: () => number;
  /** The signing secret an action names (`secretEnv`), resolved by the app. */
  secretOf: (action: WebhookAction) => string | undefined;
  retry: RetryOptions;
  /** Who claims pending findings (unique per process and evaluation). */
  owner: string;
  /** How long a claim holds before another process may take the findings (default 5 minutes). */
  leaseMs?: number;
  /** Whether the owner of a claim still runs (a killed process's claims lapse at once); default: trust the lease. */
  ownerAlive?: (owner: string) => boolean;
  /** Evaluate and record only: nothing is delivered (findings stay pending). */
  deliver?: boolean;
  /** Test and tuning seams of the delivery (fetch, sleep, timeout). */
  delivery?: Pick<DeliverWebhookOptions, 'fetch' | 'sleep' | 'random' | 'timeoutMs' | 'userAgent'>;
  signal?: AbortSignal;
}

/** What an evaluation found and what its delivery did (the sync summary and `--json` report it). */
export interface AlertReport {
  rules: number;
  /** New findings of this evaluation. */
  findings: number;
  byRule: { id: string; severity: Severity; findings: number; results?: number }[];
  /** Findings delivered now (this evaluation's and earlier pending ones). */
  delivered: number;
  /** Findings still pending after this delivery: retried at the next evaluation. */
  pending: number;
  /** Pending findings of rules no longer configured, given up. */
  dropped: number;
  /** Webhook messages sent (2xx). */
  messages: number;
  /** One line per failed delivery. */
  errors: string[];
}

const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * After a run: evaluates the rules, records the evaluation (results, new findings) in one
 * transaction, then delivers every pending finding it can claim, by rule and run, to each of the
 * rule's webhooks. A finding is delivered when every webhook of its rule took it; otherwise it
 * stays pending for the next evaluation (a webhook that took it gets it again then: receivers
 * dedupe by id). Delivery failures are reported, never thrown.
 */
export async function runAlerts(options: RunAlertsOptions): Promise<AlertReport> {
  const evaluations = await evaluateRules(options.rules, { engine: options.engine, changes: options.changes, previous: options.store, runId: options.runId, nowMs: options.now() });
  const rows = evaluations.flatMap(({ rule, findings }) =>
    findings.map((finding) => ({
      id: finding.id,
      ruleId: rule.id,
      severity: rule.severity,
      kind: finding.kind,
      objectType: finding.object._type,
      objectKey: finding.object._key,
      finding: JSON.stringify(finding),
      status: rule.actions.length > 0 ? ('pending' as const) : ('recorded' as const),
    })),
  );
  const { inserted } = options.store.recordEvaluation({
    runId: options.runId,
    evaluatedAt: options.now(),
    rules: options.rules.length,
    results: evaluations.filter((e) => e.resultKeys !== undefined).map((e) => ({ ruleId: e.rule.id, keys: e.resultKeys as string[] })),
    findings: rows,
  });
  const report: AlertReport = {
    rules: options.rules.length,
    findings: inserted,
    byRule: evaluations.map((e) => ({ id: e.rule.id, severity: e.rule.severity, findings: e.findings.length, ...(e.results !== undefined ? { results: e.results } : {}) })),
    delivered: 0,
    pending: 0,
    dropped: 0,
    messages: 0,
    errors: [],
  };
  if (options.deliver === false) {
    report.pending = rows.filter((r) => r.status === 'pending').length;
    return report;
  }
  await deliverPending(options, report);
  return report;
}

async function deliverPending(options: RunAlertsOptions, report: AlertReport): Promise<void> {
  const { store, owner } = options;
  const claimed = store.claimPending(owner, options.now(), options.leaseMs ?? DEFAULT_LEASE_MS, options.ownerAlive);
  const rulesById = new Map(options.rules.map((rule) => [rule.id, rule]));
  const gone = claimed.filter((row) => !rulesById.get(row.ruleId)?.actions.length);
  if (gone.length > 0) {
    store.drop(gone.map((row) => row.id), owner, 'its rule is no longer configured, or has no action');
    report.dropped += gone.length;
  }
  // by rule and run: a webhook message names one rule and one run
  const groups = new Map<string, { rule: AlertRule; runId: number; findings: Finding[] }>();
  for (const row of claimed) {
    const rule = rulesById.get(row.ruleId);
    if (!rule || rule.actions.length === 0) continue;
    const key = `${row.ruleId}\u0000${row.runId}`;
    const group = groups.get(key) ?? { rule, runId: row.runId, findings: [] };
    group.findings.push(JSON.parse(row.finding) as Finding);
    groups.set(key, group);
  }
  const settled = new Set<string>(gone.map((row) => row.id));
  try {
    for (const { rule, runId, findings } of groups.values()) {
      await deliverGroup(options, report, rule, runId, findings);
      findings.forEach((f) => settled.add(f.id));
    }
  } catch (error) {
    // cancelled (the only way a delivery throws): what this process claimed and did not settle is
    // given back at once, for the next evaluation, rather than held until the claim lapses
    const unsettled = claimed.filter((row) => !settled.has(row.id)).map((row) => row.id);
    store.release(unsettled, owner, 'delivery cancelled');
    report.pending += unsettled.length;
    throw error;
  }
}

/** One rule's findings of one run, to each of the rule's webhooks; then each marked delivered or given back. */
async function deliverGroup(options: RunAlertsOptions, report: AlertReport, rule: AlertRule, runId: number, findings: Finding[]): Promise<void> {
  const { store, owner } = options;
  const summary: RuleSummary = { id: rule.id, name: rule.name, severity: rule.severity };
  const failedIds = new Set<string>();
  const errors: string[] = [];
  for (const action of rule.actions) {
    const result: DeliveryResult = await deliverWebhook({
      ...options.delivery,
      action,
      secret: options.secretOf(action),
      rule: summary,
      findings,
      instance: options.instance,
      runId,
      retry: options.retry,
      signal: options.signal,
    });
    report.messages += result.messages;
    for (const failure of result.failed) {
      failure.findingIds.forEach((id) => failedIds.add(id));
      errors.push(`rule ${rule.id}: webhook ${hostOf(action.url)}: ${failure.error}`);
    }
  }
  const delivered = findings.filter((f) => !failedIds.has(f.id)).map((f) => f.id);
  store.markDelivered(delivered, owner, options.now());
  report.delivered += delivered.length;
  if (failedIds.size > 0) {
    store.release([...failedIds], owner, errors.join('; '));
    report.pending += failedIds.size;
    report.errors.push(...errors);
  }
}

/** A webhook's host only: the path of a Slack URL is its secret. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
