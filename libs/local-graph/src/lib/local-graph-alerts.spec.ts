import Database from 'better-sqlite3';
import { rawQuery, useTempStores } from './__fixtures__/local-graph-fixtures';
import { type AlertFindingRecord, KEPT_DONE_FINDINGS } from './local-graph-alerts';
import { LOCAL_GRAPH_SCHEMA_VERSION } from './local-graph-schema';

const finding = (id: string, ruleId = 'rule'): AlertFindingRecord & { status: 'pending' } => ({
  id,
  ruleId,
  severity: 'HIGH',
  kind: 'result',
  objectType: 'jumpcloud_user',
  objectKey: `key-${id}`,
  finding: JSON.stringify({ id }),
  status: 'pending',
});

describe('the alert state of the local graph', () => {
  const stores = useTempStores();

  it('records an evaluation, its results and findings together; a finding stored already keeps its state', () => {
    const state = stores.open().alertState();
    expect(state.previousResults('rule')).toBeUndefined();
    const first = state.recordEvaluation({ runId: 1, evaluatedAt: 1000, rules: 1, results: [{ ruleId: 'rule', keys: ['a', 'b'] }], findings: [finding('f1'), finding('f2')] });
    expect(first.inserted).toBe(2);
    expect(state.previousResults('rule')).toEqual(['a', 'b']);
    state.claimPending('me', 2000, 60_000);
    state.markDelivered(['f1'], 'me', 2500);
    const second = state.recordEvaluation({ runId: 2, evaluatedAt: 3000, rules: 1, results: [{ ruleId: 'rule', keys: ['b'] }], findings: [finding('f1'), finding('f3')] });
    expect(second.inserted).toBe(1);
    expect(state.previousResults('rule')).toEqual(['b']);
    const listed = state.listFindings();
    expect(listed.map((f) => [f.id, f.status, f.evaluationId])).toEqual([
      ['f3', 'pending', second.evaluationId],
      ['f1', 'delivered', first.evaluationId],
      ['f2', 'pending', first.evaluationId],
    ]);
    expect(state.countByStatus()).toEqual({ pending: 2, delivered: 1, recorded: 0, dropped: 0 });
  });

  it('lets one owner claim a pending finding at a time, until its lease ends or it is gone', () => {
    const state = stores.open().alertState();
    state.recordEvaluation({ runId: 1, evaluatedAt: 1000, rules: 1, results: [], findings: [finding('f1'), finding('f2')] });
    expect(state.claimPending('a', 1000, 60_000).map((f) => f.id)).toEqual(['f1', 'f2']);
    // held by a: nothing for b while the lease runs and a is alive
    expect(state.claimPending('b', 2000, 60_000)).toEqual([]);
    // only the owner can settle a finding
    state.markDelivered(['f1'], 'b', 2000);
    expect(state.listFindings({ status: 'delivered' })).toEqual([]);
    // a released finding is pending again, its attempt and error counted
    state.release(['f2'], 'a', 'HTTP 503 after 4 attempts');
    expect(state.listFindings({ status: 'pending' }).find((f) => f.id === 'f2')).toMatchObject({ attempts: 1, lastError: 'HTTP 503 after 4 attempts' });
    expect(state.claimPending('b', 2000, 60_000).map((f) => f.id)).toEqual(['f2']);
    // a's claim on f1: taken by c once a is known gone, or once the lease ended
    expect(state.claimPending('c', 3000, 60_000, (owner) => owner !== 'a').map((f) => f.id)).toEqual(['f1']);
    state.markDelivered(['f1'], 'c', 3500);
    expect(state.claimPending('d', 1_000_000, 60_000).map((f) => f.id)).toEqual(['f2']);
    state.drop(['f2'], 'd', 'its rule is no longer configured');
    expect(state.countByStatus()).toEqual({ pending: 0, delivered: 1, recorded: 0, dropped: 1 });
  });

  it('keeps the newest findings that are done with, and every pending one', () => {
    const state = stores.open().alertState();
    const many = Array.from({ length: KEPT_DONE_FINDINGS + 5 }, (_, i) => ({ ...finding(`d${String(i).padStart(6, '0')}`), status: 'recorded' as const }));
    state.recordEvaluation({ runId: 1, evaluatedAt: 1000, rules: 1, results: [], findings: [finding('p1'), ...many] });
    state.recordEvaluation({ runId: 2, evaluatedAt: 2000, rules: 1, results: [], findings: [] });
    expect(state.countByStatus()).toEqual({ pending: 1, delivered: 0, recorded: KEPT_DONE_FINDINGS, dropped: 0 });
  });

  it('adds the alert tables to a database of schema version 1', () => {
    const path = stores.dbPath();
    stores.open().close();
    const db = new Database(path);
    db.exec("DROP TABLE alert_results; DROP TABLE alert_evaluations; DROP TABLE alert_findings; UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    db.close();
    const state = stores.open().alertState();
    expect(state.countByStatus()).toEqual({ pending: 0, delivered: 0, recorded: 0, dropped: 0 });
    expect(rawQuery(path, "SELECT value FROM meta WHERE key = 'schema_version'")).toEqual([{ value: String(LOCAL_GRAPH_SCHEMA_VERSION) }]);
  });
});
