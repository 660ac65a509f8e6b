import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface HealthServer {
  readonly url: string;
  /** Marks the worker ready (`/readyz` answers 200 from then on). */
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

/**
 * The worker's liveness and readiness endpoints: `/healthz` answers 200 while the process runs,
 * `/readyz` 200 once the worker said it is ready and 503 before. Anything else is 404.
 */
export async function startHealthServer(options: { host: string; port: number }): Promise<HealthServer> {
  let ready = false;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: 'method not allowed' });
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') return ready ? send(200, { status: 'ready' }) : send(503, { status: 'starting' });
    return send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    setReady: (value) => {
      ready = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
