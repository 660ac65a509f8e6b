import { type SyncSummary } from '@jumpcloud-graph/ingestion-core';
import { failureSummary, formatSummary, summaryJson } from './summary-format';

const base: SyncSummary = {
  status: 'success',
  mode: 'full',
  entities: { jumpcloud_user: 2 },
  relationships: {},
  partialTypes: [],
  apiRequests: 3,
  retries: 0,
  danglingReferences: 0,
  duplicateKeys: 0,
  invalidEntities: 0,
  durationMs: 1200,
  runId: '4',
  organizations: [{ id: 'o1', name: 'Acme' }],
  addedSteps: [],
  steps: [],
};

describe('the sync summary', () => {
  it('says how the run read JumpCloud: incremental with its figures', () => {
    const summary: SyncSummary = {
      ...base,
      mode: 'incremental',
      incremental: { events: 12, reread: 5, deleted: 1, listsReread: 2, unresolved: 0, lastLogins: 3 },
      watermarks: { o1: '2026-11-30T10:00:00Z' },
    };
    expect(formatSummary(summary).split('\n')[1]).toBe('mode: incremental (12 events, 5 read again, 1 deleted, 2 lists, 0 unresolved)');
    expect(summaryJson(summary)).toMatchObject({
      mode: 'incremental',
      incremental: { events: 12, reread: 5, deleted: 1, listsReread: 2, unresolved: 0, lastLogins: 3 },
      watermarks: { o1: '2026-11-30T10:00:00Z' },
    });
    expect(summaryJson(summary)).not.toHaveProperty('fullReason');
  });

  it('says full, and why an auto run was full', () => {
    expect(formatSummary(base)).toContain('\nmode: full\n');
    const auto = { ...base, fullReason: 'the last full sync is older than 24h' };
    expect(formatSummary(auto)).toContain('\nmode: full (auto: the last full sync is older than 24h)\n');
    const json = summaryJson(auto);
    expect(json).toMatchObject({ mode: 'full', fullReason: 'the last full sync is older than 24h' });
    expect(json).not.toHaveProperty('incremental');
    expect(json).not.toHaveProperty('watermarks');
  });

  it('keeps every key of a summary in a failure, with the mode asked for', () => {
    const failure = failureSummary('boom', { mode: 'auto' });
    expect(failure).toMatchObject({ status: 'failure', error: 'boom', mode: 'auto', entities: {} });
    expect(failureSummary('usage').mode).toBeNull();
    for (const key of Object.keys(summaryJson(base))) expect(failure).toHaveProperty(key);
  });
});
