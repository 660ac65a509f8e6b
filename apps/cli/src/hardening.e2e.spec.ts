import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { type StepId, withDependencies } from '@jumpcloud-graph/graph-mapping';
import { runCli, startCli, waitFor } from './testing/cli-runner';
import { simulatorRuns } from './testing/simulator-runs';

/**
 * The CLI's contract under bad input and interruptions, as users meet it: the built CLI against
 * the simulator and the JupiterOne fake over HTTP.
 */
let dir: string;
const { withSimulator, reset } = simulatorRuns();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jcg-hardening-'));
  reset();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const envFor = (sim: JumpCloudSimulator, db: string, extra: Record<string, string> = {}) => ({
  JUMPCLOUD_API_KEY: sim.apiKey,
  JUMPCLOUD_BASE_URL: sim.baseUrl,
  JUMPCLOUD_GRAPH_DB: db,
  ...extra,
});

/** Every key of the `sync --json` summary, on success and failure alike. */
const SUMMARY_KEYS = [
  'status',
  'entities',
  'relationships',
  'partialTypes',
  'apiRequests',
  'retries',
  'danglingReferences',
  'duplicateKeys',
  'durationMs',
  'invalidEntities',
  'runId',
  'organizations',
  'addedSteps',
  'failedSteps',
];

describe('sync --steps on a database holding a full run', () => {
  it.each(['group-members', 'application-assignments', 'user-devices', 'device-group-members', 'employees'])(
    '%s runs with its dependencies and deletes nothing',
    async (step) => {
      const dataset = createDataset({ seed: 21, users: 60 });
      const db = join(dir, 'graph.db');
      await withSimulator(dataset, async (sim) => {
        expect((await runCli(['sync', '--json'], envFor(sim, db))).status).toBe(0);
        const run = await runCli(['sync', '--json', '--steps', step], envFor(sim, db));
        expect(run.status).toBe(0);
        const summary = JSON.parse(run.stdout);
        expect(summary.addedSteps).toEqual(withDependencies([step as StepId]).filter((id) => id !== step));
        const diff = await runCli(['diff', '--json', '--db', db]);
        expect(diff.status).toBe(0);
        const changes = JSON.parse(diff.stdout);
        // nothing created, updated or deleted: the selected step's types came again, the others were kept
        expect(JSON.stringify(changes)).not.toMatch(/"(created|updated|deleted)":\s*\[\s*"/);
        const human = await runCli(['sync', '--steps', step], envFor(sim, db));
        expect(human.stdout).toContain('steps added because the selected ones depend on them: account');
      });
    },
  );
});

describe('interrupted syncs', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s aborts the local run, prints the failure summary and exits %i', async (signal, code) => {
    const db = join(dir, 'graph.db');
    const sim = new JumpCloudSimulator({ dataset: createDataset({ seed: 3, users: 40 }), latencyMs: 400 });
    await sim.start();
    try {
      const started = startCli(['sync', '--json'], envFor(sim, db));
      // the session is open once the organizations are read and the first step is under way
      await waitFor(() => sim.requestLog.length >= 3, 'the sync to read JumpCloud');
      started.child.kill(signal);
      const run = await started.done;
      expect(run.status).toBe(code);
      const summary = JSON.parse(run.stdout);
      expect(Object.keys(summary)).toEqual(expect.arrayContaining(SUMMARY_KEYS));
      expect(summary).toMatchObject({ status: 'failure', error: `interrupted by ${signal}: the run was aborted, nothing was finalized` });
      expect(run.stderr).toContain(`interrupted by ${signal}`);
      const exported = await runCli(['export', '--db', db]);
      expect(exported.status).not.toBe(0); // no committed run
    } finally {
      await sim.stop();
    }
  });

  it('SIGINT cancels a JumpCloud request in flight instead of waiting for its answer', async () => {
    const db = join(dir, 'graph.db');
    // the users list is answered only after two minutes: the run must not wait for it
    const sim = new JumpCloudSimulator({ dataset: createDataset({ seed: 3, users: 40 }), faults: [{ kind: 'slow', endpoint: /systemusers/, delayMs: 120_000 }] });
    await sim.start();
    try {
      const started = startCli(['sync', '--json'], envFor(sim, db));
      await waitFor(() => sim.stats().total >= 2, 'the sync to read the organization');
      // give the held request time to be sent (it is the first of the users step)
      await new Promise((resolve) => setTimeout(resolve, 500));
      started.child.kill('SIGINT');
      const run = await started.done;
      expect(run.status).toBe(130);
      expect(JSON.parse(run.stdout)).toMatchObject({ status: 'failure' });
      // the held request was never answered: the CLI did not wait for it
      expect(sim.requestLog.filter((entry) => entry.path === '/api/systemusers' && entry.status === 200)).toEqual([]);
    } finally {
      await sim.stop();
    }
  }, 60_000);

  it('SIGTERM during sync --target jupiterone aborts the JupiterOne job', async () => {
    const fake = new JupiterOneFake();
    await fake.start();
    const sim = new JumpCloudSimulator({ dataset: createDataset({ seed: 4, users: 40 }), latencyMs: 400 });
    await sim.start();
    try {
      const started = startCli(
        ['sync', '--json', '--target', 'jupiterone'],
        envFor(sim, join(dir, 'unused.db'), { JUPITERONE_API_KEY: fake.apiKey, JUPITERONE_ACCOUNT: fake.account, JUPITERONE_API_BASE_URL: fake.baseUrl }),
      );
      await waitFor(() => fake.jobs().length === 1, 'the JupiterOne job to start');
      expect(fake.jobs()[0].status).toBe('AWAITING_UPLOADS');
      started.child.kill('SIGTERM');
      const run = await started.done;
      expect(run.status).toBe(143);
      expect(JSON.parse(run.stdout)).toMatchObject({ status: 'failure' });
      expect(fake.jobs()[0].status).toBe('ABORTED');
    } finally {
      await sim.stop();
      await fake.stop();
    }
  });
});

describe('sync --json prints the whole summary object, whatever the outcome', () => {
  it('on an unreachable host, on a usage error, and on an unknown flag', async () => {
    const unreachable = await runCli(['sync', '--json', '--db', join(dir, 'g.db')], { JUMPCLOUD_API_KEY: 'k', JUMPCLOUD_BASE_URL: 'http://127.0.0.1:9' });
    expect(unreachable.status).toBe(1);
    const noKey = await runCli(['sync', '--json']);
    expect(noKey.status).toBe(2);
    const unknown = await runCli(['sync', '--json', '--concurency', '3'], { JUMPCLOUD_API_KEY: 'k' });
    expect(unknown.status).toBe(2);
    for (const run of [unreachable, noKey, unknown]) {
      const summary = JSON.parse(run.stdout);
      expect(Object.keys(summary)).toEqual(expect.arrayContaining([...SUMMARY_KEYS, 'error']));
      expect(summary.status).toBe('failure');
      expect(run.stdout.trim().split('\n')).toHaveLength(1);
    }
  });

  it('validate --json prints one object on failure too', async () => {
    const run = await runCli(['validate', '--json'], { JUMPCLOUD_API_KEY: 'k', JUMPCLOUD_BASE_URL: 'http://127.0.0.1:9' });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: false, error: expect.any(String), organizations: [] });
  });
});

describe('quiet output and strict settings', () => {
  it('--json and --quiet write nothing on stderr when all goes well', async () => {
    const db = join(dir, 'graph.db');
    await withSimulator(createDataset({ seed: 8, users: 20 }), async (sim) => {
      for (const flag of ['--json', '--quiet']) {
        const run = await runCli(['sync', flag], envFor(sim, db));
        expect({ flag, status: run.status, stderr: run.stderr }).toEqual({ flag, status: 0, stderr: '' });
      }
    });
  });

  it('--config refuses an unknown key, naming it and the nearest known one', async () => {
    const config = join(dir, 'settings.yaml');
    writeFileSync(config, 'concurency: 4\n');
    const run = await runCli(['sync', '--config', config], { JUMPCLOUD_API_KEY: 'k' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`jumpcloud-graph: --config: ${config} has an unknown key "concurency" (did you mean "concurrency"?)`);
  });
});

describe('URLs that carry a key', () => {
  it.each([
    [['--target', 'jupiterone', '--jupiterone-base-url', 'http://api.example.com'], /JupiterOne base URL is http:\/\/ to api\.example\.com/],
    [['--target', 'jupiterone', '--jupiterone-base-url', 'https://user:pw@api.example.com'], /must not carry credentials/],
    [['--jumpcloud-base-url', 'https://user:pw@console.jumpcloud.com'], /must not carry credentials/],
    [['--jumpcloud-base-url', 'http://console.example.com'], /JumpCloud base URL is http:\/\/ to console\.example\.com/],
  ])('refuses %j before sending anything', async (args, message) => {
    const run = await runCli(['sync', '--json', ...args], { JUMPCLOUD_API_KEY: 'k', JUPITERONE_API_KEY: 'j', JUPITERONE_ACCOUNT: 'a' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('pw@');
  });
});

describe('JumpCloud errors say what is wrong', () => {
  it('a base URL ending in /api is the console it names', async () => {
    const db = join(dir, 'graph.db');
    await withSimulator(createDataset({ seed: 9, users: 10 }), async (sim) => {
      const run = await runCli(['sync', '--json'], envFor(sim, db, { JUMPCLOUD_BASE_URL: `${sim.baseUrl}/api` }));
      expect(run.status).toBe(0);
    });
  });

  it('an organization the key cannot reach is named as such, not as a refused key', async () => {
    await withSimulator(createDataset({ seed: 9, users: 10 }), async (sim) => {
      const run = await runCli(['validate'], envFor(sim, join(dir, 'g.db'), { JUMPCLOUD_ORG_ID: '0123456789abcdef01234567' }));
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/organization 0123456789abcdef01234567 is not accessible with this API key/);
      expect(run.stderr).not.toMatch(/refused the API key/);
      const wrongKey = await runCli(['validate'], envFor(sim, join(dir, 'g.db'), { JUMPCLOUD_API_KEY: 'wrong', JUMPCLOUD_ORG_ID: '0123456789abcdef01234567' }));
      expect(wrongKey.stderr).toMatch(/refused the API key/);
    });
  });
});

describe('validate', () => {
  it('checks the JupiterOne credentials with a harmless read', async () => {
    const fake = new JupiterOneFake();
    await fake.start();
    try {
      await withSimulator(createDataset({ seed: 9, users: 10 }), async (sim) => {
        const env = envFor(sim, join(dir, 'g.db'), { JUPITERONE_ACCOUNT: fake.account, JUPITERONE_API_BASE_URL: fake.baseUrl, JUMPCLOUD_GRAPH_TARGET: 'jupiterone' });
        const wrong = await runCli(['validate'], { ...env, JUPITERONE_API_KEY: 'not-the-key' });
        expect(wrong.status).toBe(2);
        expect(wrong.stdout).not.toContain('configuration valid');
        expect(wrong.stderr).toMatch(/JupiterOne refused the API key or account \(HTTP 401\)/);
        const right = await runCli(['validate', '--json'], { ...env, JUPITERONE_API_KEY: fake.apiKey });
        expect(right.status).toBe(0);
        expect(JSON.parse(right.stdout)).toMatchObject({ valid: true, jupiterone: { credentials: 'accepted', accountsFound: 0 } });
        expect(fake.jobs()).toEqual([]);
      });
    } finally {
      await fake.stop();
    }
  });

  it('--help lists only the options validate uses', async () => {
    const run = await runCli(['validate', '--help']);
    for (const syncOnly of ['--steps', '--quiet', '--wait', '--upload-batch-bytes', '--include-ssh-keys', '--tag-account-name', '--account-name']) {
      expect(run.stdout).not.toContain(syncOnly);
    }
    expect(run.stdout).toContain('--jupiterone-api-key');
  });

  it('leaves no file behind when JumpCloud refuses the key', async () => {
    await withSimulator(createDataset({ seed: 9, users: 10 }), async (sim) => {
      const run = await runCli(['sync'], envFor(sim, join(dir, 'sub', 'graph.db'), { JUMPCLOUD_API_KEY: 'wrong' }));
      expect(run.status).toBe(2);
      expect(existsSync(join(dir, 'sub'))).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });
  });
});
