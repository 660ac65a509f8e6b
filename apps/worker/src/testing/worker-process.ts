import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const workspaceRoot = join(__dirname, '..', '..', '..', '..');
export const workerMain = join(workspaceRoot, 'dist/apps/worker/main.js');

export interface LogLine {
  level: number;
  time: number;
  msg: string;
  instance?: string;
  runId?: string;
  status?: string;
  [field: string]: unknown;
}

/** A built worker process, its parsed JSON log lines, and ways to wait on them. */
export class WorkerProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters: Array<{ test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];

  constructor(configFile: string, env: Record<string, string>) {
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run npx nx run worker:build first`);
    this.child = spawn(process.execPath, [workerMain, '--config', configFile], { env: { PATH: process.env['PATH'] ?? '', ...env } });
    let pending = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) {
        if (text.trim() === '') continue;
        const line = JSON.parse(text) as LogLine;
        this.logs.push(line);
        for (const waiter of [...this.waiters]) {
          if (waiter.test(line)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The first log line (already seen or to come) that passes `test`. */
  waitFor(test: (line: LogLine) => boolean): Promise<LogLine> {
    const seen = this.logs.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** The URL of its HTTP server, once it is ready. */
  async url(): Promise<string> {
    return (await this.waitFor((l) => l.msg === 'worker ready'))['url'] as string;
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  runs(status?: string): LogLine[] {
    return this.logs.filter((l) => l.msg === 'run ended' && (status === undefined || l.status === status));
  }
}

/** Writes a worker configuration file (JSON is YAML) and returns its path. */
export function writeConfig(dir: string, name: string, config: object): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
