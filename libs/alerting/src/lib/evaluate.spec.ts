import { type Entity } from '@jumpcloud-graph/domain';
import { InMemoryGraphEngine, parseQuestions } from '@jumpcloud-graph/graph-query';
import { type ChangedObjects, evaluateRules, findingId, type RunChanges } from './evaluate';
import { parseRules } from './rules';

const user = (n: number, properties: Record<string, unknown> = {}): Entity =>
  ({ _key: `u${n}`, _type: 'jumpcloud_user', _class: ['User'], name: `User ${n}`, webLink: `https://console.jumpcloud.com/#/users/u${n}`, active: true, ...properties }) as Entity;

const rules = parseRules(
  `rules:
  - { id: new, name: New, severity: HIGH, query: "FIND jumpcloud_user WITH active = true AND mfaEnabled != true" }
  - { id: any, name: Any, severity: LOW, query: "FIND jumpcloud_user WITH active = true AND mfaEnabled != true", trigger: any-results }
  - { id: above, name: Above, severity: LOW, query: "FIND jumpcloud_user WITH active = true AND mfaEnabled != true", trigger: { count-above: 2 } }
  - { id: deleted, name: Deleted, severity: MEDIUM, change: { type: jumpcloud_user, kind: deleted } }
  - { id: title, name: Title, severity: LOW, change: { type: jumpcloud_user, kind: updated, properties: [jobTitle] } }
  - { id: created, name: Created, severity: INFO, change: { type: jumpcloud_user, kind: created } }
`,
  'rules.yaml',
  parseQuestions('questions: []', 'none'),
);

const object = (n: number) => ({ _type: 'jumpcloud_user', _key: `u${n}`, name: `User ${n}`, webLink: null });
const changes = (partialTypes: string[] = []): RunChanges => {
  const changed: ChangedObjects = {
    created: [object(7)],
    updated: [
      { object: object(1), changes: { jobTitle: { from: 'Engineer', to: 'Manager' } } },
      { object: object(2), changes: { department: { from: 'A', to: 'B' }, _rawData: {} } },
    ],
    deleted: [object(9)],
  };
  return { partialTypes, of: async (type) => (type === 'jumpcloud_user' ? changed : { created: [], updated: [], deleted: [] }) };
};

describe('evaluateRules', () => {
  const engine = new InMemoryGraphEngine({ entities: [user(1), user(2, { mfaEnabled: true }), user(3), user(4, { active: false })], relationships: [] });

  it('query rules: new results against the previous ones, any results, or past a count', async () => {
    const previous = { previousResults: (id: string) => (id === 'new' ? ['u1'] : undefined) };
    const evaluations = await evaluateRules(rules, { engine, changes: undefined, previous, runId: 5, nowMs: 0 });
    const byId = Object.fromEntries(evaluations.map((e) => [e.rule.id, e]));
    expect(byId['new'].resultKeys).toEqual(['u1', 'u3']);
    expect(byId['new'].findings).toEqual([
      { id: findingId('new', 'result', object(3), 5), ruleId: 'new', kind: 'result', object: { _type: 'jumpcloud_user', _key: 'u3', name: 'User 3', webLink: 'https://console.jumpcloud.com/#/users/u3' } },
    ]);
    expect(byId['any'].findings.map((f) => f.object._key)).toEqual(['u1', 'u3']);
    // 2 results are not above 2
    expect(byId['above'].findings).toEqual([]);
    expect(byId['above'].results).toBe(2);
    // change rules find nothing without a previous run
    expect(byId['deleted'].findings).toEqual([]);
  });

  it('change rules: created, deleted, and updated filtered by property, with the changes', async () => {
    const evaluations = await evaluateRules(rules, { engine, changes: changes(), previous: { previousResults: () => undefined }, runId: 6, nowMs: 0 });
    const byId = Object.fromEntries(evaluations.map((e) => [e.rule.id, e.findings]));
    expect(byId['deleted'].map((f) => [f.kind, f.object._key])).toEqual([['deleted', 'u9']]);
    expect(byId['created'].map((f) => [f.kind, f.object._key])).toEqual([['created', 'u7']]);
    expect(byId['title']).toEqual([
      {
        id: findingId('title', 'updated', object(1), 6, { jobTitle: { from: 'Engineer', to: 'Manager' } }),
        ruleId: 'title',
        kind: 'updated',
        object: object(1),
        changes: { jobTitle: { from: 'Engineer', to: 'Manager' } },
      },
    ]);
  });

  it('never fires "deleted" for a partial type: a failed step is not a deletion', async () => {
    const evaluations = await evaluateRules(rules, { engine, changes: changes(['jumpcloud_user']), previous: { previousResults: () => undefined }, runId: 6, nowMs: 0 });
    expect(evaluations.find((e) => e.rule.id === 'deleted')?.findings).toEqual([]);
    expect(evaluations.find((e) => e.rule.id === 'created')?.findings).toHaveLength(1);
  });

  it('gives a finding the same id for the same rule, object, run and changes, another for another run', () => {
    expect(findingId('r', 'result', object(1), 1)).toBe(findingId('r', 'result', object(1), 1));
    expect(findingId('r', 'result', object(1), 1)).not.toBe(findingId('r', 'result', object(1), 2));
    expect(findingId('r', 'updated', object(1), 1, { a: { from: 1, to: 2 } })).not.toBe(findingId('r', 'updated', object(1), 1, { a: { from: 1, to: 3 } }));
    expect(findingId('r', 'result', object(1), 1)).toMatch(/^[0-9a-f]{32}$/);
  });
});
