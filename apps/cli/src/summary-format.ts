import { type SyncSummary } from '@jumpcloud-graph/ingestion-core';

/** The `sync --json` object of INTERFACES.md (and a few added fields). */
export function summaryJson(summary: SyncSummary): Record<string, unknown> {
  return {
    status: summary.status,
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
    ...(summary.job ? { job: summary.job } : {}),
    ...(summary.uploads ? { uploads: summary.uploads } : {}),
  };
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
  section('entities', summary.entities);
  section('relationships', summary.relationships);
  rows.push(`API requests ${summary.apiRequests} (retries ${summary.retries}), ${(summary.durationMs / 1000).toFixed(1)} s`);
  rows.push(`dangling references ${summary.danglingReferences}, duplicate keys ${summary.duplicateKeys}, invalid entities ${summary.invalidEntities}`);
  if (summary.uploads) {
    const u = summary.uploads;
    rows.push(`uploaded ${u.objects} objects in ${u.batches} batches, ${(u.bytes / 1_000_000).toFixed(1)} MB (retries ${u.retries}, 413 splits ${u.splits}, truncated ${u.truncated})`);
  }
  if (summary.job) {
    const j = summary.job;
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
