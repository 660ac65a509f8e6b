import { type ChildProcess } from 'node:child_process';
import { createDataset, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { type CliRun, runCli, startCli, waitFor } from './cli-runner';

/** The name the console tests give a user: markup that would run script if a page rendered it as HTML. */
export const XSS_NAME = '<img src=x onerror=alert(1)>';

/**
 * Writes a local graph at `db` as users get one: the built CLI syncs the simulator (twice, with a
 * change in between, so runs have a diff), one user named `XSS_NAME` (displayname, first name).
 */
export async function syncConsoleGraph(db: string): Promise<void> {
  const sim = new JumpCloudSimulator({ dataset: createDataset({ seed: 21, users: 60, edgeCases: false }) });
  await sim.start();
  try {
    const [org] = sim.dataset.organizations;
    const [first, second] = org.users;
    sim.mutate(() => Object.assign(first, { displayname: XSS_NAME, firstname: XSS_NAME }));
    const env = { JUMPCLOUD_API_KEY: sim.apiKey, JUMPCLOUD_BASE_URL: sim.baseUrl, JUMPCLOUD_GRAPH_DB: db };
    const check = (run: CliRun) => {
      if (run.status !== 0) throw new Error(`sync exited ${run.status}: ${run.stderr.trim()}`);
    };
    check(await runCli(['sync', '--quiet', '--mode', 'full'], env));
    sim.mutate(() => Object.assign(second, { jobTitle: 'Changed between syncs' }));
    check(await runCli(['sync', '--quiet', '--mode', 'full'], env));
  } finally {
    await sim.stop();
  }
}

/** The built CLI's `serve` on a free port, until `stop`. */
export async function startConsole(db: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; stop(): Promise<CliRun> }> {
  const { child, done } = startCli(['serve', '--db', db, '--port', '0', ...args], env);
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let exited: CliRun | undefined;
  void done.then((run) => (exited = run));
  await waitFor(() => /console on (http:\/\/\S+)/.test(stdout) || exited !== undefined, 'the console to listen');
  const url = /console on (http:\/\/\S+)/.exec(stdout)?.[1];
  if (!url) throw new Error(`serve exited ${exited?.status}: ${exited?.stderr.trim()}`);
  return {
    url,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      return done;
    },
  };
}
