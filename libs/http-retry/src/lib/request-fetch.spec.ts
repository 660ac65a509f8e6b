import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { getEventListeners } from 'node:events';
import { errorCode } from './fetch-errors';
import { createRequestFetch } from './request-fetch';

/** A real server that answers by path and records what it was sent. */
function startServer(): Promise<{ url: string; server: Server; seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] }> {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (path === '/json') {
        response.setHeader('set-cookie', ['a=1', 'b=2']);
        response.setHeader('x-total-count', '3');
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ echo: body, items: [1, 2, 3] }));
      } else if (path === '/empty') {
        response.statusCode = 204;
        response.end();
      } else if (path === '/moved') {
        response.statusCode = 302;
        response.setHeader('location', '/json');
        response.end('moved');
      } else if (path === '/slow') {
        setTimeout(() => response.end('late'), 5_000).unref();
      } else {
        response.statusCode = 404;
        response.end('{"message":"not found"}');
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen }));
  });
}

describe('createRequestFetch (undici request behind a fetch signature)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const fetch = createRequestFetch();
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    server.server.closeAllConnections();
    await new Promise((resolve) => server.server.close(resolve));
  });

  it('sends method, headers and body, and answers with status, every header and the body', async () => {
    const response = await fetch(
      new Request(`${server.url}/json?x=1`, { method: 'POST', headers: { 'x-api-key': 'k', 'content-type': 'application/json' }, body: '{"a":1}' }),
    );
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-total-count')).toBe('3');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ echo: '{"a":1}', items: [1, 2, 3] });
    const sent = server.seen.at(-1);
    expect(sent).toMatchObject({ method: 'POST', url: '/json?x=1', body: '{"a":1}' });
    expect(sent?.headers['x-api-key']).toBe('k');
  });

  it('gives a 204 no body, an error status its body, and a redirect as it is', async () => {
    const empty = await fetch(new Request(`${server.url}/empty`));
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const missing = await fetch(new Request(`${server.url}/nowhere`));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'not found' });
    const moved = await fetch(new Request(`${server.url}/moved`));
    expect(moved.status).toBe(302);
    expect(moved.headers.get('location')).toBe('/json');
  });

  it("aborts with init.signal, leaving no listener on it once requests end", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i += 1) {
      await (await fetch(new Request(`${server.url}/json`), { signal: controller.signal })).arrayBuffer();
    }
    // undici drops its listener once the body has ended, a tick after the last read
    await new Promise((resolve) => setImmediate(resolve));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const pending = fetch(new Request(`${server.url}/slow`), { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow();
  });

  it('fails with the socket error code on the error itself', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await fetch(new Request(`http://127.0.0.1:${port}/`)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(errorCode(failure)).toBe('ECONNREFUSED');
  });
});
