import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { type Logger } from '@jumpcloud-graph/domain';
import { type InstanceConfig } from '../config/worker-config';
import { RedisScheduler } from './redis-scheduler';
import { closedPort } from '../testing/ports';

/**
 * The scheduler without Redis: a closed port at start-up, then a Redis that goes away while the
 * scheduler runs. Every connection (the one it shares with its Queue, the Worker's, and the
 * Worker's blocking one that BullMQ duplicates from it) must report its reconnects as single log
 * lines, never as stack traces on stderr, and never with the password of the URL.
 */
const PASSWORD = 'secret-redis-password';

interface Entry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

function capturingLogger(): Logger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const log = (level: Entry['level']) => (fields: Record<string, unknown>, message: string) => void entries.push({ level, fields, message });
  return { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Everything written to stderr/stdout or the console while the test runs (ioredis and BullMQ print there). */
function captureOutput(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const keep = (...args: unknown[]) => void chunks.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '));
  const spies = [
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (keep(chunk), true)),
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (keep(chunk), true)),
    ...(['error', 'warn', 'log', 'info', 'debug'] as const).map((method) => jest.spyOn(console, method).mockImplementation(keep)),
  ];
  return { text: () => chunks.join('\n'), restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

/** Whether a Redis answers on the port (any reply: with a password, PING gets NOAUTH). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

/** A throwaway redis-server, as the test setup starts one (redis-global-setup.cjs), with a password. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD], { stdio: 'ignore' });
  await until(() => answers(port), `redis-server answering on port ${port}`);
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Waits for a condition; fails with `what` if it does not come within 20 seconds. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const instance: InstanceConfig = {
  id: 'acme',
  tagAccountName: false,
  includeSshKeys: false,
  intervalSeconds: null,
  mode: 'auto',
  fullEveryMs: 86_400_000,
  maxUnresolved: 50,
  lastLoginDays: 30,
  jumpcloud: { apiKey: 'k', baseUrl: 'https://console.jumpcloud.com', allowInsecureHttp: false, concurrency: 8 },
  budget: { requestsPerSecond: 20, maxInFlight: 8, maxConcurrentRuns: 2 },
  target: { type: 'local', db: '/tmp/acme.db' },
};

const RECONNECTING = 'redis unavailable; reconnecting';
const RESTORED = 'redis connection restored';

/** Each log line is one structured entry: a one-line message, fields of one-line values, no stack. */
function expectSingleLines(entries: Entry[]): void {
  for (const entry of entries) {
    const text = `${entry.message} ${JSON.stringify(entry.fields)}`;
    expect(entry.message).not.toContain('\n');
    expect(text).not.toMatch(/\\n|\n|\s+at .*:\d+:\d+/);
  }
}

/** The reconnect lines of each connection, by its name. */
function reconnectsByConnection(entries: Entry[]): Map<string, Entry[]> {
  const byName = new Map<string, Entry[]>();
  for (const entry of entries.filter((e) => e.message === RECONNECTING)) {
    const name = String(entry.fields['connection']);
    byName.set(name, [...(byName.get(name) ?? []), entry]);
  }
  return byName;
}

function expectBackoff(lines: Entry[], port: number): void {
  lines.forEach((line, index) => {
    expect(line.level).toBe('warn');
    expect(line.fields).toMatchObject({ redis: `127.0.0.1:${port}`, attempt: index + 1, delayMs: expect.any(Number) });
    expect(typeof line.fields['error']).toBe('string');
  });
  const delays = lines.map((l) => l.fields['delayMs'] as number);
  for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]);
}

describe('RedisScheduler without Redis', () => {
  let output: ReturnType<typeof captureOutput>;
  let redis: ChildProcess | undefined;
  let scheduler: RedisScheduler | undefined;

  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(async () => {
    await scheduler?.stop();
    if (redis) await stopRedis(redis);
    output.restore();
  });

  it('logs one line per reconnect attempt, with backoff and no password, and one when Redis is back', async () => {
    const port = await closedPort();
    const logger = capturingLogger();
    scheduler = new RedisScheduler([instance], async () => ({ status: 'success' }), {
      redisUrl: `redis://:${PASSWORD}@127.0.0.1:${port}`,
      concurrency: 1,
      queue: { name: `reconnect-${Date.now()}`, lockDurationMs: 5000, stalledIntervalMs: 2000, retryDelayMs: 500 },
      logger,
    });
    const started = scheduler.start();
    started.catch(() => undefined);

    // Redis down at start-up: the scheduler's connection retries, more slowly each time.
    await until(() => logger.entries.filter((e) => e.message === RECONNECTING).length >= 4, 'four reconnect lines');
    const early = reconnectsByConnection(logger.entries);
    expect(early.size).toBeGreaterThan(0);
    for (const lines of early.values()) expectBackoff(lines, port);
    expect(logger.entries.filter((e) => e.message === RECONNECTING)[0].fields['error']).toBe('ECONNREFUSED');
    expectSingleLines(logger.entries);
    expect(output.text()).toBe('');

    // Redis comes: the connections say so once, and the scheduler finishes starting.
    redis = await startRedis(port);
    await started;
    await until(() => logger.entries.some((e) => e.message === RESTORED), 'the restored line');
    expect(logger.entries.filter((e) => e.message === RESTORED).every((e) => e.level === 'info' && e.fields['redis'] === `127.0.0.1:${port}`)).toBe(true);
    expect(scheduler.ready()).toBe(true);

    // Redis goes away while everything is connected: each connection (the Worker's blocking one
    // too) logs its own attempts, and nothing reaches stderr.
    const before = logger.entries.length;
    await stopRedis(redis);
    redis = undefined;
    const connections = () => reconnectsByConnection(logger.entries.slice(before));
    await until(() => connections().size >= 3 && [...connections().values()].every((lines) => lines.length >= 3), 'three reconnect lines of every connection');
    for (const lines of connections().values()) expectBackoff(lines, port);
    expect(scheduler.ready()).toBe(false);
    expectSingleLines(logger.entries);
    expect(output.text()).toBe('');

    // and back again: one restored line per connection that was lost
    redis = await startRedis(port);
    const lost = [...connections().keys()];
    const restored = () => new Set(logger.entries.slice(before).filter((e) => e.message === RESTORED).map((e) => String(e.fields['connection'])));
    await until(() => lost.every((name) => restored().has(name)), 'a restored line of every connection');
    await until(() => scheduler?.ready() === true, 'the scheduler ready again');

    expectSingleLines(logger.entries);
    expect(JSON.stringify(logger.entries)).not.toContain(PASSWORD);
    expect(output.text()).not.toContain(PASSWORD);
    expect(output.text()).toBe('');
  });
});
