import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileJ1ql, type GraphData, InMemoryGraphEngine } from '@jumpcloud-graph/graph-query';
import { runCli } from './testing/cli-runner';

/**
 * The built-in questions on the demo's sample organization (seed 1, 200 users), answered as of
 * the simulator's reference time (its dates are relative to 2025-06-01), so every count is fixed.
 * Each answer is also checked against graph-query's in-memory engine over the same run's export.
 */
const AS_OF = '2025-06-01T00:00:00Z';
const EXPECTED: Record<string, number[]> = {
  'jumpcloud-active-users-without-mfa': [70],
  'jumpcloud-users-with-mfa-exclusion': [1],
  'jumpcloud-users-password-never-expires': [18],
  'jumpcloud-users-password-expired': [1],
  // last logins come from the simulator's past logins, placed relative to the time of the sync
  'jumpcloud-active-users-without-recent-login': [135],
  'jumpcloud-locked-accounts': [1],
  'jumpcloud-admin-users': [1],
  'jumpcloud-users-passwordless-sudo': [8],
  'jumpcloud-inactive-users-with-access': [5, 6],
  'jumpcloud-application-access': [90, 45],
  'jumpcloud-application-certificates-expiring': [2],
  'jumpcloud-empty-groups': [1],
  'jumpcloud-groups-without-application-access': [5],
  'jumpcloud-groups-passwordless-sudo': [1],
  'jumpcloud-users-with-sudo-on-devices': [9, 2],
  // System Insights' volumes where it has some (the agent's flag alone said 53)
  'jumpcloud-devices-not-encrypted': [42],
  'jumpcloud-devices-not-seen-30-days': [1],
  'jumpcloud-devices-without-users': [1],
  'jumpcloud-devices-root-ssh': [1],
  'jumpcloud-devices-ssh-passwords': [36],
  'jumpcloud-devices-failing-policies': [11, 11],
  'jumpcloud-devices-without-policies': [22, 55],
};

interface RunJson {
  questions: { id: string; bad: number; queries: { name: string; query: string; count: number; columns: string[]; rows: Record<string, unknown>[] }[] }[];
  bad: number;
}

let dir = '';
let db = '';
let graph: GraphData;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-questions-'));
  db = join(dir, 'demo.db');
  const demo = await runCli(['demo', '--db', db]);
  expect(demo.status).toBe(0);
  graph = JSON.parse((await runCli(['export', '--db', db])).stdout) as GraphData;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('questions', () => {
  it('lists at least 15 built-in questions, each with a title and a query', async () => {
    const run = await runCli(['questions', 'list', '--json']);
    expect(run.status).toBe(0);
    const { questions } = JSON.parse(run.stdout) as { questions: { id: string; title: string; queries: unknown[] }[] };
    expect(questions.map((q) => q.id).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(questions.length).toBeGreaterThanOrEqual(15);
  });

  it('answers every built-in question with its exact count, as the in-memory engine does', async () => {
    const run = await runCli(['questions', 'run', '--db', db, '--json', '--now', AS_OF, '--limit', '5']);
    expect(run.status).toBe(0);
    const answer = JSON.parse(run.stdout) as RunJson;
    const counts = Object.fromEntries(answer.questions.map((q) => [q.id, q.queries.map((query) => query.count)]));
    expect(counts).toEqual(EXPECTED);
    const engine = new InMemoryGraphEngine(graph);
    for (const question of answer.questions) {
      for (const query of question.queries) {
        const expected = await engine.execute(compileJ1ql(query.query, { nowMs: Date.parse(AS_OF) }), { maxRows: 5 });
        expect({ id: question.id, query: query.name, count: query.count, rows: query.rows }).toEqual({ id: question.id, query: query.name, count: expected.total, rows: expected.rows });
      }
    }
  });

  it('--check exits 3 when a BAD question has results, 0 when none has; a tag selects', async () => {
    const bad = await runCli(['questions', 'run', '--db', db, '--now', AS_OF, '--check', 'jumpcloud-active-users-without-mfa']);
    expect(bad.status).toBe(3);
    expect(bad.stdout).toContain('jumpcloud-active-users-without-mfa: Which active users have no multi-factor authentication?\n  bad (BAD): 70 results');
    // results of INFORMATIVE questions are no findings
    const clean = await runCli(['questions', 'run', '--db', db, '--now', AS_OF, '--check', 'jumpcloud-empty-groups', 'jumpcloud-application-access']);
    expect(clean.status).toBe(0);
    // a BAD question with no result as of a time before every device went silent
    const early = await runCli(['questions', 'run', '--db', db, '--now', '2025-02-01T00:00:00Z', '--check', 'jumpcloud-devices-not-seen-30-days']);
    expect([early.status, early.stdout.includes('stale (BAD): 0 results')]).toEqual([0, true]);
    const tagged = JSON.parse((await runCli(['questions', 'run', '--db', db, '--json', '--tag', 'mfa'])).stdout) as RunJson;
    expect(tagged.questions.map((q) => q.id)).toEqual(['jumpcloud-active-users-without-mfa', 'jumpcloud-users-with-mfa-exclusion']);
  });

  it('merges --questions by id, and refuses a bad file or an unknown id (exit 2)', async () => {
    const file = join(dir, 'ours.yaml');
    writeFileSync(
      file,
      'questions:\n  - id: jumpcloud-admin-users\n    title: Admins, our way\n    queries:\n      - query: FIND jumpcloud_user WITH isAdmin = true OR username = "adam.admin"\n        resultsAre: BAD\n  - id: ours-staged-users\n    title: Staged users\n    tags: [ours]\n    queries:\n      - query: FIND jumpcloud_user WITH state = "staged"\n',
    );
    const run = JSON.parse((await runCli(['questions', 'run', '--db', db, '--json', '--questions', file, 'jumpcloud-admin-users', 'ours-staged-users'])).stdout) as RunJson;
    expect(run.questions.map((q) => [q.id, q.bad, q.queries[0].count])).toEqual([
      ['jumpcloud-admin-users', 1, 1],
      ['ours-staged-users', 0, 11],
    ]);
    writeFileSync(file, 'questions:\n  - id: broken\n    title: Broken\n    queries:\n      - query: FIND UNIQUE jumpcloud_user\n');
    const broken = await runCli(['questions', 'list', '--questions', file]);
    expect([broken.status, broken.stderr]).toEqual([2, `jumpcloud-graph: ${file}: broken: query1: J1QL: FIND UNIQUE is not supported (column 6)\n`]);
    const unknown = await runCli(['questions', 'run', '--db', db, 'no-such-question']);
    expect([unknown.status, unknown.stderr]).toEqual([2, 'jumpcloud-graph: no question no-such-question (questions list shows them all)\n']);
  });
});
