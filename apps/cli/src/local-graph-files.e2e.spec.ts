import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createDataset, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { type CliRun, runCli, startCli, waitFor } from './testing/cli-runner';
import { simulatorRuns } from './testing/simulator-runs';

/**
 * What the commands do to the files around `--db`: a file that is not ours is never touched, the
 * database is created only once a sync has something to write, and nothing is left beside it
 * (lock, journal, WAL) once a command has ended. The built CLI against the simulator.
 */
let dir: string;
const { withSimulator, reset } = simulatorRuns();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-files-'));
  reset();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const envFor = (sim: JumpCloudSimulator, db: string) => ({ JUMPCLOUD_API_KEY: sim.apiKey, JUMPCLOUD_BASE_URL: sim.baseUrl, JUMPCLOUD_GRAPH_DB: db });

/** Mode, size, times and content: everything a careless command could change about a file (of a device, writes by anyone change the times: its mode). */
function fingerprint(path: string): string {
  const stats = statSync(path, { bigint: true });
  if (stats.isCharacterDevice()) return stats.mode.toString(8);
  const content = stats.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : '';
  return `${stats.mode.toString(8)} ${stats.size} ${stats.mtimeNs} ${stats.ctimeNs} ${content}`;
}

function writeSqlite(path: string, sql: string): void {
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

function expectOneLineNaming(run: CliRun, path: string): void {
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`${path} is not a jumpcloud-graph database`);
}

/**
 * /dev/null; as root (who could chmod it, breaking the machine if a command wrongly did), a device
 * node of its own for the same device. Undefined where neither can be had.
 */
function nullDevice(): string | undefined {
  if (process.getuid?.() !== 0) return existsSync('/dev/null') ? '/dev/null' : undefined;
  const path = join(dir, 'null');
  return spawnSync('mknod', [path, 'c', '1', '3']).status === 0 ? path : undefined;
}

/** Every command on `--db path`: none may change the file or leave anything beside it. */
async function expectEveryCommandRefuses(path: string): Promise<void> {
  const besides = () => readdirSync(dirname(path)).filter((name) => name.startsWith(basename(path)) && name !== basename(path));
  const state = () => ({ file: fingerprint(path), besides: besides(), listing: readdirSync(dir).sort() });
  const before = state();
  const expectUntouchedBy = (command: string) => expect({ command, ...state() }).toEqual({ command, ...before });
  await withSimulator(createDataset({ seed: 1, users: 5 }), async (sim) => {
    const sync = await runCli(['sync', '--quiet'], envFor(sim, path));
    expectUntouchedBy('sync');
    expectOneLineNaming(sync, path);
    expect(sync.status).toBe(2);
    // refused at start, before JumpCloud is read
    expect(sim.stats().total).toBe(0);
  });
  for (const args of [['export'], ['export', '--out', join(dir, 'out.json')], ['diff'], ['uninstall', '--yes']]) {
    const run = await runCli([...args, '--db', path]);
    expectUntouchedBy(args.join(' '));
    expect({ args, status: run.status }).toEqual({ args, status: 2 });
    expectOneLineNaming(run, path);
  }
}

describe('a --db that is not a jumpcloud-graph database', () => {
  it.each<[string, (path: string) => void]>([
    ['a text file', (path) => writeFileSync(path, 'not a database\n')],
    ['an empty file', (path) => writeFileSync(path, '')],
    ['a SQLite database of someone else', (path) => writeSqlite(path, 'CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)')],
  ])('is left exactly as it was by sync, export, diff and uninstall: %s', async (_what, make) => {
    const path = join(dir, 'theirs.db');
    make(path);
    chmodSync(path, 0o644);
    await expectEveryCommandRefuses(path);
  });

  it('is refused without being opened when it is a folder or a pipe', async () => {
    const folder = join(dir, 'folder.db');
    mkdirSync(folder, { mode: 0o755 });
    await expectEveryCommandRefuses(folder);
    const fifo = join(dir, 'pipe.db');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    // Opening a pipe to write blocks until it has a reader: with one, a command that wrongly opens
    // it fails this test instead of hanging.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      await expectEveryCommandRefuses(fifo);
    } finally {
      closeSync(reader);
    }
  });

  it('is refused without being opened when it is /dev/null', async () => {
    const device = nullDevice();
    if (device !== undefined) await expectEveryCommandRefuses(device);
  });
});

describe('creating the database', () => {
  it('a sync that fails before it reads anything creates neither the folder nor the file', async () => {
    const db = join(dir, '.jumpcloud-graph', 'graph.db');
    await withSimulator(createDataset({ seed: 2, users: 5 }), async (sim) => {
      const refused = await runCli(['sync', '--quiet'], { ...envFor(sim, db), JUMPCLOUD_API_KEY: 'not-the-key-123456' });
      expect(refused.status).toBe(2);
      const badOrg = await runCli(['sync', '--quiet', '--jumpcloud-org-id', '0123456789abcdef01234567'], envFor(sim, db));
      expect(badOrg.status).toBe(2);
    });
    const unreachable = await runCli(['sync', '--quiet'], { JUMPCLOUD_API_KEY: 'k-123456789', JUMPCLOUD_BASE_URL: 'http://127.0.0.1:9', JUMPCLOUD_GRAPH_DB: db });
    expect(unreachable.status).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('export and diff create nothing for a --db that does not exist', async () => {
    const db = join(dir, 'sub', 'graph.db');
    for (const args of [['export'], ['export', '--out', join(dir, 'out.json')], ['diff'], ['uninstall', '--yes']]) {
      const run = await runCli([...args, '--db', db]);
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr).toContain(db);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('files left beside the database', () => {
  const besides = (name = 'graph.db') => readdirSync(dir).filter((file) => file.startsWith(name) && file !== name);

  it('none after a sync, an export, a diff, and a sync that failed', async () => {
    const db = join(dir, 'graph.db');
    const dataset = createDataset({ seed: 3, users: 10 });
    await withSimulator(dataset, async (sim) => {
      expect((await runCli(['sync', '--quiet'], envFor(sim, db))).status).toBe(0);
      expect(besides()).toEqual([]);
      expect((await runCli(['sync', '--quiet'], envFor(sim, db))).status).toBe(0);
      expect(besides()).toEqual([]);
      const failed = await runCli(['sync', '--quiet'], { ...envFor(sim, db), JUMPCLOUD_API_KEY: 'not-the-key-123456' });
      expect(failed.status).toBe(2);
      expect(besides()).toEqual([]);
    });
    expect((await runCli(['export', '--db', db])).status).toBe(0);
    expect((await runCli(['export', '--db', db, '--format', 'j1-integration', '--out', join(dir, 'project')])).status).toBe(0);
    expect((await runCli(['diff', '--db', db])).status).toBe(0);
    expect(besides()).toEqual([]);
  });

  it('none after a run aborted by SIGINT', async () => {
    const db = join(dir, 'graph.db');
    const sim = new JumpCloudSimulator({ dataset: createDataset({ seed: 4, users: 40 }), latencyMs: 300 });
    await sim.start();
    try {
      const started = startCli(['sync', '--quiet'], envFor(sim, db));
      // the session (and so the lock) is open once the organizations are read
      await waitFor(() => existsSync(`${db}.lock`), 'the run to take its lock');
      started.child.kill('SIGINT');
      expect((await started.done).status).toBe(130);
    } finally {
      await sim.stop();
    }
    expect(besides()).toEqual([]);
    expect((await runCli(['export', '--db', db])).status).toBe(1);
    expect(besides()).toEqual([]);
  });
});

describe('export --format json --out', () => {
  it('writes the document to the file, mode 0600, replacing an older one, and prints nothing on stdout', async () => {
    const db = join(dir, 'graph.db');
    await withSimulator(createDataset({ seed: 5, users: 8 }), (sim) => runCli(['sync', '--quiet'], envFor(sim, db)));
    const printed = await runCli(['export', '--db', db]);
    expect(printed.status).toBe(0);

    const out = join(dir, 'graph.json');
    writeFileSync(out, 'an older export');
    chmodSync(out, 0o644);
    const run = await runCli(['export', '--db', db, '--format', 'json', '--out', out]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^wrote \d+ entities and \d+ relationships to /);
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
    expect(JSON.parse(readFileSync(out, 'utf8')).entities.length).toBeGreaterThan(8);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // no temp file left in the folder
    expect(readdirSync(dir).sort()).toEqual(['graph.db', 'graph.json']);
  });

  it('fails without leaving a file where it cannot write', async () => {
    const db = join(dir, 'graph.db');
    await withSimulator(createDataset({ seed: 6, users: 3 }), (sim) => runCli(['sync', '--quiet'], envFor(sim, db)));
    const run = await runCli(['export', '--db', db, '--out', join(dir, 'missing', 'graph.json')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(join(dir, 'missing', 'graph.json'));
    expect(readdirSync(dir)).toEqual(['graph.db']);
  });

  it('is described in the help', async () => {
    const help = await runCli(['export', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--out <path> output file for json (default: stdout), folder for j1-integration');
  });
});
