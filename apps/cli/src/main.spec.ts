import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI as users run it (`cli:test` depends on `cli:build`). */
const workspaceRoot = join(__dirname, '..', '..', '..');
const main = join(workspaceRoot, 'dist/apps/cli/main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: workspaceRoot });

beforeAll(() => {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npx nx run cli:build first`);
});

describe('jumpcloud-graph (built)', () => {
  it('prints its version and exits 0', () => {
    const run = cli('--version');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 with a one-line error naming the flag on bad input', () => {
    const run = cli('demo', '--users', 'many');
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toContain('--users');
    expect(run.stdout).toBe('');
  });

  it('exits 2 on an unknown command', () => {
    expect(cli('frobnicate').status).toBe(2);
  });

  it('runs the demo and prints exactly one JSON object with --json', () => {
    const run = cli('demo', '--users', '30', '--json');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.organizations).toHaveLength(1);
    expect(result.organizations[0].users).toBeGreaterThanOrEqual(30);
    expect(result.apiRequests).toBeGreaterThan(0);
  });
});
