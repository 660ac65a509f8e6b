import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import { type Logger } from '@jumpcloud-graph/domain';
import { json, startHttpFixture } from './__fixtures__/http-fixture';
import { createJumpCloudClient } from './jumpcloud-client';
import {
  JumpCloudApiError,
  JumpCloudAuthError,
  JumpCloudClientConfigError,
  JumpCloudFeatureUnavailableError,
  JumpCloudNetworkError,
  JumpCloudResponseError,
} from './jumpcloud-client.errors';

const API_KEY = 'jcg-test-key-0123456789abcdef';
const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };

function recordingLogger() {
  const lines: string[] = [];
  const log = (fields: Record<string, unknown>, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`);
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  return { logger, lines };
}

describe('createJumpCloudClient', () => {
  let fixture: Awaited<ReturnType<typeof startHttpFixture>> | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('sends the key, org id, user agent and accept headers', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 200, { totalCount: 0, results: [] }));
    const client = createJumpCloudClient({ apiKey: API_KEY, orgId: 'org-1', baseUrl: fixture.baseUrl, version: '9.9.9' });
    await client.listSystemUsers().toArray();
    expect(fixture.requests[0].headers).toMatchObject({
      'x-api-key': API_KEY,
      'x-org-id': 'org-1',
      'user-agent': 'jumpcloud-graph/9.9.9',
      accept: 'application/json',
    });
  });

  it('sends no x-org-id without an org id, and the other org id from forOrganization', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 200, []));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl });
    await client.listUserGroups().toArray();
    await client.forOrganization('org-2').listUserGroups().toArray();
    expect(fixture.requests[0].headers['x-org-id']).toBeUndefined();
    expect(fixture.requests[1].headers['x-org-id']).toBe('org-2');
    expect(client.requestCounts().total).toBe(2);
  });

  it('serializes v1 sort and fields space-separated, and v2 arrays comma-joined', async () => {
    fixture = await startHttpFixture((req, res) =>
      req.url?.startsWith('/api/v2') ? json(res, 200, []) : json(res, 200, { totalCount: 0, results: [] }),
    );
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl });
    await client.listSystemUsers({ fields: ['username', 'email'], filter: 'state:$eq:ACTIVATED' }).toArray();
    await client.listUserGroups({ fields: ['name', 'email'], filter: ['name:eq:Eng'], sort: ['-name'] }).toArray();
    await client.listApplicationAssociations('app1', ['user', 'user_group']).toArray();
    const v1 = new URL(fixture.requests[0].url, fixture.baseUrl);
    expect(v1.pathname).toBe('/api/systemusers');
    expect(Object.fromEntries(v1.searchParams)).toEqual({
      skip: '0',
      limit: '100',
      sort: '_id',
      fields: 'username email',
      filter: 'state:$eq:ACTIVATED',
    });
    expect(fixture.requests[1].url).toBe('/api/v2/usergroups?skip=0&limit=100&sort=-name&fields=name,email&filter=name%3Aeq%3AEng');
    expect(fixture.requests[2].url).toBe('/api/v2/applications/app1/associations?targets=user,user_group&skip=0&limit=100');
  });

  it('throws JumpCloudAuthError on 401 after exactly one request', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 401, { message: 'Unauthorized' }));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry });
    const error = await client.listSystemUsers().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JumpCloudAuthError);
    expect(error).toMatchObject({ code: 'JUMPCLOUD_AUTH_ERROR', status: 401, fatal: true });
    expect(fixture.requests).toHaveLength(1);
  });

  it('throws JumpCloudAuthError on 403 without retrying', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 403, { message: 'Forbidden' }));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry });
    await expect(client.listUserGroups().toArray()).rejects.toMatchObject({ status: 403, code: 'JUMPCLOUD_AUTH_ERROR' });
    expect(fixture.requests).toHaveLength(1);
  });

  it('reads System Insights 10,000 rows a page, with the filter given', async () => {
    // 10,003 rows
    fixture = await startHttpFixture((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const [skip, limit] = [Number(query.get('skip')), Number(query.get('limit'))];
      json(res, 200, Array.from({ length: Math.max(0, Math.min(limit, 10_003 - skip)) }, (_, i) => ({ system_id: `s${skip + i}`, encrypted: 1 })));
    });
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl });
    expect(await client.listSystemInsightsDiskEncryption().toArray()).toHaveLength(10_003);
    await client.listSystemInsightsOsVersion({ filter: ['system_id:in:s1|s2'], pageSize: 5_000 }).toArray();
    const filter = 'filter=system_id%3Ain%3As1%7Cs2';
    expect(fixture.requests.map((r) => r.url)).toEqual([
      '/api/v2/systeminsights/disk_encryption?skip=0&limit=10000',
      '/api/v2/systeminsights/disk_encryption?skip=10000&limit=10000',
      `/api/v2/systeminsights/os_version?skip=0&limit=5000&${filter}`,
      `/api/v2/systeminsights/os_version?skip=5000&limit=5000&${filter}`,
      `/api/v2/systeminsights/os_version?skip=10000&limit=5000&${filter}`,
    ]);
  });

  it('turns a 403 on System Insights into a feature the plan lacks (not fatal), and leaves 401 fatal', async () => {
    fixture = await startHttpFixture((req, res) => json(res, req.url?.includes('os_version') ? 401 : 403, { message: 'Forbidden' }));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry });
    const error = await client.listSystemInsightsDiskEncryption().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JumpCloudFeatureUnavailableError);
    expect(error).toMatchObject({ code: 'JUMPCLOUD_FEATURE_UNAVAILABLE', fatal: false, feature: 'System Insights', endpoint: 'GET /api/v2/systeminsights/disk_encryption' });
    await expect(client.listSystemInsightsOsVersion().toArray()).rejects.toMatchObject({ code: 'JUMPCLOUD_AUTH_ERROR', fatal: true });
    // a 403 elsewhere is still a refused key
    await expect(client.listPolicies().toArray()).rejects.toMatchObject({ code: 'JUMPCLOUD_AUTH_ERROR', status: 403 });
    expect(fixture.requests).toHaveLength(3);
  });

  it('reads policies, their system and system group associations, and policy results with the fields named', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 200, []));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl });
    await client.listPolicies().toArray();
    await client.listPolicyAssociations('p1', ['system', 'system_group']).toArray();
    await client.listPolicyResults({ fields: ['id', 'success'] }).toArray();
    expect(fixture.requests.map((r) => r.url)).toEqual([
      '/api/v2/policies?skip=0&limit=100',
      '/api/v2/policies/p1/associations?targets=system,system_group&skip=0&limit=100',
      '/api/v2/policyresults?skip=0&limit=100&fields=id,success',
    ]);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    fixture = await startHttpFixture((_req, res, i) =>
      i === 0
        ? json(res, 429, { message: 'slow down' }, { 'retry-after': new Date(Date.now() + 2000).toUTCString() })
        : json(res, 200, []),
    );
    const { logger, lines } = recordingLogger();
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: { ...fastRetry, maxRetryAfterMs: 3000 }, logger });
    await client.listUserGroups().toArray();
    expect(fixture.requests).toHaveLength(2);
    // the logged delay came from the header (1 to 2 seconds, as the date has whole seconds), not from the 1-5 ms backoff
    const delay = Number(/"delayMs":(\d+)/.exec(lines[0])?.[1]);
    expect(delay).toBeGreaterThanOrEqual(1000);
    expect(client.requestCounts()).toMatchObject({ total: 2, retries: 1 });
  });

  it('gives up after maxAttempts on a persistent 503 with JumpCloudApiError', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 503, { message: 'unavailable' }));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry });
    const error = await client.listSystems().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JumpCloudApiError);
    expect(error).toMatchObject({ status: 503, endpoint: 'GET /api/systems', fatal: false });
    expect(fixture.requests).toHaveLength(3);
    expect(client.requestCounts()).toEqual({ total: 3, retries: 2, byEndpoint: { 'GET /api/systems': 3 } });
  });

  it('does not retry a 400 or 404', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 404, { message: 'no such organization' }));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry });
    await expect(client.getOrganization('nope')).rejects.toThrow('JumpCloud answered HTTP 404 on GET /api/organizations/{id}: no such organization');
    expect(fixture.requests).toHaveLength(1);
  });

  it('retries an attempt that times out, then reports it', async () => {
    fixture = await startHttpFixture(() => undefined); // never answers
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry, timeoutMs: 50 });
    const error = await client.listSystems().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JumpCloudNetworkError);
    expect((error as Error).message).toMatch(/after 3 attempts: timed out after 50 ms/);
    expect(fixture.requests).toHaveLength(3);
  });

  it("cancels with the caller's signal: the attempt in flight, and no retry after it", async () => {
    fixture = await startHttpFixture(() => undefined); // never answers
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry, timeoutMs: 30_000 });
    const controller = new AbortController();
    const listed = client.listSystems({ signal: controller.signal }).toArray();
    while (fixture.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('run cancelled'));
    await expect(listed).rejects.toThrow('run cancelled');
    expect(fixture.requests).toHaveLength(1);
  });

  it("leaves no listener on the caller's signal once the list is read", async () => {
    fixture = await startHttpFixture((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const skip = Number(query.get('skip') ?? 0);
      const limit = Number(query.get('limit') ?? 100);
      json(res, 200, { totalCount: 1000, results: Array.from({ length: Math.max(0, Math.min(limit, 1000 - skip)) }, (_, i) => ({ _id: `u${skip + i}` })) });
    });
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl });
    const controller = new AbortController();
    const users = await client.listSystemUsers({ signal: controller.signal }).toArray();
    expect(users).toHaveLength(1000);
    await new Promise((resolve) => setImmediate(resolve));
    // A Request made with the signal would keep a listener on it until collected: one per page.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('reports an unreachable host at once, naming it', async () => {
    const closed = await startHttpFixture(() => undefined);
    const baseUrl = closed.baseUrl;
    await closed.close();
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl, retry: fastRetry });
    const error = await client.listSystems().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JumpCloudNetworkError);
    expect((error as Error).message).toContain(new URL(baseUrl).host);
    expect(client.requestCounts().total).toBe(1);
  });

  it('rejects a page of the wrong shape with JumpCloudResponseError', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 200, { results: 'nope' }));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl });
    await expect(client.listSystemUsers().toArray()).rejects.toBeInstanceOf(JumpCloudResponseError);
  });

  it('never lets the key into errors or logs, even when the server echoes it', async () => {
    fixture = await startHttpFixture((req, res, i) =>
      i < 2 ? json(res, 500, { message: `bad key ${String(req.headers['x-api-key'])}` }) : json(res, 400, { message: `bad key ${String(req.headers['x-api-key'])}` }),
    );
    const { logger, lines } = recordingLogger();
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry, logger });
    const error = await client.listSystems().toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JumpCloudApiError);
    expect((error as Error).message).toContain('[REDACTED]');
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(API_KEY);
    expect(JSON.stringify(error)).not.toContain(API_KEY);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(API_KEY);
  });

  describe('base URL', () => {
    it('defaults to the US console and picks the EU and IN consoles by region', () => {
      expect(createJumpCloudClient({ apiKey: API_KEY }).baseUrl).toBe('https://console.jumpcloud.com');
      expect(createJumpCloudClient({ apiKey: API_KEY, region: 'eu' }).baseUrl).toBe('https://console.eu.jumpcloud.com');
      expect(createJumpCloudClient({ apiKey: API_KEY, region: 'in' }).baseUrl).toBe('https://console.in.jumpcloud.com');
    });

    it('refuses http:// to a non-loopback host unless allowed', () => {
      expect(() => createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'http://jumpcloud.example.com' })).toThrow(JumpCloudClientConfigError);
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'http://jumpcloud.example.com', allowInsecureHttp: true }).baseUrl).toBe(
        'http://jumpcloud.example.com',
      );
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:8080/' }).baseUrl).toBe('http://127.0.0.1:8080');
    });

    it('accepts a base URL ending in /api or /api/v2 as the console it names', () => {
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'https://console.jumpcloud.com/api' }).baseUrl).toBe('https://console.jumpcloud.com');
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'https://console.jumpcloud.com/api/v2/' }).baseUrl).toBe('https://console.jumpcloud.com');
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'https://proxy.example.com/jumpcloud/api' }).baseUrl).toBe('https://proxy.example.com/jumpcloud');
    });

    it('refuses credentials in the URL, even with insecure http allowed', () => {
      expect(() => createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'https://user:pw@console.jumpcloud.com' })).toThrow(/credentials/);
      expect(() => createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'http://user:pw@127.0.0.1:1', allowInsecureHttp: true })).toThrow(/credentials/);
    });

    it('refuses a missing key and a URL that is not one', () => {
      expect(() => createJumpCloudClient({ apiKey: '' })).toThrow(JumpCloudClientConfigError);
      expect(() => createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'console.jumpcloud.com' })).toThrow(/not a URL/);
    });
  });
});

describe('reads of one object by id', () => {
  let fixture: Awaited<ReturnType<typeof startHttpFixture>> | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('GET the object path with the org id named, and return the checked body', async () => {
    fixture = await startHttpFixture((req, res) =>
      req.url?.startsWith('/api/v2') ? json(res, 200, { id: 'g-1', name: 'Eng' }) : json(res, 200, { _id: 'u-1', id: 'u-1', username: 'ann' }),
    );
    const client = createJumpCloudClient({ apiKey: API_KEY, orgId: 'org-1', baseUrl: fixture.baseUrl });
    expect(await client.getSystemUser('u-1')).toEqual({ _id: 'u-1', id: 'u-1', username: 'ann' });
    expect(await client.getUserGroup('g-1', { orgId: 'org-2' })).toEqual({ id: 'g-1', name: 'Eng' });
    await client.getApplication('a 1');
    await client.getSystem('s-1');
    await client.getSystemGroup('sg-1');
    expect(fixture.requests.map((r) => `${r.method} ${r.url} ${String(r.headers['x-org-id'])}`)).toEqual([
      'GET /api/systemusers/u-1 org-1',
      'GET /api/v2/usergroups/g-1 org-2',
      'GET /api/applications/a%201 org-1',
      'GET /api/systems/s-1 org-1',
      'GET /api/v2/systemgroups/sg-1 org-1',
    ]);
    expect(client.requestCounts().byEndpoint).toEqual({
      'GET /api/systemusers/{id}': 1,
      'GET /api/v2/usergroups/{id}': 1,
      'GET /api/applications/{id}': 1,
      'GET /api/systems/{id}': 1,
      'GET /api/v2/systemgroups/{id}': 1,
    });
  });

  it('return undefined on 404, without retrying', async () => {
    fixture = await startHttpFixture((_req, res) => json(res, 404, { code: 404, message: 'not found', status: 'Not Found' }));
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry });
    expect(await client.getSystem('missing')).toBeUndefined();
    expect(await client.getSystemGroup('missing')).toBeUndefined();
    expect(client.requestCounts()).toEqual({ total: 2, retries: 0, byEndpoint: { 'GET /api/systems/{id}': 1, 'GET /api/v2/systemgroups/{id}': 1 } });
  });

  it('retry a 500 as the lists do, and reject other errors and malformed bodies', async () => {
    fixture = await startHttpFixture((req, res, index) => {
      if (req.url === '/api/systemusers/flaky') return index === 0 ? json(res, 500, {}) : json(res, 200, { _id: 'flaky' });
      if (req.url === '/api/systemusers/denied') return json(res, 401, { message: 'no' });
      if (req.url === '/api/systemusers/bad') return json(res, 400, { message: 'bad id' });
      return json(res, 200, { name: 'no id' });
    });
    const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry, random: () => 0 });
    expect(await client.getSystemUser('flaky')).toEqual({ _id: 'flaky' });
    expect(client.requestCounts()).toEqual(expect.objectContaining({ total: 2, retries: 1 }));
    await expect(client.getSystemUser('denied')).rejects.toBeInstanceOf(JumpCloudAuthError);
    await expect(client.getSystemUser('bad')).rejects.toBeInstanceOf(JumpCloudApiError);
    await expect(client.getSystemUser('other')).rejects.toBeInstanceOf(JumpCloudResponseError);
    await expect(client.getUserGroup('other')).rejects.toThrow(/malformed object on GET \/api\/v2\/usergroups\/\{id\}/);
  });
});
