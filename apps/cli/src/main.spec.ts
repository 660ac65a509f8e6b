import { runCli } from './testing/cli-runner';

describe('jumpcloud-graph (built)', () => {
  it('prints its version and exits 0', async () => {
    const run = await runCli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 with a one-line error naming the flag on bad input', async () => {
    const run = await runCli(['demo', '--users', 'many']);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toContain('--users');
    expect(run.stdout).toBe('');
  });

  it('exits 2 on an unknown command', async () => {
    expect((await runCli(['frobnicate'])).status).toBe(2);
  });

  it('has help with an example on every command', async () => {
    for (const command of ['sync', 'validate', 'export', 'diff', 'demo', 'uninstall', 'docs']) {
      const run = await runCli([command, '--help']);
      expect({ command, status: run.status }).toEqual({ command, status: 0 });
      expect(run.stdout).toContain('Example');
    }
  });
});
