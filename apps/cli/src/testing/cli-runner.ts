import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const workspaceRoot = join(__dirname, '..', '..', '..', '..');
export const cliMain = join(workspaceRoot, 'dist/apps/cli/main.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`cli:test` depends on `cli:build`) as a child process, asynchronously so a
 * simulator in this process keeps answering. The environment is only what the test passes.
 */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = workspaceRoot): Promise<CliRun> {
  if (!existsSync(cliMain)) throw new Error(`${cliMain} is missing: run npx nx run cli:build first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
