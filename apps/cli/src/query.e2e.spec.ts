import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileJ1ql, InMemoryGraphEngine, type GraphData } from '@jumpcloud-graph/graph-query';
import { createDataset } from '@jumpcloud-graph/jumpcloud-simulator';
import { type QueryJson } from './commands/query.command';
import { runCli } from './testing/cli-runner';
import { simulatorRuns } from './testing/simulator-runs';

/**
 * `query` as users run it: the built CLI on a database a real sync of the simulator wrote. Its
 * answers are checked against graph-query's in-memory engine over the same run's export, an
 * engine that shares no code with the SQL one.
 */
let dir = '';
let db = '';
let graph: GraphData;
const { withSimulator } = simulatorRuns();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-query-'));
  db = join(dir, 'graph.db');
  await withSimulator(createDataset({ seed: 7, users: 120 }), async (sim) => {
    const run = await runCli(['sync', '--quiet'], { JUMPCLOUD_API_KEY: sim.apiKey, JUMPCLOUD_BASE_URL: sim.baseUrl, JUMPCLOUD_GRAPH_DB: db });
    expect(run.status).toBe(0);
  });
  const exported = await runCli(['export', '--db', db]);
  graph = JSON.parse(exported.stdout) as GraphData;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const query = (...args: string[]) => runCli(['query', '--db', db, ...args]);

describe('query', () => {
  it.each([
    'FIND jumpcloud_user WITH active = true AND mfaEnabled != true',
    'FIND jumpcloud_user AS u THAT HAS << jumpcloud_group AS g THAT ASSIGNED >> jumpcloud_application AS a RETURN u.username, g.name, a.name',
    'FIND jumpcloud_device AS d RETURN d.osName, COUNT(d) AS devices',
    'FIND jumpcloud_user THAT !IS Person',
    'FIND jumpcloud_group THAT !HAS jumpcloud_user',
    'FIND jumpcloud_user AS u WITH email ~= "@ACME" ORDER BY u.username DESC LIMIT 5',
  ])('answers %s as the in-memory engine does on the same run (--format json)', async (text) => {
    const run = await query('--format', 'json', '--limit', '50', text);
    expect(run.status).toBe(0);
    const answer = JSON.parse(run.stdout) as QueryJson;
    const expected = await new InMemoryGraphEngine(graph).execute(compileJ1ql(text), { maxRows: 50 });
    expect({ count: answer.count, columns: answer.columns, rows: answer.rows }).toEqual({ count: expected.total, columns: expected.columns, rows: expected.rows });
    expect(answer.query).toBe(text);
  });

  it('finds something for the questions above (the sample data has such users and groups)', async () => {
    const run = await query('--format', 'json', 'FIND jumpcloud_user WITH active = true AND mfaEnabled != true');
    expect((JSON.parse(run.stdout) as QueryJson).count).toBeGreaterThan(0);
  });

  it('prints a table with a row count, csv with a header row, and "no results"', async () => {
    const table = await query('FIND jumpcloud_user AS u WITH username ^= "a" RETURN u.username ORDER BY u.username LIMIT 2');
    const [header, rule] = table.stdout.split('\n');
    expect(header).toBe('u.username');
    expect(rule).toMatch(/^-{10,}$/);
    expect(table.stdout).toMatch(/\n2 rows\n$/);
    const csv = await query('--format', 'csv', 'FIND jumpcloud_user AS u RETURN u.username, u.email LIMIT 1');
    expect(csv.stdout).toMatch(/^u\.username,u\.email\r\n[^\r\n]+,"\[""[^"]+""\]"\r\n$/);
    const none = await query('FIND jumpcloud_user WITH username = "nobody-at-all"');
    expect([none.status, none.stdout]).toEqual([0, 'no results\n']);
  });

  it('cuts the rows at --limit and still counts them all', async () => {
    const run = await query('--format', 'json', '--limit', '3', 'FIND jumpcloud_user');
    const answer = JSON.parse(run.stdout) as QueryJson;
    expect(answer.rows).toHaveLength(3);
    expect(answer.count).toBe(graph.entities.filter((e) => e._type === 'jumpcloud_user').length);
  });

  it('refuses a query outside the subset with its column and a caret (exit 2), reading nothing', async () => {
    const run = await query('FIND jumpcloud_user AS u RETURN MAX(u.unixUid)');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`jumpcloud-graph: J1QL: the MAX aggregate is not supported (column 33)\n  FIND jumpcloud_user AS u RETURN MAX(u.unixUid)\n  ${' '.repeat(32)}^\n`);
    expect(run.stdout).toBe('');
    const bad = await query('--limit', 'many', 'FIND User');
    expect(bad.status).toBe(2);
  });

  it('exits 1 on a missing database or one with no finished sync, and 2 on a file that is not one', async () => {
    const missing = await runCli(['query', '--db', join(dir, 'none.db'), 'FIND User']);
    expect([missing.status, missing.stderr]).toEqual([1, `jumpcloud-graph: --db ${join(dir, 'none.db')} does not exist; run sync (or demo) first\n`]);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database');
    const foreign = await runCli(['query', '--db', text, 'FIND User']);
    expect(foreign.status).toBe(2);
  });
});
