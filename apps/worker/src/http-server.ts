import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type InstanceStatus, type TriggerResult } from './scheduler/scheduler';

export interface WorkerHttpOptions {
  host: string;
  port: number;
  /** 200 on /readyz once this says so. */
  ready(): boolean;
  metrics(): Promise<{ contentType: string; text: string }>;
  /** A run of the instance, or of one organization of a multi-tenant instance (`orgId`). */
  trigger(instanceId: string, orgId?: string): Promise<TriggerResult>;
  /** Every instance's last and next run (`GET /status`, behind the same bearer token as the trigger). */
  status(): Promise<InstanceStatus[]>;
  /** The bearer token of the trigger endpoint; unset disables it (403). */
  adminToken?: string;
  /**
   * The web console's app (its pages at `/console/`, its API at `/api/graphs`), behind the admin
   * token or `viewerToken`, as a bearer token or a Basic password (what a browser asks for).
   */
  console?: (req: IncomingMessage, res: ServerResponse) => void;
  /** A token that opens the console only (not the trigger nor /status). */
  viewerToken?: string;
}

export interface WorkerHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A Basic password (the user name is ignored) or a bearer token equal to one of `tokens`. */
function consoleTokenMatches(header: string | undefined, tokens: ReadonlyArray<string | undefined>): boolean {
  const basic = /^Basic (.+)$/i.exec(header ?? '')?.[1];
  const bearer = basic === undefined ? header : `Bearer ${Buffer.from(basic, 'base64').toString('utf8').replace(/^[^:]*:/, '')}`;
  return tokens.some((token) => token !== undefined && tokenMatches(bearer, token));
}

/**
 * The worker's endpoints (docs/worker.md): `GET /healthz`, `GET /readyz`, `GET /metrics` and
 * `POST /instances/{id}/sync`, `POST /instances/{id}/organizations/{orgId}/sync` and `GET /status`,
 * each with `Authorization: Bearer $WORKER_ADMIN_TOKEN`.
 */
export async function startWorkerHttpServer(options: WorkerHttpOptions): Promise<WorkerHttpServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, body: object, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const trigger = /^\/instances\/([^/]+)\/sync$/.exec(path) ?? /^\/instances\/([^/]+)\/organizations\/([^/]+)\/sync$/.exec(path);
    if (trigger) {
      if (req.method !== 'POST') return send(405, { error: 'method not allowed' }, { allow: 'POST' });
      if (!options.adminToken) return send(403, { error: 'the trigger endpoint is disabled: WORKER_ADMIN_TOKEN is not set' });
      if (!tokenMatches(req.headers.authorization, options.adminToken)) {
        return send(401, { error: 'a valid bearer token is required' }, { 'www-authenticate': 'Bearer' });
      }
      const orgId = trigger[2] === undefined ? undefined : decodeURIComponent(trigger[2]);
      const result = await options.trigger(decodeURIComponent(trigger[1]), orgId);
      if (result.kind === 'unknown') return send(404, { error: orgId === undefined ? 'no such instance' : 'no such instance or organization' });
      if (result.kind === 'busy') return send(409, { error: orgId === undefined ? 'a run of this instance is in progress' : 'a run of this organization is in progress' });
      return send(202, { runId: result.runId });
    }
    if (path === '/console' || path.startsWith('/console/') || path === '/api/graphs' || /^\/api\/graphs\/([^/]+)\/([^/]+)$/.test(path)) {
      if (!options.console) return send(404, { error: 'not found' });
      const tokens = [options.adminToken, options.viewerToken];
      if (!tokens.some((t) => t !== undefined)) return send(403, { error: 'the console is disabled: neither WORKER_VIEWER_TOKEN nor WORKER_ADMIN_TOKEN is set' });
      if (!consoleTokenMatches(req.headers.authorization, tokens)) {
        return send(401, { error: 'the console needs a token (the viewer or the admin token, as the password)' }, { 'www-authenticate': 'Basic realm="jumpcloud-graph console", charset="UTF-8"' });
      }
      if (path === '/console') {
        return req.method === 'GET' || req.method === 'HEAD' ? send(301, {}, { location: '/console/' }) : send(405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
      }
      // The pages are the console's own from /console/ on; its API keeps its /api/graphs paths.
      if (path.startsWith('/console/')) req.url = (req.url ?? '/').slice('/console'.length);
      return options.console(req, res);
    }
    if (req.method !== 'GET') return send(405, { error: 'method not allowed' }, { allow: 'GET' });
    if (path === '/status') {
      if (!options.adminToken) return send(403, { error: 'the status endpoint is disabled: WORKER_ADMIN_TOKEN is not set' });
      if (!tokenMatches(req.headers.authorization, options.adminToken)) {
        return send(401, { error: 'a valid bearer token is required' }, { 'www-authenticate': 'Bearer' });
      }
      return send(200, { instances: await options.status() });
    }
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') return options.ready() ? send(200, { status: 'ready' }) : send(503, { status: 'not ready' });
    if (path === '/metrics') {
      const { contentType, text } = await options.metrics();
      res.writeHead(200, { 'content-type': contentType });
      return res.end(text);
    }
    return send(404, { error: 'not found' });
  };
  const server: Server = createServer((req, res) => {
    // Drain the request body (none is expected) so the connection can be reused.
    req.resume();
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
