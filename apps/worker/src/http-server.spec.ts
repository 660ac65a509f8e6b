import { startWorkerHttpServer, type WorkerHttpOptions } from './http-server';
import { WorkerMetrics } from './metrics';
import { type InstanceStatus, type TriggerResult } from './scheduler/scheduler';

async function withServer(options: Partial<WorkerHttpOptions>, body: (url: string) => Promise<void>) {
  const metrics = new WorkerMetrics();
  metrics.runStarted();
  metrics.runEnded({ instance: 'acme' }, 'success', 'incremental', 12, { jumpcloud_user: 40 });
  metrics.runStarted();
  metrics.runEnded({ instance: 'msp', org: '5f0000000000000000000001' }, 'failure', 'full', 3);
  metrics.discoveryEnded('msp', 'success', 2, 1);
  const server = await startWorkerHttpServer({
    host: '127.0.0.1',
    port: 0,
    ready: () => true,
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
    trigger: async (id, orgId): Promise<TriggerResult> =>
      id === 'msp' && orgId === 'org-1' ? { kind: 'started', runId: 'run-2' } : orgId !== undefined ? { kind: 'unknown' } : id === 'acme' ? { kind: 'started', runId: 'run-1' } : id === 'busy' ? { kind: 'busy' } : { kind: 'unknown' },
    status: async (): Promise<InstanceStatus[]> => [{ id: 'acme', running: false, lastRun: { runId: 'run-1', startedAt: '2026-01-01T00:00:00.000Z', status: 'success' }, nextRunAt: null }],
    ...options,
  });
  try {
    await body(server.url);
  } finally {
    await server.close();
  }
}

const post = (url: string, token?: string) => fetch(url, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('worker HTTP endpoints', () => {
  it('answers /healthz always and /readyz only when ready', async () => {
    let ready = false;
    await withServer({ ready: () => ready }, async (url) => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);
      ready = true;
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
      expect((await fetch(`${url}/nope`)).status).toBe(404);
      expect((await post(`${url}/healthz`)).status).toBe(405);
    });
  });

  it('serves the Prometheus metrics', async () => {
    await withServer({}, async (url) => {
      const res = await fetch(`${url}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain('jumpcloud_graph_sync_runs_total{instance="acme",status="success",mode="incremental"} 1');
      expect(text).toContain('jumpcloud_graph_sync_duration_seconds_bucket{le="15",instance="acme",mode="incremental"} 1');
      expect(text).toContain('jumpcloud_graph_entities_published{instance="acme",type="jumpcloud_user"} 40');
      expect(text).toMatch(/jumpcloud_graph_last_success_timestamp_seconds\{instance="acme"\} \d+/);
      // an organization of a multi-tenant instance has its own label; an instance has none
      expect(text).toContain('jumpcloud_graph_sync_runs_total{instance="msp",org="5f0000000000000000000001",status="failure",mode="full"} 1');
      expect(text).toContain('jumpcloud_graph_discoveries_total{instance="msp",status="success"} 1');
      expect(text).toContain('jumpcloud_graph_organizations{instance="msp"} 2');
      expect(text).toContain('jumpcloud_graph_organizations_removed_total{instance="msp"} 1');
    });
  });

  it('starts a run with the admin token: 202, 409 while busy, 404 unknown, 401 without the token', async () => {
    await withServer({ adminToken: 's3cret-token' }, async (url) => {
      const started = await post(`${url}/instances/acme/sync`, 's3cret-token');
      expect(started.status).toBe(202);
      expect(await started.json()).toEqual({ runId: 'run-1' });
      expect((await post(`${url}/instances/busy/sync`, 's3cret-token')).status).toBe(409);
      expect((await post(`${url}/instances/other/sync`, 's3cret-token')).status).toBe(404);
      expect((await post(`${url}/instances/acme/sync`)).status).toBe(401);
      expect((await post(`${url}/instances/acme/sync`, 's3cret-tokem')).status).toBe(401);
      expect((await fetch(`${url}/instances/acme/sync`)).status).toBe(405);
      // one organization of a multi-tenant instance
      const org = await post(`${url}/instances/msp/organizations/org-1/sync`, 's3cret-token');
      expect(org.status).toBe(202);
      expect(await org.json()).toEqual({ runId: 'run-2' });
      const unknownOrg = await post(`${url}/instances/msp/organizations/org-9/sync`, 's3cret-token');
      expect(unknownOrg.status).toBe(404);
      expect(await unknownOrg.json()).toEqual({ error: 'no such instance or organization' });
      expect((await post(`${url}/instances/msp/organizations/org-1/sync`)).status).toBe(401);
    });
  });

  it('refuses the trigger endpoint with 403 when no admin token is set', async () => {
    await withServer({ adminToken: undefined }, async (url) => {
      expect((await post(`${url}/instances/acme/sync`, 'anything')).status).toBe(403);
    });
  });

  it('reports every instance on /status with the admin token: 401 without it, 403 when none is set', async () => {
    await withServer({ adminToken: 's3cret-token' }, async (url) => {
      const answer = await fetch(`${url}/status`, { headers: { authorization: 'Bearer s3cret-token' } });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ instances: [{ id: 'acme', running: false, lastRun: { runId: 'run-1', startedAt: '2026-01-01T00:00:00.000Z', status: 'success' }, nextRunAt: null }] });
      expect((await fetch(`${url}/status`)).status).toBe(401);
    });
    await withServer({ adminToken: undefined }, async (url) => {
      expect((await fetch(`${url}/status`, { headers: { authorization: 'Bearer x' } })).status).toBe(403);
    });
  });
});
