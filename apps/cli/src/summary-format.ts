import { type SyncModeOption, type SyncSummary } from '@jumpcloud-graph/ingestion-core';
import { jupiterOneReportOf } from '@jumpcloud-graph/jupiterone-publisher';

/** The `sync --json` object of docs/cli.md (and a few added fields). */
export function summaryJson(summary: SyncSummary): Record<string, unknown> {
  return {
    status: summary.status,
    mode: summary.mode,
    // why a run asked for as auto (or incremental) read everything
    ...(summary.fullReason !== undefined ? { fullReason: summary.fullReason } : {}),
    ...(summary.incremental !== undefined ? { incremental: summary.incremental } : {}),
    entities: summary.entities,
    relationships: summary.relationships,
    partialTypes: summary.partialTypes,
    apiRequests: summary.apiRequests,
    retries: summary.retries,
    danglingReferences: summary.danglingReferences,
    duplicateKeys: summary.duplicateKeys,
    durationMs: summary.durationMs,
    invalidEntities: summary.invalidEntities,
    runId: summary.runId,
    organizations: summary.organizations,
    addedSteps: summary.addedSteps,
    ...(summary.watermarks !== undefined ? { watermarks: summary.watermarks } : {}),
    failedSteps: summary.steps.filter((s) => s.status === 'failure').map((s) => ({ stepId: s.stepId, orgId: s.orgId, error: s.error ?? 'unknown error' })),
    // the JupiterOne target's figures (uploads, and the job when waited for), as documented
    ...(jupiterOneReportOf(summary.report) ?? {}),
  };
}

/**
 * The `sync --json` object of a run that did not finish (or never started: a usage error): every
 * field of a summary, zero where nothing was done, with the one-line `error`. Its `mode` is the
 * mode asked for (`auto` included), null when the settings could not be read.
 */
export function failureSummary(
  error: string,
  figures: { durationMs?: number; apiRequests?: number; retries?: number; mode?: SyncModeOption } = {},
): Record<string, unknown> {
  const nothing: SyncSummary = {
    status: 'failure',
    mode: 'full',
    entities: {},
    relationships: {},
    partialTypes: [],
    apiRequests: figures.apiRequests ?? 0,
    retries: figures.retries ?? 0,
    danglingReferences: 0,
    duplicateKeys: 0,
    invalidEntities: 0,
    durationMs: Math.round(figures.durationMs ?? 0),
    runId: null,
    organizations: [],
    addedSteps: [],
    steps: [],
  };
  // The summary's own fields, so that a failure has every key a success has.
  return { status: 'failure', error, ...summaryJson(nothing), mode: figures.mode ?? null };
}

/** The human form of `failureSummary`. */
export function formatFailure(failure: Record<string, unknown>): string {
  const seconds = (Number(failure['durationMs']) / 1000).toFixed(1);
  return `sync failure: ${String(failure['error'])}\nnothing was finalized; API requests ${String(failure['apiRequests'])} (retries ${String(failure['retries'])}), ${seconds} s`;
}

/** The summary's mode line: what an incremental run did, or why a full run was full. */
export function formatMode(summary: Pick<SyncSummary, 'mode' | 'fullReason' | 'incremental'>): string {
  if (summary.mode === 'incremental') {
    const i = summary.incremental;
    if (i === undefined) return 'mode: incremental';
    return `mode: incremental (${i.events} events, ${i.reread} read again, ${i.deleted} deleted, ${i.listsReread} lists, ${i.unresolved} unresolved)`;
  }
  return `mode: ${summary.mode}${summary.fullReason !== undefined ? ` (auto: ${summary.fullReason})` : ''}`;
}

/** The human summary table printed after `sync`. */
export function formatSummary(summary: SyncSummary): string {
  const rows: string[] = [];
  const section = (title: string, counts: Record<string, number>) => {
    rows.push(title);
    const types = Object.keys(counts).sort();
    if (types.length === 0) rows.push('  (none)');
    for (const type of types) rows.push(`  ${type.padEnd(40)}${String(counts[type]).padStart(9)}`);
  };
  rows.push(`sync ${summary.status} for ${summary.organizations.map((o) => `${o.name} (${o.id})`).join(', ')}`);
  rows.push(formatMode(summary));
  if (summary.addedSteps.length > 0) rows.push(`steps added because the selected ones depend on them: ${summary.addedSteps.join(', ')}`);
  section('entities', summary.entities);
  section('relationships', summary.relationships);
  rows.push(`API requests ${summary.apiRequests} (retries ${summary.retries}), ${(summary.durationMs / 1000).toFixed(1)} s`);
  rows.push(`dangling references ${summary.danglingReferences}, duplicate keys ${summary.duplicateKeys}, invalid entities ${summary.invalidEntities}`);
  const report = jupiterOneReportOf(summary.report);
  if (report) {
    const u = report.uploads;
    rows.push(`uploaded ${u.objects} objects in ${u.batches} batches, ${(u.bytes / 1_000_000).toFixed(1)} MB (retries ${u.retries}, 413 splits ${u.splits}, truncated ${u.truncated})`);
  }
  if (report?.job) {
    const j = report.job;
    rows.push(
      `JupiterOne job ${j.id} ${j.status}: entities created ${j.entitiesCreated}, updated ${j.entitiesUpdated}, deleted ${j.entitiesDeleted}; ` +
        `relationships created ${j.relationshipsCreated}, updated ${j.relationshipsUpdated}, deleted ${j.relationshipsDeleted}`,
    );
  }
  if (summary.partialTypes.length > 0) rows.push(`partial types (kept from the previous run): ${summary.partialTypes.join(', ')}`);
  const failed = summary.steps.filter((s) => s.status === 'failure');
  for (const step of failed) rows.push(`step ${step.stepId} failed for ${step.orgId}: ${step.error ?? 'unknown error'}`);
  return rows.join('\n');
}
