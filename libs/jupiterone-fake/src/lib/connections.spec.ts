import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { type JupiterOneFake, startJupiterOneFake } from './fake';
import type { FakeJob } from './job.types';

const JOBS = '/persister/synchronization/jobs';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

function headersFor(fake: JupiterOneFake): Record<string, string> {
  return { Authorization: `Bearer ${fake.apiKey}`, 'JupiterOne-Account': fake.account, 'Content-Type': 'application/json' };
}

/** A request with node:http; by default on a connection of its own that asks to be closed after the answer. */
function send(fake: JupiterOneFake, method: 'GET' | 'POST', path: string, body?: unknown, options: { agent?: Agent; close?: boolean } = {}): Promise<Answer> {
  const headers = { ...headersFor(fake), ...((options.close ?? true) ? { Connection: 'close' } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(`${fake.baseUrl}${path}`, { method, agent: options.agent ?? false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function jobOf(answer: Answer): FakeJob {
  expect({ status: answer.status, connection: answer.headers.connection }).toEqual({ status: 200, connection: 'close' });
  return (JSON.parse(answer.body) as { job: FakeJob }).job;
}

function user(i: number): Record<string, unknown> {
  return { _key: `jumpcloud_user:${String(i).padStart(6, '0')}`, _type: 'jumpcloud_user', _class: 'User', name: `User ${i}` };
}

/** A whole DIFF sync of `users` users to `scope`, every request on a connection of its own with Connection: close. */
async function closingSync(fake: JupiterOneFake, scope: string, users: number): Promise<FakeJob> {
  const job = jobOf(await send(fake, 'POST', JOBS, { source: 'api', scope }));
  for (let i = 0; i < users; i += 5) {
    const batch = Array.from({ length: Math.min(5, users - i) }, (_, k) => user(i + k));
    jobOf(await send(fake, 'POST', `${JOBS}/${job.id}/entities`, { entities: batch }));
  }
  jobOf(await send(fake, 'POST', `${JOBS}/${job.id}/finalize`, {}));
  return jobOf(await send(fake, 'GET', `${JOBS}/${job.id}`));
}

function completeResponse(buffer: Buffer): number {
  const headerEnd = buffer.indexOf('\r\n\r\n');
  if (headerEnd < 0) return 0;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(buffer.subarray(0, headerEnd).toString('latin1'));
  const total = headerEnd + 4 + Number(length?.[1] ?? 0);
  return buffer.length >= total ? total : 0;
}

/**
 * HTTP/1.1 over a bare TCP connection: writes each request once the previous answer is complete
 * (never pipelining), then waits up to `waitMs` for the server to close the connection.
 */
function rawExchange(port: number, requests: string[], waitMs = 1500): Promise<{ responses: string[]; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const responses: string[] = [];
    let pending = Buffer.alloc(0);
    let next = 0;
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses, closedByServer });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    const write = () => {
      if (next < requests.length && socket.writable) socket.write(requests[next++] as string);
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let size = completeResponse(pending); size > 0; size = completeResponse(pending)) {
        responses.push(pending.subarray(0, size).toString('utf8'));
        pending = pending.subarray(size);
        write();
      }
    });
    socket.on('end', () => finish(true));
    // Writing after the server closed may be answered with a reset: that is the server closing too.
    socket.on('error', () => finish(true));
    socket.on('connect', write);
  });
}

function rawPost(fake: JupiterOneFake, path: string, body: unknown, connection?: 'close'): string {
  const text = JSON.stringify(body);
  const lines = [`POST ${path} HTTP/1.1`, `Host: ${new URL(fake.baseUrl).host}`, ...Object.entries(headersFor(fake)).map(([name, value]) => `${name}: ${value}`)];
  lines.push(`Content-Length: ${Buffer.byteLength(text)}`);
  if (connection) lines.push(`Connection: ${connection}`);
  return `${lines.join('\r\n')}\r\n\r\n${text}`;
}

const portOf = (fake: JupiterOneFake) => Number(new URL(fake.baseUrl).port);
const statusLines = (responses: string[]) => responses.map((response) => response.split('\r\n')[0]);

describe('JupiterOneFake connections (RFC 9112 section 9.6)', () => {
  let fake: JupiterOneFake;
  beforeAll(async () => {
    fake = await startJupiterOneFake();
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('runs a whole sync of sequential Connection: close requests, each answered with Connection: close', async () => {
    const job = await closingSync(fake, 'closing', 42);
    expect(job).toEqual(expect.objectContaining({ status: 'FINISHED', numEntitiesUploaded: 42, numEntitiesCreated: 42 }));
    expect(fake.graph({ scope: 'closing' }).entities).toHaveLength(42);
    // start, 9 uploads, finalize, status
    expect(fake.stats().byStatus).toEqual({ '200': 12 });
  });

  it('runs concurrent syncs of Connection: close requests', async () => {
    const jobs = await Promise.all(Array.from({ length: 8 }, (_, i) => closingSync(fake, `scope-${i}`, 10 + i)));
    expect(jobs.map((job) => job.numEntitiesCreated)).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    for (let i = 0; i < 8; i++) expect(fake.graph({ scope: `scope-${i}` }).entities).toHaveLength(10 + i);
  });

  it('closes the connection after answering a request that sent Connection: close, errors included', async () => {
    const requests = [
      rawPost(fake, JOBS, { source: 'api', scope: 'raw' }, 'close'),
      rawPost(fake, JOBS, { source: 'nowhere' }, 'close'),
      rawPost(fake, `${JOBS}/no-such-job/entities`, { entities: [] }, 'close'),
    ];
    const exchanges = await Promise.all(requests.map((raw) => rawExchange(portOf(fake), [raw])));
    expect(exchanges.map((exchange) => statusLines(exchange.responses))).toEqual([['HTTP/1.1 200 OK'], ['HTTP/1.1 400 Bad Request'], ['HTTP/1.1 404 Not Found']]);
    for (const { responses, closedByServer } of exchanges) {
      expect(closedByServer).toBe(true);
      expect(responses[0]).toMatch(/\r\nConnection: close\r\n/i);
    }
  });

  it('closes a connection whose body was over the limit and asked to be closed', async () => {
    const small = await startJupiterOneFake({ bodyLimitBytes: 100 });
    try {
      const raw = rawPost(small, JOBS, { source: 'api', scope: 'x'.repeat(500) }, 'close');
      const { responses, closedByServer } = await rawExchange(portOf(small), [raw]);
      expect({ lines: statusLines(responses), closedByServer }).toEqual({ lines: ['HTTP/1.1 413 Payload Too Large'], closedByServer: true });
    } finally {
      await small.stop();
    }
  });

  it('never answers 400 to a client that sends Connection: close on each request of one connection', async () => {
    const start = rawPost(fake, JOBS, { source: 'api', scope: 'reused' }, 'close');
    const { responses, closedByServer } = await rawExchange(portOf(fake), [start, start, start]);
    expect({ lines: statusLines(responses), closedByServer }).toEqual({ lines: ['HTTP/1.1 200 OK'], closedByServer: true });
    expect(fake.jobs()).toHaveLength(1);
  });

  it('keeps the connection open for clients that do not ask to close it', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(fake, 'POST', JOBS, { source: 'api', scope: 'kept' }, { agent, close: false });
      const second = await send(fake, 'GET', `${JOBS}/${(JSON.parse(first.body) as { job: FakeJob }).job.id}`, undefined, { agent, close: false });
      expect([first.headers.connection, second.headers.connection, second.status]).toEqual(['keep-alive', 'keep-alive', 200]);
      expect(second.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});

describe('JupiterOneFake and clients that close the connection themselves', () => {
  let fake: JupiterOneFake;
  beforeAll(async () => {
    fake = await startJupiterOneFake({ latencyMs: 100 });
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  /** Sends the headers and the first `sentBytes` of an upload body (all of it by default), then destroys the connection `afterMs` later. */
  function abandonUpload(jobId: string, afterMs: number, sentBytes?: number): Promise<void> {
    const body = JSON.stringify({ entities: [user(1), user(2)] });
    return new Promise((resolve) => {
      const req = request(`${fake.baseUrl}${JOBS}/${jobId}/entities`, {
        method: 'POST',
        agent: false,
        headers: { ...headersFor(fake), 'Content-Length': Buffer.byteLength(body) },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(body.slice(0, sentBytes ?? body.length), () => setTimeout(() => req.destroy(), afterMs));
    });
  }

  async function logged(count: number): Promise<void> {
    for (let i = 0; i < 100 && fake.requests().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  it('keeps nothing of an upload whose client went away mid-body, and goes on serving', async () => {
    const job = jobOf(await send(fake, 'POST', JOBS, { source: 'api', scope: 'abandoned' }));
    await Promise.all([abandonUpload(job.id, 20, 10), abandonUpload(job.id, 20, 30)]);
    await logged(3);
    expect(fake.requests().filter((record) => record.endpoint === 'entities').map((record) => record.status)).toEqual([0, 0]);
    expect(fake.job(job.id)?.numEntitiesUploaded).toBe(0);

    jobOf(await send(fake, 'POST', `${JOBS}/${job.id}/entities`, { entities: [user(3)] }));
    jobOf(await send(fake, 'POST', `${JOBS}/${job.id}/finalize`, {}));
    expect(fake.graph({ scope: 'abandoned' }).entities.map((entity) => entity['_key'])).toEqual([user(3)['_key']]);
  });

  it('applies an upload whose whole body arrived before its client went away: only the answer is lost', async () => {
    const job = jobOf(await send(fake, 'POST', JOBS, { source: 'api', scope: 'answer-lost' }));
    await abandonUpload(job.id, 20);
    await logged(2);
    expect(fake.requests().map((record) => [record.endpoint, record.status])).toEqual([
      ['start', 200],
      ['entities', 0],
    ]);
    expect(fake.job(job.id)?.numEntitiesUploaded).toBe(2);
    expect((await send(fake, 'GET', `${JOBS}/${job.id}`)).status).toBe(200);
  });
});
