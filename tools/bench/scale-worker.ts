import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';

/** One JSON log line of the worker (pino). */
export interface WorkerLogLine {
  level: number;
  time: number;
  msg: string;
  instance?: string;
  org?: string;
  runId?: string;
  status?: string;
  [field: string]: unknown;
}

/**
 * A built worker process (`node dist/apps/worker/main.js --config FILE --port 0`) and its parsed
 * log lines: the bench's own small spawner (tools may not import from apps/).
 */
export class ScaleWorker {
  readonly logs: WorkerLogLine[] = [];
  stderr = '';
  /** Lines of stdout that were not JSON (there should be none). */
  readonly garbage: string[] = [];
  readonly exited: Promise<number | null>;
  exitCode?: number | null;
  private readonly child: ChildProcess;
  private readonly listeners: Array<(line: WorkerLogLine) => void> = [];

  constructor(
    readonly index: number,
    workerMain: string,
    configFile: string,
    env: Record<string, string>,
  ) {
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run NX_DAEMON=false npx nx run worker:build first`);
    this.child = spawn(process.execPath, [workerMain, '--config', configFile, '--port', '0'], { env: { PATH: process.env['PATH'] ?? '', ...env } });
    let pending = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) {
        if (text.trim() === '') continue;
        let line: WorkerLogLine;
        try {
          line = JSON.parse(text) as WorkerLogLine;
        } catch {
          this.garbage.push(text);
          continue;
        }
        this.logs.push(line);
        for (const listener of this.listeners) listener(line);
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  onLine(listener: (line: WorkerLogLine) => void): void {
    this.listeners.push(listener);
  }

  /** Peak RSS (VmHWM) in kB, read from /proc while the process is alive; undefined after it exited. */
  peakRssKb(): number | undefined {
    return procStatusField(this.pid, 'VmHWM');
  }

  /** CPU time (user + system, every thread) in ms so far, from /proc; undefined after it exited. */
  cpuMs(): number | undefined {
    return procCpuMs(this.pid);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

export function procStatusField(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime of a process (all threads), in ms. */
export function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces), which ends at the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const hz = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
    return (ticks * 1000) / hz;
  } catch {
    return undefined;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

/** A throwaway redis-server on a free loopback port (no persistence). */
export async function startRedis(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error('redis-server is not installed (apt-get install -y redis-server), or set REDIS_URL');
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 100 && !(await ping(port)); attempt++) await new Promise((r) => setTimeout(r, 50));
  if (!(await ping(port))) throw new Error(`redis-server did not answer on port ${port}`);
  const closed = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
    },
  };
}

/**
 * Commands Redis has run since it started (the sum of `calls` in INFO commandstats), or
 * undefined when it cannot be asked (a password, TLS).
 */
export function redisCommandsCalled(url: string): Promise<number | undefined> {
  const { hostname, port, protocol, password } = new URL(url);
  if (protocol !== 'redis:' || password) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = connect(Number(port || 6379), hostname);
    let reply = '';
    const done = (value: number | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(5_000, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.on('data', (data) => {
      reply += data.toString();
      // a bulk string: $<length>\r\n<body>\r\n
      const header = /^\$(\d+)\r\n/.exec(reply);
      if (!header) return reply.startsWith('-') ? done(undefined) : undefined;
      if (Buffer.byteLength(reply) < header[0].length + Number(header[1])) return;
      let calls = 0;
      for (const match of reply.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) calls += Number(match[1]);
      done(calls);
    });
    socket.once('connect', () => socket.write('INFO commandstats\r\n'));
  });
}
