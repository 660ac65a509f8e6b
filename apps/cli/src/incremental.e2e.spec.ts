import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, type FaultRule, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { runCli } from './testing/cli-runner';

/**
 * `sync --mode` as users run it: the built CLI against one simulator (changed through its control
 * API between syncs, which records the Directory Insights events), into SQLite.
 */
let dir: string;
let sim: JumpCloudSimulator | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-incremental-'));
});
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: { directoryInsights?: boolean; faults?: FaultRule[] } = {}): Promise<JumpCloudSimulator> {
  sim = new JumpCloudSimulator({ dataset: createDataset({ seed: 11, users: 60 }), ...options });
  await sim.start();
  return sim;
}

const envFor = (s: JumpCloudSimulator, db: string, extra: Record<string, string> = {}) => ({ JUMPCLOUD_API_KEY: s.apiKey, JUMPCLOUD_BASE_URL: s.baseUrl, JUMPCLOUD_GRAPH_DB: db, ...extra });

interface Summary {
  status: string;
  mode: string;
  fullReason?: string;
  apiRequests: number;
  runId: string;
  incremental?: { events: number; reread: number; deleted: number; listsReread: number; unresolved: number; lastLogins: number };
  watermarks?: Record<string, string>;
}

/** Lets the wall clock pass the last recorded event (a burst of changes is stamped a millisecond apart). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('sync --mode', () => {
  it('incremental without a previous sync exits 2 with one line saying to run a full sync first, and creates nothing', async () => {
    const s = await start();
    const db = join(dir, 'graph.db');
    const run = await runCli(['sync', '--mode', 'incremental', '--json'], envFor(s, db));
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n').pop()).toMatch(/^jumpcloud-graph: an incremental sync cannot run: no previous sync: run a full sync first$/);
    expect(existsSync(db)).toBe(false);
  });

  it('auto: a full sync first, then only what changed, committed as a run that diff, query and export see like any other', async () => {
    const s = await start();
    const db = join(dir, 'graph.db');
    const full = await runCli(['sync', '--json'], envFor(s, db));
    expect(full.status).toBe(0);
    const first = JSON.parse(full.stdout) as Summary;
    expect(first).toMatchObject({ status: 'success', mode: 'full', fullReason: 'no previous sync: run a full sync first' });
    const [org] = s.dataset.organizations;
    expect(Object.keys(first.watermarks ?? {})).toEqual([org.organization._id]);

    const [changed, removed, joining, loggingIn] = org.users.filter((u) => u.state === 'ACTIVATED').slice(0, 4);
    const group = org.userGroups.find((g) => !(org.userGroupMembers.get(g.id) ?? []).some((m) => m.to.id === joining._id));
    if (!group) throw new Error('no group without the joining user');
    s.control.updateUser(changed._id, { jobTitle: 'Chief Incremental Officer' });
    s.control.deleteUser(removed._id);
    s.control.addUserGroupMember(group.id, joining._id);
    s.control.login(loggingIn._id, 'radius');
    await settle();

    const next = await runCli(['sync', '--json'], envFor(s, db));
    expect(next.status).toBe(0);
    const second = JSON.parse(next.stdout) as Summary;
    expect(second).toMatchObject({ status: 'success', mode: 'incremental', incremental: { reread: 1, deleted: 1, listsReread: 1, unresolved: 0, lastLogins: 1 } });
    expect(second.fullReason).toBeUndefined();
    // the organizations, one Directory Insights page, one user, one member list
    expect(second.apiRequests).toBeLessThanOrEqual(6);
    expect(first.apiRequests).toBeGreaterThan(5 * second.apiRequests);

    const diff = JSON.parse((await runCli(['diff', '--db', db, '--json'])).stdout) as { entities: Record<string, { created: string[]; updated: string[]; deleted: string[] }>; relationships: Record<string, { created: string[]; deleted: string[] }> };
    expect(diff.entities['jumpcloud_user']?.deleted).toEqual([removed._id]);
    expect(diff.entities['jumpcloud_user']?.updated.sort()).toEqual([changed._id, loggingIn._id].sort());
    expect(diff.relationships['jumpcloud_group_has_user']?.created).toHaveLength(1);

    const query = await runCli(['query', '--db', db, '--format', 'json', `FIND jumpcloud_user WITH _key = '${loggingIn._id}'`]);
    expect(query.status).toBe(0);
    const [user] = (JSON.parse(query.stdout) as { rows: Array<Record<string, unknown>> }).rows;
    expect(user).toMatchObject({ lastLoginService: 'radius' });
    expect(typeof user['lastLoginOn']).toBe('number');
  });

  it('a Directory Insights outage fails the incremental run (exit 1) with the stored graph untouched; auto then runs a full sync', async () => {
    const s = await start();
    const db = join(dir, 'graph.db');
    expect((await runCli(['sync', '--json'], envFor(s, db))).status).toBe(0);
    const exported = (await runCli(['export', '--db', db])).stdout;
    s.control.updateUser(s.dataset.organizations[0].users[0]._id, { jobTitle: 'Never seen' });
    s.addFault({ kind: 'server-error', status: 503, endpoint: /\/insights\/directory\/v1\/events$/ });
    await settle();

    const failed = await runCli(['sync', '--mode', 'incremental', '--json'], envFor(s, db));
    expect(failed.status).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failure' });
    expect((await runCli(['export', '--db', db])).stdout).toBe(exported);

    // Directory Insights is still down: auto reads everything instead (logins are not read; one warning)
    const auto = await runCli(['sync', '--json'], envFor(s, db));
    expect(auto.status).toBe(0);
    expect(JSON.parse(auto.stdout)).toMatchObject({ mode: 'full', fullReason: expect.stringContaining('the last incremental sync failed') });
  });

  it('Directory Insights refused (403): auto falls back to a full sync with one warning; incremental exits 2', async () => {
    const s = await start();
    const [auto, incremental] = [join(dir, 'auto.db'), join(dir, 'incremental.db')];
    for (const db of [auto, incremental]) expect((await runCli(['sync', '--json'], envFor(s, db))).status).toBe(0);
    s.addFault({ kind: 'server-error', status: 403, endpoint: /\/insights\/directory\/v1\/events$/ });

    const fallback = await runCli(['sync', '--log-level', 'warn'], envFor(s, auto));
    expect(fallback.status).toBe(0);
    const warnings = fallback.stderr.split('\n').filter((line) => line.includes('running a full sync instead of an incremental one'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Directory Insights is not available');
    const store = LocalGraphStore.open(auto, { create: false });
    try {
      expect(store.listRuns().map((run) => [run.status, run.mode])).toEqual([
        ['committed', 'full'],
        ['aborted', 'incremental'],
        ['committed', 'full'],
      ]);
    } finally {
      store.close();
    }

    const refused = await runCli(['sync', '--mode', 'incremental', '--json'], envFor(s, incremental));
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n').pop()).toMatch(/^jumpcloud-graph: an incremental sync cannot run: Directory Insights is not available: /);
  });

  it('a plan without Directory Insights: full syncs record no watermark, so auto stays full and incremental exits 2', async () => {
    const s = await start({ directoryInsights: false });
    const db = join(dir, 'graph.db');
    const full = await runCli(['sync', '--mode', 'full', '--json'], envFor(s, db));
    expect(full.status).toBe(0);
    expect(JSON.parse(full.stdout)).toMatchObject({ mode: 'full', watermarks: {} });
    const incremental = await runCli(['sync', '--mode', 'incremental', '--json'], envFor(s, db));
    expect(incremental.status).toBe(2);
    expect(incremental.stderr).toMatch(/an incremental sync cannot run: organization \S+ has no Directory Insights watermark/);
    const auto = await runCli(['sync', '--json'], envFor(s, db));
    expect(JSON.parse(auto.stdout)).toMatchObject({ mode: 'full' });
  });
});

describe('sync --mode with --target jupiterone and --db as the state', () => {
  let fake: JupiterOneFake;
  beforeEach(async () => {
    fake = new JupiterOneFake({ bodyLimitBytes: 6_000_000 });
    await fake.start();
  });
  afterEach(() => fake.stop());

  const j1 = (s: JumpCloudSimulator, db: string, extra: Record<string, string> = {}) => ({
    ...envFor(s, db, extra),
    JUMPCLOUD_GRAPH_TARGET: 'jupiterone',
    JUPITERONE_API_KEY: fake.apiKey,
    JUPITERONE_ACCOUNT: fake.account,
    JUPITERONE_API_BASE_URL: fake.baseUrl,
  });
  const sorted = (objects: Array<Record<string, unknown>>) => [...objects].sort((a, b) => String(a['_key']).localeCompare(String(b['_key'])));

  it('publishes the whole graph an incremental run leaves as one DIFF job: JupiterOne ends as a full sync would leave it', async () => {
    const s = await start();
    const db = join(dir, 'state.db');
    const scope = { scope: `jumpcloud-graph:${s.dataset.organizations[0].organization._id}` };
    const full = await runCli(['sync', '--json', '--wait'], j1(s, db));
    expect(full.status).toBe(0);
    expect(JSON.parse(full.stdout)).toMatchObject({ mode: 'full' });

    const [org] = s.dataset.organizations;
    const [changed, removed] = org.users.filter((u) => u.state === 'ACTIVATED');
    s.control.updateUser(changed._id, { jobTitle: 'Published incrementally' });
    s.control.deleteUser(removed._id);
    await settle();
    const incremental = await runCli(['sync', '--json', '--wait'], j1(s, db));
    expect(incremental.status).toBe(0);
    const summary = JSON.parse(incremental.stdout) as Summary & { job: Record<string, unknown> };
    expect(summary).toMatchObject({ mode: 'incremental', incremental: { reread: 1, deleted: 1 } });
    expect(summary.apiRequests).toBeLessThanOrEqual(5);
    // JupiterOne deleted exactly the user (and its edges), and holds what a full sync of the same state sends
    expect(summary.job).toMatchObject({ status: 'FINISHED', entitiesDeleted: 1, entitiesCreated: 0 });
    const afterIncremental = fake.graph(scope);
    expect(afterIncremental.entities.some((e) => e['_key'] === removed._id)).toBe(false);
    expect(afterIncremental.entities.find((e) => e['_key'] === changed._id)).toMatchObject({ jobTitle: 'Published incrementally' });

    const check = await runCli(['sync', '--json', '--wait', '--mode', 'full'], j1(s, join(dir, 'other.db')));
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout).job).toMatchObject({ entitiesCreated: 0, entitiesUpdated: 0, entitiesDeleted: 0, relationshipsCreated: 0, relationshipsDeleted: 0 });
    const afterFull = fake.graph(scope);
    expect(sorted(afterFull.entities)).toEqual(sorted(afterIncremental.entities));
    expect(sorted(afterFull.relationships)).toEqual(sorted(afterIncremental.relationships));
  });

  it('without --db: auto runs full, incremental exits 2', async () => {
    const s = await start();
    const env = { ...j1(s, ''), JUMPCLOUD_GRAPH_DB: '' };
    delete (env as Record<string, string | undefined>)['JUMPCLOUD_GRAPH_DB'];
    const auto = await runCli(['sync', '--json', '--wait'], env);
    expect(auto.status).toBe(0);
    expect(JSON.parse(auto.stdout)).toMatchObject({ mode: 'full' });
    const incremental = await runCli(['sync', '--json', '--mode', 'incremental'], env);
    expect(incremental.status).toBe(2);
    expect(incremental.stderr).toContain('--db');
  });
});

