import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { type JumpCloudSimulator, startJumpCloudSimulator } from './simulator';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

/** A GET with node:http; by default on a connection of its own that asks to be closed after the answer. */
function get(sim: JumpCloudSimulator, path: string, options: { agent?: Agent; close?: boolean } = {}): Promise<Answer> {
  const close = options.close ?? true;
  const headers = { 'x-api-key': sim.apiKey, ...(close ? { Connection: 'close' } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(`${sim.baseUrl}${path}`, { agent: options.agent ?? false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface RawExchange {
  /** The complete responses read, as text. */
  responses: string[];
  /** True when the server ended (or reset) the connection; false when it was still open after the wait. */
  closedByServer: boolean;
}

function completeResponse(buffer: Buffer): number {
  const headerEnd = buffer.indexOf('\r\n\r\n');
  if (headerEnd < 0) return 0;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(buffer.subarray(0, headerEnd).toString('latin1'));
  const total = headerEnd + 4 + Number(length?.[1] ?? 0);
  return buffer.length >= total ? total : 0;
}

/**
 * Speaks HTTP/1.1 over a bare TCP connection, as a client in any language may: writes the first
 * request, and each further one only once the previous answer is complete (never pipelining), then
 * waits up to `waitMs` for the server to close the connection.
 */
function rawExchange(port: number, requests: string[], waitMs = 1500): Promise<RawExchange> {
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
    const send = () => {
      if (next < requests.length && socket.writable) socket.write(requests[next++] as string);
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let size = completeResponse(pending); size > 0; size = completeResponse(pending)) {
        responses.push(pending.subarray(0, size).toString('utf8'));
        pending = pending.subarray(size);
        send();
      }
    });
    socket.on('end', () => finish(true));
    // Writing after the server closed may be answered with a reset: that is the server closing too.
    socket.on('error', () => finish(true));
    socket.on('connect', send);
  });
}

function rawGet(sim: JumpCloudSimulator, path: string, connection?: 'close' | 'keep-alive'): string {
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${new URL(sim.baseUrl).host}`, `x-api-key: ${sim.apiKey}`];
  if (connection) lines.push(`Connection: ${connection}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

const portOf = (sim: JumpCloudSimulator) => Number(new URL(sim.baseUrl).port);
const PATHS = ['/api/systemusers?limit=100', '/api/systems', '/api/applications', '/api/v2/usergroups', '/api/organizations'];

describe('JumpCloudSimulator connections (RFC 9112 section 9.6)', () => {
  let sim: JumpCloudSimulator;
  beforeAll(async () => {
    sim = await startJumpCloudSimulator({ dataset: { users: 30, groups: 4, edgeCases: false } });
  });
  afterAll(() => sim.stop());

  it('answers every one of many sequential Connection: close requests correctly, each with Connection: close', async () => {
    for (let i = 0; i < 40; i++) {
      const answer = await get(sim, PATHS[i % PATHS.length] as string);
      expect({ status: answer.status, connection: answer.headers.connection }).toEqual({ status: 200, connection: 'close' });
      expect(() => JSON.parse(answer.body) as unknown).not.toThrow();
    }
    const users = await get(sim, '/api/systemusers?limit=100');
    expect((JSON.parse(users.body) as { totalCount: number }).totalCount).toBe(30);
  });

  it('answers concurrent Connection: close requests correctly', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => get(sim, `/api/systemusers?limit=1&skip=${i}`)));
    const ids = answers.map((answer) => {
      expect({ status: answer.status, connection: answer.headers.connection }).toEqual({ status: 200, connection: 'close' });
      return (JSON.parse(answer.body) as { results: { _id: string }[] }).results[0]?._id;
    });
    expect(ids).toEqual(sim.dataset.organizations[0]?.users.map((user) => user._id));
  });

  it('closes the connection after answering a request that sent Connection: close', async () => {
    const exchanges = await Promise.all(Array.from({ length: 10 }, () => rawExchange(portOf(sim), [rawGet(sim, '/api/systems', 'close')])));
    for (const { responses, closedByServer } of exchanges) {
      expect(closedByServer).toBe(true);
      expect(responses).toHaveLength(1);
      expect(responses[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(responses[0]).toMatch(/\r\nConnection: close\r\n/i);
    }
  });

  it('never answers 400 to a client that sends Connection: close on each request of one connection', async () => {
    const request = rawGet(sim, '/api/systemusers', 'close');
    const { responses, closedByServer } = await rawExchange(portOf(sim), [request, request, request]);
    expect(closedByServer).toBe(true);
    expect(responses.map((response) => response.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK']);
  });

  it('keeps the connection open for clients that do not ask to close it', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(sim, '/api/systems', { agent, close: false });
      const second = await get(sim, '/api/systems', { agent, close: false });
      expect([first.headers.connection, second.headers.connection]).toEqual(['keep-alive', 'keep-alive']);
      expect(second.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }
    const { responses, closedByServer } = await rawExchange(portOf(sim), [rawGet(sim, '/api/systems'), rawGet(sim, '/api/applications')], 300);
    expect(responses.map((response) => response.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(closedByServer).toBe(false);
  });
});

describe('JumpCloudSimulator and clients that close the connection themselves', () => {
  let sim: JumpCloudSimulator;
  beforeAll(async () => {
    sim = await startJumpCloudSimulator({ dataset: { users: 12, edgeCases: false }, latencyMs: 100 });
  });
  afterAll(() => sim.stop());

  /** Sends a GET and destroys the connection `afterMs` later, before the (delayed) answer. */
  function abandon(path: string, afterMs: number): Promise<void> {
    return new Promise((resolve) => {
      const req = request(`${sim.baseUrl}${path}`, { agent: false, headers: { 'x-api-key': sim.apiKey } });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.end(() => setTimeout(() => req.destroy(), afterMs));
    });
  }

  async function logged(count: number): Promise<void> {
    for (let i = 0; i < 100 && sim.requestLog.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  it('logs a request whose client went away with status 0 and goes on answering the others', async () => {
    sim.resetLog();
    const answers = await Promise.all([abandon('/api/systemusers', 20), get(sim, '/api/systems'), abandon('/api/v2/usergroups', 20), get(sim, '/api/applications')]);
    expect(answers.filter((answer) => answer !== undefined).map((answer) => answer?.status)).toEqual([200, 200]);
    await logged(4);
    const statusOf = (path: string) => sim.requestLog.find((entry) => entry.path === path)?.status;
    expect([statusOf('/api/systemusers'), statusOf('/api/v2/usergroups')]).toEqual([0, 0]);
    expect([statusOf('/api/systems'), statusOf('/api/applications')]).toEqual([200, 200]);
    expect((await get(sim, '/api/systemusers', { close: false })).status).toBe(200);
  });

  it('serves a client that mixes closed, abandoned and keep-alive connections', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const work = Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0 ? abandon('/api/systems', 10) : get(sim, '/api/systems', i % 3 === 1 ? {} : { agent, close: false }),
      );
      const answers = (await Promise.all(work)).filter((answer): answer is Answer => answer !== undefined);
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 8 }, () => 200));
    } finally {
      agent.destroy();
    }
  });
});
