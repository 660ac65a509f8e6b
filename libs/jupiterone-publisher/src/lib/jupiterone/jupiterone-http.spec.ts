import { type Logger } from '@jumpcloud-graph/domain';
import { JupiterOneAuthError, JupiterOneRequestError } from './jupiterone-errors';
import { errorBody, JupiterOneHttp } from './jupiterone-http';

const API_KEY = 'j1-key-never-in-logs-7f3a9c';

type Scripted = { status: number; body?: unknown; headers?: Record<string, string> } | { error: Error };

function scriptedFetch(script: Scripted[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = script.shift() ?? { status: 200, body: {} };
    if ('error' in next) throw next.error;
    return new Response(next.body === undefined ? null : JSON.stringify(next.body), { status: next.status, headers: next.headers });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function recordingLogger() {
  const lines: string[] = [];
  const log = (fields: Record<string, unknown>, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`);
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  return { logger, lines };
}

function http(script: Scripted[], maxAttempts = 3) {
  const { fetch, calls } = scriptedFetch(script);
  const { logger, lines } = recordingLogger();
  const client = new JupiterOneHttp({
    apiKey: API_KEY,
    account: 'acct-1',
    baseUrl: 'http://j1.test/base',
    retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 },
    timeoutMs: 1_000,
    logger,
    fetch,
    random: () => 0.5,
  });
  return { client, calls, lines };
}

describe('JupiterOneHttp', () => {
  it('sends the auth, account, JSON and correlation headers, one id for all attempts of a request', async () => {
    const { client, calls } = http([{ status: 503 }, { status: 200, body: { job: { id: 'j' } } }]);
    const response = await client.request('start', 'POST', '/persister/synchronization/jobs', '{}');
    expect(response).toMatchObject({ status: 200, body: { job: { id: 'j' } }, attempts: 2 });
    expect(calls).toHaveLength(2);
    const headers = calls.map((c) => new Headers(c.init.headers));
    expect(calls[0].url).toBe('http://j1.test/base/persister/synchronization/jobs');
    expect(headers[0].get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(headers[0].get('jupiterone-account')).toBe('acct-1');
    expect(headers[0].get('content-type')).toBe('application/json');
    expect(headers[0].get('accept')).toBe('application/json');
    expect(headers[0].get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers[1].get('x-correlation-id')).toBe(headers[0].get('x-correlation-id'));
    expect(headers[0].get('jupiterone-correlation-id')).toBe(headers[0].get('x-correlation-id'));
    expect(response.correlationId).toBe(headers[0].get('x-correlation-id'));
    expect(client.retries).toBe(1);

    await client.request('status', 'GET', '/x', undefined);
    expect(new Headers(calls[2].init.headers).get('x-correlation-id')).not.toBe(response.correlationId);
  });

  it('retries 429 and resets, then reports JUPITERONE_UNAVAILABLE', async () => {
    const reset = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    const { client, lines } = http([{ status: 429, headers: { 'retry-after': '0' } }, { error: reset }, { status: 502 }]);
    const error = await client.request('entities', 'POST', '/e', '{}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JupiterOneRequestError);
    expect(error).toMatchObject({ code: 'JUPITERONE_UNAVAILABLE', status: 502, fatal: true, endpoint: 'entities' });
    expect(lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
    expect(client.retries).toBe(2);
  });

  it('does not retry a host that does not exist', async () => {
    const notFound = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${API_KEY}`), { code: 'ENOTFOUND' }) });
    const { client, calls } = http([{ error: notFound }]);
    const error = (await client.request('start', 'POST', '/s', '{}').catch((e: unknown) => e)) as Error;
    expect(calls).toHaveLength(1);
    expect(error).toMatchObject({ code: 'JUPITERONE_UNAVAILABLE' });
    expect(error.message).toContain('ENOTFOUND');
    expect(error.message).not.toContain(API_KEY);
    expect(String((error.cause as Error).message)).not.toContain(API_KEY);
  });

  it('throws JupiterOneAuthError on 401 and 403 at once, without the key', async () => {
    for (const status of [401, 403]) {
      const { client, calls } = http([{ status, body: { error: { code: 'UNAUTHORIZED', message: `bad key ${API_KEY}` } } }]);
      const error = (await client.request('start', 'POST', '/s', '{}').catch((e: unknown) => e)) as JupiterOneAuthError;
      expect(error).toBeInstanceOf(JupiterOneAuthError);
      expect(error).toMatchObject({ code: 'JUPITERONE_AUTH_ERROR', fatal: true, status });
      expect(error.message).toContain('UNAUTHORIZED: bad key [REDACTED]');
      expect(calls).toHaveLength(1);
    }
  });

  it('retries an attempt that outlasts its timeout', async () => {
    let calls = 0;
    const fetch = ((_url: string, init?: RequestInit) => {
      calls += 1;
      if (calls > 1) return Promise.resolve(new Response('{}', { status: 200 }));
      // the first attempt never answers: only the timeout ends it
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    }) as typeof globalThis.fetch;
    const client = new JupiterOneHttp({
      apiKey: API_KEY,
      account: 'acct-1',
      baseUrl: 'http://j1.test',
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      timeoutMs: 20,
      logger: recordingLogger().logger,
      fetch,
      random: () => 0,
    });
    await expect(client.request('entities', 'POST', '/e', '{}')).resolves.toMatchObject({ status: 200, attempts: 2 });
    expect(client.retries).toBe(1);
  });

  it('gives up at once when the caller aborts', async () => {
    const controller = new AbortController();
    const { client, calls } = http([{ status: 503 }, { status: 503 }, { status: 503 }]);
    const pending = client.request('entities', 'POST', '/e', '{}', controller.signal);
    controller.abort(new Error('session aborted'));
    await expect(pending).rejects.toThrow('session aborted');
    expect(calls.length).toBeLessThanOrEqual(1);
  });

  it('hands other statuses back to the caller', async () => {
    const { client } = http([{ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'too big' } } }]);
    const response = await client.request('entities', 'POST', '/e', '{}');
    expect(response.status).toBe(413);
    expect(errorBody(response.body)).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'too big' });
    expect(client.errorDetail(response.body)).toBe(': PAYLOAD_TOO_LARGE: too big');
    expect(client.errorDetail(undefined)).toBe('');
  });
});
