import { parseQuestions } from '@jumpcloud-graph/graph-query';
import { AlertRulesError, parseRules, ruleSecrets } from './rules';

const QUESTIONS = parseQuestions(
  `questions:
  - id: users-without-mfa
    title: Which active users have no MFA?
    tags: [mfa]
    queries:
      - name: bad
        query: FIND jumpcloud_user WITH active = true AND mfaEnabled != true
        resultsAre: BAD
      - name: all
        query: FIND jumpcloud_user
        resultsAre: INFORMATIVE
  - id: only-informative
    title: Users
    tags: []
    queries:
      - name: all
        query: FIND jumpcloud_user
`,
  'questions.yaml',
);

const parse = (text: string) => parseRules(text, 'rules.yaml', QUESTIONS);
const refused = (text: string): string => {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(AlertRulesError);
    return (error as Error).message;
  }
  throw new Error('the rules were accepted');
};

describe('parseRules', () => {
  it('reads query, question and change rules with their defaults', () => {
    const rules = parse(`rules:
  - id: no-mfa
    name: Active user without MFA
    severity: HIGH
    query: FIND jumpcloud_user WITH active = true AND mfaEnabled != true
    actions:
      - type: webhook
        url: https://hooks.example.com/T000/B000/XXXX
        format: slack
        secretEnv: ALERT_WEBHOOK_SECRET
  - id: question
    name: From the question
    severity: MEDIUM
    question: users-without-mfa
    trigger: { count-above: 5 }
  - id: title
    name: Job title changed
    severity: LOW
    change: { type: jumpcloud_user, kind: updated, properties: [jobTitle] }
`);
    expect(rules).toEqual([
      {
        kind: 'query',
        id: 'no-mfa',
        name: 'Active user without MFA',
        severity: 'HIGH',
        trigger: { kind: 'new-results' },
        queries: [{ name: 'query', query: 'FIND jumpcloud_user WITH active = true AND mfaEnabled != true' }],
        actions: [{ type: 'webhook', url: 'https://hooks.example.com/T000/B000/XXXX', format: 'slack', secretEnv: 'ALERT_WEBHOOK_SECRET' }],
      },
      {
        kind: 'query',
        id: 'question',
        name: 'From the question',
        severity: 'MEDIUM',
        trigger: { kind: 'count-above', count: 5 },
        question: 'users-without-mfa',
        // the question's BAD queries only
        queries: [{ name: 'bad', query: 'FIND jumpcloud_user WITH active = true AND mfaEnabled != true' }],
        actions: [],
      },
      { kind: 'change', id: 'title', name: 'Job title changed', severity: 'LOW', change: { type: 'jumpcloud_user', kind: 'updated', properties: ['jobTitle'] }, actions: [] },
    ]);
  });

  it('takes JSON too, and any-results', () => {
    const rules = parse(JSON.stringify({ rules: [{ id: 'a', name: 'A', severity: 'INFO', query: 'FIND jumpcloud_device', trigger: 'any-results', actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }] }] }));
    expect(rules[0]).toMatchObject({ trigger: { kind: 'any-results' }, actions: [{ format: 'json', url: 'http://127.0.0.1:9/hook' }] });
  });

  it.each([
    ['not YAML', 'rules: [', /rules\.yaml: not YAML or JSON/],
    ['no rules list', 'other: 1', /rules\.yaml: .*rules/],
    ['two kinds in one rule', 'rules: [{id: a, name: A, severity: LOW, query: FIND jumpcloud_user, change: {type: x, kind: created}}]', /rules\[0\] \(a\): a rule has exactly one of query, question or change/],
    ['an unknown severity', 'rules: [{id: a, name: A, severity: URGENT, query: FIND jumpcloud_user}]', /rules\[0\] \(a\): severity: /],
    ['an unknown key', 'rules: [{id: a, name: A, severity: LOW, query: FIND jumpcloud_user, when: always}]', /rules\[0\] \(a\): .*when/],
    ['a query outside the subset', 'rules: [{id: a, name: A, severity: LOW, query: "FIND jumpcloud_user WITH"}]', /rules\[0\] \(a\): query: J1QL/],
    ['a query that returns columns', 'rules: [{id: a, name: A, severity: LOW, query: "FIND jumpcloud_user AS u RETURN u.email"}]', /returns columns; a rule's query returns entities/],
    ['an unknown question', 'rules: [{id: a, name: A, severity: LOW, question: nope}]', /no question nope/],
    ['a question without BAD queries', 'rules: [{id: a, name: A, severity: LOW, question: only-informative}]', /has no BAD query/],
    ['an id used twice', 'rules: [{id: a, name: A, severity: LOW, query: FIND jumpcloud_user}, {id: a, name: B, severity: LOW, query: FIND jumpcloud_user}]', /rules\[1\] \(a\): the id a is used twice/],
    ['properties on a deletion', 'rules: [{id: a, name: A, severity: LOW, change: {type: jumpcloud_user, kind: deleted, properties: [x]}}]', /properties only go with kind: updated/],
    ['an http webhook to another host', 'rules: [{id: a, name: A, severity: LOW, query: FIND jumpcloud_user, actions: [{type: webhook, url: "http://hooks.example.com/x"}]}]', /actions\.0\.url: the webhook URL is http:\/\/ to hooks\.example\.com/],
    ['credentials in a webhook URL', 'rules: [{id: a, name: A, severity: LOW, query: FIND jumpcloud_user, actions: [{type: webhook, url: "https://u:p@hooks.example.com/x"}]}]', /must not carry credentials/],
  ])('refuses %s, in one line', (_what, text, message) => {
    const error = refused(text);
    expect(error).toMatch(message);
    expect(error).not.toContain('\n');
  });

  it('reads the secrets the actions name from the environment given, and refuses one unset', () => {
    const rules = parse(`rules:
  - { id: a, name: A, severity: LOW, query: FIND jumpcloud_user, actions: [{ type: webhook, url: "https://h.example.com/1", secretEnv: S1 }, { type: webhook, url: "https://h.example.com/2" }] }
`);
    expect(ruleSecrets(rules, { S1: 'one', OTHER: 'x' }, 'rules.yaml')).toEqual({ S1: 'one' });
    expect(() => ruleSecrets(rules, { S1: '' }, 'rules.yaml')).toThrow(new AlertRulesError('rules.yaml: rule a: secretEnv S1 is not set in the environment'));
  });
});
