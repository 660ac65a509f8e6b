import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const workspaceRoot = join(__dirname, '..', '..', '..', '..');
export const cliMain = join(workspaceRoot, 'dist/apps/cli/main.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file` as a child process with only the environment given (and PATH); resolves when it closes. */
export function runProcess(file: string, args: string[], env: Record<string, string>, cwd = workspaceRoot): Promise<CliRun> {
  return startProcess(file, args, env, cwd).done;
}

/**
 * Runs the built CLI (`cli:test` depends on `cli:build`) as a child process, asynchronously so a
 * simulator in this process keeps answering. The environment is only what the test passes.
 */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = workspaceRoot): Promise<CliRun> {
  return startCli(args, env, cwd).done;
}

/** Starts the built CLI and hands back the child (to signal it) and its outcome. */
export function startCli(args: string[], env: Record<string, string> = {}, cwd = workspaceRoot) {
  if (!existsSync(cliMain)) throw new Error(`${cliMain} is missing: run npx nx run cli:build first`);
  return startProcess(process.execPath, [cliMain, ...args], env, cwd);
}

function startProcess(file: string, args: string[], env: Record<string, string>, cwd: string): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(file, args, { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  return { child, done };
}

/** Polls `condition` every 25 ms until it holds; fails after `timeoutMs` (a bound, not a speed check). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
