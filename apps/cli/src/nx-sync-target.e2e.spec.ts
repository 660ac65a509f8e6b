import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset } from '@jumpcloud-graph/jumpcloud-simulator';
import { runProcess, workspaceRoot } from './testing/cli-runner';
import { simulatorRuns } from './testing/simulator-runs';

/**
 * `npx nx run cli:sync` is the documented entry point: it builds the CLI and runs `sync`,
 * configured from the environment, with flags after `--`.
 */
function nx(args: string[], env: Record<string, string>) {
  const home = { HOME: process.env['HOME'] ?? tmpdir(), NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: 'true' };
  return runProcess(join(workspaceRoot, 'node_modules/.bin/nx'), args, { ...home, ...env });
}

const { withSimulator } = simulatorRuns();

describe('npx nx run cli:sync', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'jcg-nx-sync-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('syncs from the environment, with the flags given after --', async () => {
    const db = join(dir, 'graph.db');
    const run = await withSimulator(createDataset({ seed: 2, users: 12 }), (sim) =>
      nx(['run', 'cli:sync', '--outputStyle=static', '--', '--json', '--db', db], { JUMPCLOUD_API_KEY: sim.apiKey, JUMPCLOUD_BASE_URL: sim.baseUrl }),
    );
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const line = run.stdout.split('\n').find((l) => l.startsWith('{"status"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({ status: 'success', entities: { jumpcloud_user: expect.any(Number) } });
    expect(existsSync(db)).toBe(true);
  }, 120_000);
});
