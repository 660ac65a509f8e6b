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
  /** Set once the process has exited and its output is read to the end. */
  private closedWith?: number | null;
  private readonly closed: Promise<number | null>;

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
    this.closed = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.closedWith = code;
        resolve(code);
      }),
    );
  }

  /**
   * The first log line (already seen or to come) that passes `test`. Fails, naming `what` and
   * the last lines logged, if none comes within `timeoutMs` or the process exits first.
   */
  waitFor(test: (line: LogLine) => boolean, what = 'a log line', timeoutMs = 60_000): Promise<LogLine> {
    const seen = this.logs.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        clearTimeout(timer);
        const last = this.logs.slice(-8).map((l) => `${l.msg}${l.instance ? ` ${l.instance}` : ''}${l.runId ? ` ${l.runId}` : ''}${l.status ? ` ${l.status}` : ''}`);
        reject(new Error(`${why} waiting for ${what}; its last log lines: ${last.join(' | ') || 'none'}${this.stderr ? `; stderr: ${this.stderr.trim()}` : ''}`));
      };
      const waiter = {
        test,
        resolve: (line: LogLine) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
      this.waiters.push(waiter);
      if (this.closedWith !== undefined) fail(`the worker exited (${this.closedWith})`);
      else void this.closed.then((code) => this.waiters.includes(waiter) && fail(`the worker exited (${code})`));
    });
  }

  /** The URL of its HTTP server, once it is ready. */
  async url(): Promise<string> {
    return (await this.waitFor((l) => l.msg === 'worker ready', 'the worker to be ready'))['url'] as string;
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
