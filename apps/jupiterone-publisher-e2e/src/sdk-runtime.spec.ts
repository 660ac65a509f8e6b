import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import {
  createApiClient,
  createIntegrationLogger,
  FileSystemGraphObjectStore,
  finalizeSynchronization,
  initiateSynchronization,
  synchronizationStatus,
  synchronizeCollectedData,
  uploadGraphObjectData,
  writeJsonToPath,
} from '@jupiterone/integration-sdk-runtime';
import { ACCOUNT, API_KEY } from './support';

/**
 * JupiterOne's own uploader, `@jupiterone/integration-sdk-runtime` 8.41.0, against the fake: the
 * SDK's API client and its synchronization functions, unchanged. This release still sends the
 * legacy `LifeOmic-Account` header, and integrations run with the `integration-managed` source;
 * later releases (13.x, 17.x) need packages the registry used here does not serve.
 */

const INSTANCE = 'sdk-instance-0001';

interface Proxy {
  url: string;
  /** The headers of every request the SDK sent, as it sent them. */
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A pass-through proxy in front of the fake, to see the headers the SDK puts on the wire. */
async function recordingProxy(target: string): Promise<Proxy> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The SDK's API client, as an integration creates it, pointed at `baseUrl`. */
function sdkClient(baseUrl: string, account = ACCOUNT) {
  const client = createApiClient({ apiBaseUrl: baseUrl, account, accessToken: API_KEY });
  // Its axios would send loopback traffic to an HTTP(S)_PROXY of the environment.
  client.defaults.proxy = false;
  return client;
}

/** The SDK's integration logger; it reads LOG_LEVEL once, so errors only, which a passing run has none of. */
function sdkLogger() {
  const before = process.env['LOG_LEVEL'];
  process.env['LOG_LEVEL'] = 'error';
  try {
    return createIntegrationLogger({ name: 'jupiterone-fake-e2e' });
  } finally {
    if (before === undefined) delete process.env['LOG_LEVEL'];
    else process.env['LOG_LEVEL'] = before;
  }
}

const pad = (i: number) => String(i).padStart(4, '0');
const account = { _key: 'sdk-account-0001', _type: 'sdk_account', _class: ['Account'], name: 'Acme' };
const user = (i: number) => ({ _key: `sdk-user-${pad(i)}`, _type: 'sdk_user', _class: ['User'], name: `User ${i}`, email: `user${i}@example.com`, active: i % 2 === 0 });
const hasUser = (i: number) => ({
  _key: `sdk-account-0001|has|sdk-user-${pad(i)}`,
  _type: 'sdk_account_has_user',
  _class: 'HAS',
  _fromEntityKey: account._key,
  _toEntityKey: user(i)._key,
});
const byKey = <T extends { _key: string }>(objects: T[]) => [...objects].sort((a, b) => (a._key < b._key ? -1 : a._key > b._key ? 1 : 0));

describe('JupiterOne SDK runtime 8.41.0 uploading to the fake', () => {
  let fake: JupiterOneFake;
  let proxy: Proxy;
  beforeAll(async () => {
    fake = new JupiterOneFake({ apiKey: API_KEY, account: ACCOUNT });
    await fake.start();
    proxy = await recordingProxy(fake.baseUrl);
  });
  afterAll(async () => {
    await proxy.close();
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
    proxy.seen.length = 0;
  });

  it('starts an integration-managed job with the legacy account header, uploads in batches and finalizes', async () => {
    const entities = [account, ...Array.from({ length: 5 }, (_, i) => user(i))];
    const relationships = Array.from({ length: 5 }, (_, i) => hasUser(i));
    const context = await initiateSynchronization({ logger: sdkLogger(), apiClient: sdkClient(proxy.url), source: 'integration-managed', integrationInstanceId: INSTANCE });
    expect(context.job).toEqual(expect.objectContaining({ source: 'integration-managed', integrationInstanceId: INSTANCE, integrationJobId: context.job.id, status: 'AWAITING_UPLOADS' }));

    await uploadGraphObjectData(context, { entities, relationships }, 2);
    const pending = await finalizeSynchronization({ ...context, partialDatasets: { types: [] } });
    expect(pending.status).toBe('FINALIZE_PENDING');
    expect(await synchronizationStatus(context)).toEqual(
      expect.objectContaining({ status: 'FINISHED', numEntitiesUploaded: 6, numEntitiesCreated: 6, numRelationshipsUploaded: 5, numRelationshipsCreated: 5 }),
    );

    expect(fake.graph({ integrationInstanceId: INSTANCE })).toEqual({ entities: byKey(entities), relationships: byKey(relationships) });
    // 1 start, 3 + 3 uploads of at most 2 objects, 1 finalize, 1 status: all answered 200.
    expect(fake.requests().map((record) => [record.endpoint, record.status, record.objects])).toEqual([
      ['start', 200, 0],
      ...Array.from({ length: 3 }, () => ['entities', 200, 2]),
      ...[2, 2, 1].map((objects) => ['relationships', 200, objects]),
      ['finalize', 200, 0],
      ['status', 200, 0],
    ]);
    // Every upload carried its own correlation id.
    const uploads = fake.requests().filter((record) => record.endpoint === 'entities' || record.endpoint === 'relationships');
    expect(new Set(uploads.map((record) => record.correlationId)).size).toBe(6);
    // The only account header on the wire was the legacy one.
    expect(proxy.seen.map((headers) => [headers['lifeomic-account'], headers['jupiterone-account']])).toEqual(proxy.seen.map(() => [ACCOUNT, undefined]));
  });

  it("synchronizes what an integration collected into the SDK's storage directory, partial datasets and events included", async () => {
    fake.seed({ integrationInstanceId: INSTANCE }, { entities: [user(7), { ...account, _key: 'sdk-account-9999' }], relationships: [] });
    const storage = mkdtempSync(join(tmpdir(), 'j1-sdk-e2e-'));
    const before = process.env['JUPITERONE_INTEGRATION_STORAGE_DIRECTORY'];
    process.env['JUPITERONE_INTEGRATION_STORAGE_DIRECTORY'] = storage;
    try {
      // What a run of the integration's steps leaves behind: graph files and the summary.
      const store = new FileSystemGraphObjectStore({ graphObjectFileSize: 3 });
      await store.addEntities('fetch-account', [account]);
      await store.addEntities('fetch-users', [user(1), user(2), user(3), user(4)]);
      await store.addRelationships('fetch-users', [hasUser(1), hasUser(2), hasUser(3), hasUser(4)]);
      await store.flush();
      // fetch-users failed part way, so its types are partial: user 7, not collected again, stays.
      await writeJsonToPath({ path: 'summary.json', data: { metadata: { partialDatasets: { types: ['sdk_user', 'sdk_account_has_user'] } } } });

      const job = await synchronizeCollectedData({ logger: sdkLogger(), apiClient: sdkClient(fake.baseUrl), source: 'integration-managed', integrationInstanceId: INSTANCE });
      expect(job.status).toBe('FINALIZE_PENDING');
    } finally {
      if (before === undefined) delete process.env['JUPITERONE_INTEGRATION_STORAGE_DIRECTORY'];
      else process.env['JUPITERONE_INTEGRATION_STORAGE_DIRECTORY'] = before;
      rmSync(storage, { recursive: true, force: true });
    }

    const graph = fake.graph({ integrationInstanceId: INSTANCE });
    expect(graph.entities.map((entity) => entity['_key'])).toEqual([account._key, ...[1, 2, 3, 4, 7].map((i) => user(i)._key)]);
    expect(graph.relationships).toEqual(byKey([1, 2, 3, 4].map(hasUser)));
    const [finished] = fake.jobs();
    expect(finished).toEqual(
      expect.objectContaining({ status: 'FINISHED', integrationJobId: finished?.id, numEntitiesCreated: 5, numEntitiesDeleted: 1, numRelationshipsCreated: 4 }),
    );
    // With an integration job, the SDK publishes its upload events to the job.
    expect(finished?.events?.map((event) => event.name)).toEqual(['sync_upload_start', 'sync_upload_end']);
    expect(fake.requests().filter((record) => record.status !== 200)).toEqual([]);
  });

  it('uploads with source api to a scope', async () => {
    const context = await initiateSynchronization({ logger: sdkLogger(), apiClient: sdkClient(fake.baseUrl), source: 'api', scope: 'sdk-scope' });
    expect(context.job).toEqual(expect.objectContaining({ source: 'api', scope: 'sdk-scope', integrationJobId: null }));
    await uploadGraphObjectData(context, { entities: [account, user(1)], relationships: [hasUser(1)] });
    await finalizeSynchronization({ ...context, partialDatasets: { types: [] } });
    expect(fake.graph({ scope: 'sdk-scope' })).toEqual({ entities: byKey([account, user(1)]), relationships: [hasUser(1)] });
  });

  it("is refused with the fake's 403 when its account header names another account", async () => {
    const start = initiateSynchronization({ logger: sdkLogger(), apiClient: sdkClient(fake.baseUrl, 'another-account'), source: 'integration-managed', integrationInstanceId: INSTANCE });
    await expect(start).rejects.toThrow(/initiating synchronization job/);
    expect(fake.requests().map((record) => [record.endpoint, record.status])).toEqual([['start', 403]]);
    expect(fake.jobs()).toEqual([]);
  });
});
