import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDataset, type DatasetOptions, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { answerQuestion, builtInQuestions, compileJ1ql } from '@jumpcloud-graph/graph-query';
import { JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { LocalGraphStore } from '@jumpcloud-graph/local-graph';
import Database from 'better-sqlite3';
import { requestBounds } from './request-bounds';
import { printTable } from './print-table';

/**
 * Syncs the simulator at sizes S, M and L with the built CLI (a separate process, so its peak RSS
 * and CPU time are its own) and prints, per size: the requests the simulator answered against the
 * minimum the data needs (computed from the dataset alone, see request-bounds.ts), the most
 * requests in flight, wall time against the lower limit (the larger of the request-bound limit,
 * minimum x latency / concurrency, and the critical path, its rounds x latency), CPU time per
 * 10,000 objects and peak RSS. With `--baseline-cli`, each size is synced by another build too and
 * the two compared. Figures, not assertions: machines are noisy.
 */
const SIZES: Record<string, DatasetOptions> = {
  S: { users: 1_000, groups: 20, membersPerGroup: 50, applications: 10, assignmentsPerApplication: 20, systems: 500, systemGroups: 10, membersPerSystemGroup: 50, policies: 7, systemsPerPolicy: 25 },
  M: { users: 10_000, groups: 200, membersPerGroup: 250, applications: 50, assignmentsPerApplication: 100, systems: 2_000, systemGroups: 50, membersPerSystemGroup: 100, policies: 14, systemsPerPolicy: 100, systemGroupsPerPolicy: 2 },
  L: { users: 50_000, groups: 1_000, membersPerGroup: 250, applications: 200, assignmentsPerApplication: 250, systems: 10_000, systemGroups: 100, membersPerSystemGroup: 100, policies: 21, systemsPerPolicy: 500, systemGroupsPerPolicy: 2 },
};
const CONCURRENCY = 8;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: 'S,M,L' },
    'latency-ms': { type: 'string', default: '20' },
    /** Sizes also synced to the JupiterOne fake, for upload throughput. */
    'jupiterone-sizes': { type: 'string', default: 'L' },
    /**
     * Another build of the CLI (its main.js, e.g. a worktree of an earlier commit): each size is
     * synced with it too, right after this build, against the same simulator, and the ratios
     * after / before are printed.
     */
    'baseline-cli': { type: 'string' },
    /** Sizes whose local graph is also queried (docs/query.md's targets). */
    'query-sizes': { type: 'string', default: 'M,L' },
    /** Sizes synced again incrementally after 10 changes (docs/cli.md's targets: at most 40 requests, under 2 s). */
    'incremental-sizes': { type: 'string', default: 'L' },
  },
});
const latencyMs = Number(values['latency-ms']);
const baselineCli = values['baseline-cli'] ? resolve(values['baseline-cli']) : undefined;
const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'dist/apps/cli/main.js');

interface SyncJson {
  status: string;
  mode?: string;
  incremental?: { events: number; reread: number; deleted: number; listsReread: number; unresolved: number; lastLogins: number };
  entities: Record<string, number>;
  relationships: Record<string, number>;
  apiRequests: number;
  retries: number;
  uploads?: { batches: number; bytes: number; objects: number; retries: number; splits: number };
}

interface Rusage {
  maxRssKb: number;
  cpuMs: number;
}

function runSync(
  sim: JumpCloudSimulator,
  env: Record<string, string>,
  rusageFile: string,
  cliPath = cli,
): Promise<{ summary: SyncJson; wallMs: number }> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliPath, 'sync', '--json', '--quiet', '--log-level', 'error', '--concurrency', String(CONCURRENCY)], {
      env: {
        PATH: process.env['PATH'] ?? '',
        JUMPCLOUD_API_KEY: sim.apiKey,
        JUMPCLOUD_BASE_URL: sim.baseUrl,
        BENCH_RUSAGE_FILE: rusageFile,
        NODE_OPTIONS: `--require ${join(root, 'tools/bench/report-rusage.cjs')}`,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`sync exited ${code}: ${stderr.trim().split('\n').pop()}`));
      resolvePromise({ summary: JSON.parse(stdout) as SyncJson, wallMs: performance.now() - started });
    });
  });
}

const objectsOf = (summary: SyncJson) => [...Object.values(summary.entities), ...Object.values(summary.relationships)].reduce((a, b) => a + b, 0);

/**
 * The same sync published to the JupiterOne fake (in this process, beside the simulator):
 * uploads, batches, bytes and objects per second over the whole run.
 */
async function runJupiterOne(size: string, sim: JumpCloudSimulator, dir: string): Promise<string[]> {
  const fake = new JupiterOneFake();
  await fake.start();
  try {
    const env = {
      JUMPCLOUD_GRAPH_TARGET: 'jupiterone',
      JUPITERONE_API_KEY: fake.apiKey,
      JUPITERONE_ACCOUNT: fake.account,
      JUPITERONE_API_BASE_URL: fake.baseUrl,
    };
    const { summary, wallMs } = await runSync(sim, env, join(dir, 'rusage-j1.json'));
    const { maxRssKb } = JSON.parse(readFileSync(join(dir, 'rusage-j1.json'), 'utf8')) as Rusage;
    const uploads = summary.uploads ?? { batches: 0, bytes: 0, objects: 0, retries: 0, splits: 0 };
    const stored = fake.jobs().at(-1);
    return [
      size,
      String(uploads.objects),
      String(uploads.batches),
      (uploads.bytes / 1_000_000).toFixed(1),
      String(Math.max(...fake.requests().filter((r) => r.endpoint === 'entities' || r.endpoint === 'relationships').map((r) => r.bytes))),
      (wallMs / 1000).toFixed(2),
      String(Math.round(uploads.objects / (wallMs / 1000))),
      String(uploads.retries + uploads.splits),
      stored?.status ?? 'none',
      (maxRssKb / 1024).toFixed(0),
    ];
  } finally {
    await fake.stop();
  }
}

/** Median wall time of `runs` calls of `work` (after one call to warm the database's pages up). */
async function medianMs(work: () => unknown, runs = 5): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/**
 * Queries on the database a sync just wrote: the targets of docs/query.md, each against the floor
 * of a plain `SELECT count(*)` over the same view (what reading the rows costs at all).
 */
async function runQueries(size: string, db: string): Promise<string[][]> {
  const store = LocalGraphStore.open(db, { create: false });
  const raw = new Database(db, { readonly: true });
  try {
    const engine = store.queryEngine();
    const floor = (view: string) => medianMs(() => raw.prepare(`SELECT count(*) FROM ${view}`).get());
    const [userFloor, relationshipFloor] = [await floor('jumpcloud_user'), await floor('relationships')];
    const app = (raw.prepare('SELECT name FROM jumpcloud_application ORDER BY _key LIMIT 1').get() as { name: string }).name;
    const rows: string[][] = [];
    const measure = async (what: string, text: string, targetMs: number, floorMs: number) => {
      const plan = compileJ1ql(text);
      const result = await engine.execute(plan, { maxRows: 1000 });
      const ms = await medianMs(() => engine.execute(plan, { maxRows: 1000 }));
      rows.push([size, what, String(result.total), ms.toFixed(1), String(targetMs), floorMs.toFixed(1), (ms / floorMs).toFixed(1)]);
    };
    await measure('filter', 'FIND jumpcloud_user WITH active = true AND mfaEnabled != true', 150, userFloor);
    await measure('count', 'FIND jumpcloud_user AS u WITH active = true RETURN COUNT(u)', 150, userFloor);
    await measure('two hops', `FIND jumpcloud_user THAT HAS jumpcloud_group THAT ASSIGNED jumpcloud_application WITH name = ${JSON.stringify(app)}`, 400, relationshipFloor);
    const questions = builtInQuestions(join(root, 'libs/graph-query/questions'));
    let found = 0;
    const nowMs = Date.now();
    const all = await medianMs(async () => {
      found = 0;
      for (const question of questions) found += (await answerQuestion(engine, question, { nowMs, maxRows: 1000 })).queries.reduce((n, q) => n + q.result.total, 0);
    }, 3);
    rows.push([size, `all ${questions.length} questions`, String(found), all.toFixed(1), '3000', (userFloor + relationshipFloor).toFixed(1), (all / (userFloor + relationshipFloor)).toFixed(1)]);
    return rows;
  } finally {
    raw.close();
    store.close();
  }
}

/**
 * What the read model costs a sync: the graph just synced written again into a fresh store in
 * this process (batches of 1,000, as the sync writes them), and its `finish` timed (indexes for
 * diff and queries, views, commit); median of 3.
 */
async function runFinish(size: string, db: string, dir: string): Promise<string[]> {
  const source = LocalGraphStore.open(db, { create: false });
  const { entities, relationships } = source.exportGraph();
  source.close();
  const writes: number[] = [];
  const finishes: number[] = [];
  for (let round = 0; round < 3; round++) {
    const path = join(dir, `finish-${round}.db`);
    const store = LocalGraphStore.open(path, {});
    try {
      const session = await store.openSession({ description: 'bench finish' });
      const started = performance.now();
      for (let i = 0; i < entities.length; i += 1000) await session.writeEntities(entities.slice(i, i + 1000));
      for (let i = 0; i < relationships.length; i += 1000) await session.writeRelationships(relationships.slice(i, i + 1000));
      const written = performance.now();
      await session.finish({ partialTypes: [] });
      writes.push(written - started);
      finishes.push(performance.now() - written);
    } finally {
      store.close();
      rmSync(path, { force: true });
      rmSync(`${path}-wal`, { force: true });
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[1];
  return [size, String(entities.length + relationships.length), (median(writes) / 1000).toFixed(2), median(finishes).toFixed(0)];
}

/**
 * Ten changes made through the simulator's control API (which records the Directory Insights
 * events a directory would), of the kinds a directory sees every day: users created, changed and
 * deleted, memberships, a binding with sudo, a device renamed, a group renamed, and a login.
 */
function tenChanges(sim: JumpCloudSimulator): void {
  const [org] = sim.dataset.organizations;
  const control = sim.control;
  const [u1, u2, u3, u4, u5] = org.users.slice(-5);
  const group = org.userGroups[0];
  const system = org.systems[0];
  const created = control.createUser({ username: 'bench.new', email: 'bench.new@bench.example.com', firstname: 'Bench', lastname: 'New' });
  control.updateUser(u1._id, { jobTitle: 'Staff Engineer' });
  control.updateUser(u2._id, { department: 'Security' });
  control.deleteUser(u3._id);
  control.addUserGroupMember(group.id, created._id);
  control.addUserGroupMember(group.id, u4._id);
  control.addSystemUserBinding(system._id, u5._id, { sudo: { enabled: true, withoutPassword: false } });
  control.updateSystem(system._id, { displayName: 'bench-renamed' });
  control.updateUserGroup(org.userGroups[1].id, { description: 'renamed by the bench' });
  control.login(u4._id, 'sso');
}

/** Full sync figures of this size (the row just measured), then 10 changes, then an incremental sync of the same database. */
async function runIncremental(size: string, sim: JumpCloudSimulator, db: string, dir: string, full: { requests: number; wallMs: number }): Promise<string[]> {
  tenChanges(sim);
  // The simulator stamps a burst of changes a millisecond apart: let the clock pass the last one.
  await new Promise((r) => setTimeout(r, 50));
  sim.resetLog();
  const { summary, wallMs } = await runSync(sim, { JUMPCLOUD_GRAPH_DB: db, JUMPCLOUD_SYNC_MODE: 'incremental' }, join(dir, 'rusage.json'));
  const answered = sim.stats().total;
  if (summary.mode !== 'incremental') throw new Error(`the incremental sync ran as ${summary.mode}`);
  const report = summary.incremental;
  return [
    size,
    String(full.requests),
    (full.wallMs / 1000).toFixed(2),
    '10',
    `${answered}${answered <= 40 ? '' : ' (over 40)'}`,
    `${(wallMs / 1000).toFixed(2)}${wallMs < 2000 ? '' : ' (over 2 s)'}`,
    (full.requests / answered).toFixed(0),
    (full.wallMs / wallMs).toFixed(1),
    report ? `${report.events} / ${report.reread} / ${report.deleted} / ${report.listsReread} / ${report.unresolved}` : '',
  ];
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const uploadRows: string[][] = [];
  const queryRows: string[][] = [];
  const finishRows: string[][] = [];
  const incrementalRows: string[][] = [];
  const incrementalSizes = new Set(values['incremental-sizes'].split(',').filter(Boolean));
  const fullFigures: Record<string, { requests: number; wallMs: number }> = {};
  const querySizes = new Set(values['query-sizes'].split(',').filter(Boolean));
  const measured: Record<string, { rssMb: number; cpuPer10k: number; wallPerLimit: number }> = {};
  const jupiterOneSizes = new Set(values['jupiterone-sizes'].split(',').filter(Boolean));
  for (const size of values.sizes.split(',')) {
    const options = SIZES[size];
    if (!options) throw new Error(`unknown size ${size}: use S, M or L`);
    const dataset = createDataset({ seed: 1, edgeCases: false, ...options });
    const sim = new JumpCloudSimulator({ dataset, latencyMs, requestLogLimit: 1 });
    await sim.start();
    const dir = mkdtempSync(join(tmpdir(), 'jcg-bench-'));
    try {
      const builds: [string, string][] = [[size, cli]];
      if (baselineCli) builds.push([`${size} before`, baselineCli]);
      for (const [label, cliPath] of builds) {
        sim.resetLog();
        // each build its own database: both start from nothing
        const db = join(dir, `graph-${label.replace(' ', '-')}.db`);
        const { summary, wallMs } = await runSync(sim, { JUMPCLOUD_GRAPH_DB: db }, join(dir, 'rusage.json'), cliPath);
        const { maxRssKb, cpuMs } = JSON.parse(readFileSync(join(dir, 'rusage.json'), 'utf8')) as Rusage;
        // counted where they arrive, not by the client that sent them
        const answered = sim.stats();
        const { minimumRequests, criticalPathRounds } = requestBounds(dataset);
        const requestBoundMs = (minimumRequests * latencyMs) / CONCURRENCY;
        const criticalPathMs = criticalPathRounds * latencyMs;
        const lowerMs = Math.max(requestBoundMs, criticalPathMs);
        const objects = objectsOf(summary);
        measured[label] = { rssMb: maxRssKb / 1024, cpuPer10k: (cpuMs / 1000) * (10_000 / objects), wallPerLimit: wallMs / lowerMs };
        fullFigures[label] = { requests: answered.total, wallMs };
        rows.push([
          label,
          `${options.users} / ${options.systems}`,
          `${answered.total} / ${minimumRequests}${answered.total === minimumRequests ? ' (=)' : ''}${summary.apiRequests === answered.total ? '' : ` (client says ${summary.apiRequests})`}`,
          String(answered.maxInFlight),
          (wallMs / 1000).toFixed(2),
          (requestBoundMs / 1000).toFixed(2),
          `${criticalPathRounds} (${(criticalPathMs / 1000).toFixed(2)})`,
          (wallMs / lowerMs).toFixed(2),
          String(objects),
          String(Math.round(objects / (wallMs / 1000))),
          (cpuMs / 1000).toFixed(2),
          ((cpuMs / 1000) * (10_000 / objects)).toFixed(3),
          (maxRssKb / 1024).toFixed(0),
        ]);
      }
      process.stderr.write(`${size} done\n`);
      if (querySizes.has(size)) {
        queryRows.push(...(await runQueries(size, join(dir, `graph-${size}.db`))));
        finishRows.push(await runFinish(size, join(dir, `graph-${size}.db`), dir));
        process.stderr.write(`${size} queries done\n`);
      }
      if (incrementalSizes.has(size)) {
        // last: the changes it makes stay in the simulator
        incrementalRows.push(await runIncremental(size, sim, join(dir, `graph-${size}.db`), dir, fullFigures[size]));
        process.stderr.write(`${size} incremental done\n`);
      }
      if (jupiterOneSizes.has(size)) {
        uploadRows.push(await runJupiterOne(size, sim, dir));
        process.stderr.write(`${size} to JupiterOne done\n`);
      }
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(
    `latency ${latencyMs} ms, concurrency ${CONCURRENCY}; requests counted at the simulator; request bound = minimum requests x latency / concurrency; ` +
      'critical path = rounds of requests that must follow one another; wall / limit against the larger of the two',
  );
  printTable(
    ['size', 'users / devices', 'requests / minimum', 'max in flight', 'wall s', 'request bound s', 'critical path rounds (s)', 'wall / limit', 'objects', 'objects/s', 'CPU s', 'CPU s / 10k objects', 'peak RSS MB'],
    rows,
  );
  if (measured['M'] && measured['L']) console.log(`peak RSS L / M: ${(measured['L'].rssMb / measured['M'].rssMb).toFixed(2)} for 5x the users`);
  if (baselineCli) {
    console.log(`\nthis build against ${baselineCli}, same simulator, one after the other:`);
    const compared = values.sizes.split(',').filter((size) => measured[size] && measured[`${size} before`]);
    printTable(
      ['size', 'CPU s / 10k objects before', 'after', 'after / before', 'peak RSS MB before', 'after', 'after / before', 'wall / limit before', 'after'],
      compared.map((size) => {
        const [after, before] = [measured[size], measured[`${size} before`]];
        return [
          size,
          before.cpuPer10k.toFixed(3),
          after.cpuPer10k.toFixed(3),
          (after.cpuPer10k / before.cpuPer10k).toFixed(2),
          before.rssMb.toFixed(0),
          after.rssMb.toFixed(0),
          (after.rssMb / before.rssMb).toFixed(2),
          before.wallPerLimit.toFixed(2),
          after.wallPerLimit.toFixed(2),
        ];
      }),
    );
  }
  if (queryRows.length > 0) {
    console.log('\nqueries on the local graph just written (median ms of 5 runs after one warm-up; floor: SELECT count(*) over the same view):');
    printTable(['size', 'query', 'results', 'ms', 'target ms', 'floor ms', 'ms / floor'], queryRows);
    console.log('\nthe local graph store alone, the same graph written again in this process (median of 3):');
    printTable(['size', 'objects', 'write s', 'finish ms (indexes, views, commit)'], finishRows);
  }
  if (incrementalRows.length > 0) {
    console.log('\nincremental sync after 10 changes, of the database the full sync above wrote (targets: at most 40 requests, under 2 s, CLI start included):');
    printTable(['size', 'full requests', 'full wall s', 'changes', 'incremental requests', 'incremental wall s', 'requests full / incr', 'wall full / incr', 'events / read again / deleted / lists / unresolved'], incrementalRows);
  }
  if (uploadRows.length > 0) {
    console.log('\nto the JupiterOne fake (default 5,000,000-byte batches, 6 uploads in flight):');
    printTable(['size', 'objects uploaded', 'batches', 'MB', 'largest body B', 'wall s', 'objects/s', 'retries + splits', 'job', 'peak RSS MB'], uploadRows);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
