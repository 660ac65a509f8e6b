import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRules } from '@jumpcloud-graph/alerting';
import { builtInQuestions } from '@jumpcloud-graph/graph-query';
import { workspaceRoot } from './testing/cli-runner';

/** docs/alert-rules.sample.yaml stays a usable file that covers what docs/alerts.md says it does. */
describe('the sample rules file', () => {
  const questions = builtInQuestions(join(workspaceRoot, 'libs/graph-query/questions'));
  const rules = parseRules(readFileSync(join(workspaceRoot, 'docs/alert-rules.sample.yaml'), 'utf8'), 'docs/alert-rules.sample.yaml', questions);

  it('has a rule for every built-in question with BAD results', () => {
    const bad = questions.filter((q) => q.queries.some((query) => query.resultsAre === 'BAD')).map((q) => q.id);
    const covered = rules.flatMap((rule) => (rule.kind === 'query' && rule.question ? [rule.question] : []));
    expect(covered.sort()).toEqual(bad.sort());
  });

  it('has the user deleted, department changed and admin group rules, each delivering to the alerts receive default', () => {
    expect(rules.find((r) => r.id === 'user-deleted')).toMatchObject({ kind: 'change', change: { type: 'jumpcloud_user', kind: 'deleted' } });
    expect(rules.find((r) => r.id === 'user-department-changed')).toMatchObject({ kind: 'change', change: { type: 'jumpcloud_user', kind: 'updated', properties: ['department'] } });
    expect(rules.find((r) => r.id === 'user-added-to-admin-group')).toMatchObject({ kind: 'query', trigger: { kind: 'new-results' } });
    expect(rules.every((r) => r.actions.length === 1 && r.actions[0].url === 'http://127.0.0.1:7401/')).toBe(true);
  });
});
