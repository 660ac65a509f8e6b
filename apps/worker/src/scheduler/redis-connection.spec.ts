import { type Logger } from '@jumpcloud-graph/domain';
import { describeRedisError, isWatchedRedisError, reconnectDelay, redisAddress, WatchedRedis } from './redis-connection';
import { closedPort } from '../testing/ports';

interface Entry {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function capturingLogger(): Logger & { entries: Entry[] } {
  const entries: Entry[] = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => void entries.push({ level, fields, message });
  return { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('reconnectDelay', () => {
  it('doubles from 100 ms up to 10 s', () => {
    expect(Array.from({ length: 10 }, (_, i) => reconnectDelay(i + 1, () => 0))).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
    expect(reconnectDelay(1000, () => 0)).toBe(10_000);
  });

  it('takes off at most a fifth at random, so each delay stays longer than the last until the cap', () => {
    expect(reconnectDelay(3, () => 0.999)).toBeGreaterThanOrEqual(320);
    for (let attempt = 1; attempt < 8; attempt++) expect(reconnectDelay(attempt + 1, () => 0.999)).toBeGreaterThan(reconnectDelay(attempt, () => 0));
  });
});

describe('WatchedRedis', () => {
  const clients: WatchedRedis[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  it('names the address without credentials', () => {
    expect(redisAddress({ host: '10.0.0.5', port: 6380, password: 'secret' })).toBe('10.0.0.5:6380');
    expect(redisAddress({ path: '/run/redis.sock', password: 'secret' })).toBe('/run/redis.sock');
  });

  it('describes an error in one line: its code, else the first line of its message without the password', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    expect(describeRedisError(refused, 'secret')).toBe('ECONNREFUSED');
    expect(describeRedisError(new Error('AUTH secret rejected\n    at somewhere (file.js:1:1)'), 'secret')).toBe('AUTH [REDACTED] rejected');
    expect(describeRedisError(undefined, 'secret')).toBe('connection closed');
  });

  it('logs its reconnects and those of its duplicates, which keep its options', async () => {
    const port = await closedPort();
    const logger = capturingLogger();
    // (disconnectTimeout: ioredis's disconnect() leaves a timer of that length behind, which would hold Jest)
    const client = new WatchedRedis(`redis://app:secret@127.0.0.1:${port}/2`, { name: 'main', logger, redis: { maxRetriesPerRequest: null, disconnectTimeout: 50 } });
    clients.push(client);
    // as BullMQ makes a Worker's blocking connection
    const duplicate = client.duplicate({ connectionName: 'bull:blocking' });
    clients.push(duplicate);
    expect(duplicate.options).toMatchObject({ host: '127.0.0.1', port, db: 2, username: 'app', password: 'secret', maxRetriesPerRequest: null, connectionName: 'bull:blocking' });

    const lines = (name: string) => logger.entries.filter((e) => e.fields['connection'] === name);
    await until(() => lines('main').length >= 2 && lines('main-duplicate').length >= 2, 'two reconnect lines of each client');
    for (const name of ['main', 'main-duplicate']) {
      expect(lines(name).slice(0, 2)).toEqual([
        { level: 'warn', message: 'redis unavailable; reconnecting', fields: { redis: `127.0.0.1:${port}`, connection: name, attempt: 1, delayMs: expect.any(Number), error: 'ECONNREFUSED' } },
        { level: 'warn', message: 'redis unavailable; reconnecting', fields: { redis: `127.0.0.1:${port}`, connection: name, attempt: 2, delayMs: expect.any(Number), error: 'ECONNREFUSED' } },
      ]);
    }

    // BullMQ passes the connection's errors on to its Queue and Worker, whose listeners skip them
    const error = new Error('connection lost');
    client.emit('error', error);
    expect(isWatchedRedisError(error)).toBe(true);
    expect(isWatchedRedisError(new Error('other'))).toBe(false);
    expect(JSON.stringify(logger.entries)).not.toContain('secret');
  });
});
