import { Worker } from 'node:worker_threads';
import { ConsoleQueryRunner, ConsoleThreadError, ConsoleTimeoutError } from './query-thread';

/**
 * The runner's time limit with real threads: one that answers at once, echoing the query, one
 * that spins forever on the query "spin" (as SQLite does on a query too heavy to finish), and one
 * that reports an error with a position.
 */
const THREAD = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.text === 'spin') for (;;) {}
  if (m.text === 'bad') return parentPort.postMessage({ id: m.id, ok: false, error: { name: 'J1qlError', message: 'J1QL: nope (column 6)', line: 1, column: 6 } });
  parentPort.postMessage({ id: m.id, ok: true, result: { echo: m.text, threadId: require('node:worker_threads').threadId } });
});`;

const started: Worker[] = [];
const runner = new ConsoleQueryRunner('/nowhere.db', () => {
  const worker = new Worker(THREAD, { eval: true });
  started.push(worker);
  return worker;
}, 500);
const query = (text: string) => runner.run<{ echo: string; threadId: number }>({ op: 'query', text, options: { nowMs: 0, maxRows: 1, maxGraphNodes: 1 } });

afterAll(() => runner.close());

describe('ConsoleQueryRunner', () => {
  it('answers through one thread, requests in turn', async () => {
    const [a, b] = await Promise.all([query('FIND User'), query('FIND Device')]);
    expect([a.echo, b.echo]).toEqual(['FIND User', 'FIND Device']);
    expect(a.threadId).toBe(b.threadId);
    expect(started).toHaveLength(1);
  });

  it('stops a query past its time limit by terminating its thread; the next query gets a new one', async () => {
    const before = (await query('first')).threadId;
    await expect(query('spin')).rejects.toBeInstanceOf(ConsoleTimeoutError);
    const after = await query('after');
    expect(after.echo).toBe('after');
    expect(after.threadId).not.toBe(before);
  });

  it("passes on the thread's error with its name and position", async () => {
    const failure = (await query('bad').catch((error: unknown) => error)) as ConsoleThreadError;
    expect(failure).toBeInstanceOf(ConsoleThreadError);
    expect(failure).toMatchObject({ name: 'J1qlError', message: 'J1QL: nope (column 6)', line: 1, column: 6 });
  });
});
