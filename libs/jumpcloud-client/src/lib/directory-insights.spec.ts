import { SourceFeatureUnavailableError } from '@jumpcloud-graph/domain';
import { event, events, type FixtureEvent, send, startDirectoryInsightsFixture } from './__fixtures__/directory-insights-fixture';
import { JumpCloudApiSource, toDirectoryEvent } from './jumpcloud-api-source';
import { createJumpCloudClient } from './jumpcloud-client';
import {
  DirectoryInsightsUnavailableError,
  JumpCloudApiError,
  JumpCloudClientConfigError,
  JumpCloudResponseError,
} from './jumpcloud-client.errors';

const API_KEY = 'jcg-test-key-0123456789abcdef';
const fastRetry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };
const ENDPOINT = 'POST /insights/directory/v1/events';
const START = '2026-01-01T00:00:00.000Z';
const ids = (list: Array<{ id: string }>) => list.map((e) => e.id);

describe('listDirectoryEvents', () => {
  let fixture: Awaited<ReturnType<typeof startDirectoryInsightsFixture>> | undefined;
  const start = async (options: Parameters<typeof startDirectoryInsightsFixture>[0]) => {
    fixture = await startDirectoryInsightsFixture(options);
    return fixture;
  };
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  describe('paging', () => {
    it('reads every page with the cursor of the page before, until a short page', async () => {
      const di = await start({ events: events(25) });
      const client = createJumpCloudClient({ apiKey: API_KEY, orgId: 'org-1', baseUrl: di.baseUrl });
      const pages: string[][] = [];
      for await (const page of client.listDirectoryEvents({ service: ['directory'], startTime: START, endTime: '2026-01-02T00:00:00Z', limit: 10 }).pages()) {
        pages.push(ids(page));
      }
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(ids(events(25)));

      const bodies = di.requests.map((r) => r.body);
      expect(bodies[0]).toEqual({ service: ['directory'], start_time: START, end_time: '2026-01-02T00:00:00Z', sort: 'ASC', limit: 10 });
      // each next page: the same query, from the X-Search_after of the one before
      expect(bodies[1]).toEqual({ ...bodies[0], search_after: [String(Date.parse(events(25)[9].timestamp)), 'e009'] });
      expect(bodies[2]).toEqual({ ...bodies[0], search_after: [String(Date.parse(events(25)[19].timestamp)), 'e019'] });
      expect(di.requests[0]).toMatchObject({ method: 'POST', url: '/insights/directory/v1/events' });
      expect(di.requests[0].headers).toMatchObject({
        'x-api-key': API_KEY,
        'x-org-id': 'org-1',
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': expect.stringMatching(/^jumpcloud-graph\//),
      });
      expect(client.requestCounts()).toEqual({ total: 3, retries: 0, byEndpoint: { [ENDPOINT]: 3 } });
    });

    it('asks 10,000 a page, oldest first, by default; reads a full last page once more to learn it was the last', async () => {
      const di = await start({ events: events(20) });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      expect(ids(await client.listDirectoryEvents({ service: ['all'], startTime: new Date(START) }).toArray())).toHaveLength(20);
      expect(di.requests.map((r) => r.body)).toEqual([{ service: ['all'], start_time: START, sort: 'ASC', limit: 10_000 }]);

      // 20 events, 10 a page: X-Result-Count equals X-Limit on the second page, so a third (empty) one ends the list
      await client.listDirectoryEvents({ service: ['directory'], startTime: START, limit: 10 }).toArray();
      expect(di.requests.slice(1).map((r) => r.body?.['search_after'] !== undefined)).toEqual([false, true, true]);
      expect(client.requestCounts().total).toBe(4);
    });

    it("stops by the server's X-Limit, not by the limit asked for", async () => {
      const di = await start({ events: events(12), maxLimit: 5 });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      const pages = [];
      for await (const page of client.listDirectoryEvents({ service: ['directory'], startTime: START, limit: 10 }).pages()) pages.push(page.length);
      expect(pages).toEqual([5, 5, 2]);
    });

    it('takes an empty page with an empty cursor as the end', async () => {
      const di = await start({
        script: (_req, res, i) => {
          if (i === 0) send(res, 200, [{ id: 'a' }, { id: 'b' }], { 'X-Limit': '2', 'X-Result-Count': '2', 'X-Search_after': '[1767225600000,"b"]' });
          else send(res, 200, [], { 'X-Limit': '2', 'X-Result-Count': '0', 'X-Search_after': '[]' });
          return true;
        },
      });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      expect(ids(await client.listDirectoryEvents({ service: ['directory'], startTime: START, limit: 2 }).toArray())).toEqual(['a', 'b']);
      // the cursor went back as it came, a number and a string
      expect(di.requests[1].body?.['search_after']).toEqual([1767225600000, 'b']);
    });

    it('without the count headers, a page with fewer events than asked for is the last', async () => {
      const di = await start({ events: events(7), noCountHeaders: true });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      expect(await client.listDirectoryEvents({ service: ['directory'], startTime: START, limit: 5 }).toArray()).toHaveLength(7);
      expect(di.requests).toHaveLength(2);
    });

    it('gives each event once, when pages overlap and when a page repeats an event', async () => {
      const twice = [...events(6), { ...events(6)[2] }];
      const di = await start({ events: events(25), overlap: true });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      const read = await client.listDirectoryEvents({ service: ['directory'], startTime: START, limit: 10 }).toArray();
      expect(ids(read)).toEqual(ids(events(25)));
      expect(di.requests.length).toBe(3); // 10, then 10 from e009 (9 new), then 7 from e018

      await di.close();
      fixture = await start({ events: twice });
      const again = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl });
      expect(ids(await again.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray())).toEqual(ids(events(6)));
    });

    it('reads newest first with DESC, within the window, from the services asked for', async () => {
      const mixed: FixtureEvent[] = [
        ...events(4),
        event('login-1', '2026-01-01T00:00:01.500Z', { service: 'sso', event_type: 'sso_auth' }),
        event('late', '2026-02-01T00:00:00.000Z'),
      ];
      const di = await start({ events: mixed });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      const read = await client
        .listDirectoryEvents({ service: ['directory', 'sso'], startTime: START, endTime: '2026-01-01T00:00:02.000Z', sort: 'DESC', limit: 2 })
        .toArray();
      expect(ids(read)).toEqual(['e002', 'login-1', 'e001', 'e000']);
      expect(ids(await client.listDirectoryEvents({ service: ['sso'], startTime: START }).toArray())).toEqual(['login-1']);
    });

    it('always asks for id among the fields', async () => {
      const di = await start({ events: events(3) });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      const read = await client.listDirectoryEvents({ service: ['directory'], startTime: START, fields: ['timestamp'] }).toArray();
      expect(di.requests[0].body?.['fields']).toEqual(['id', 'timestamp']);
      expect(read[0]).toEqual({ id: 'e000', timestamp: events(1)[0].timestamp });
    });

    it('sends the x-org-id of the query, and of forOrganization', async () => {
      const di = await start({ events: events(1) });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      await client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray();
      await client.listDirectoryEvents({ service: ['directory'], startTime: START, orgId: 'org-2' }).toArray();
      await client.forOrganization('org-3').listDirectoryEvents({ service: ['directory'], startTime: START }).toArray();
      expect(di.requests.map((r) => r.headers['x-org-id'])).toEqual([undefined, 'org-2', 'org-3']);
      expect(client.requestCounts().byEndpoint).toEqual({ [ENDPOINT]: 3 });
    });

    it('refuses a query that cannot be sent, before any request', () => {
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9' });
      const list = (o: Partial<Parameters<typeof client.listDirectoryEvents>[0]>) => () =>
        client.listDirectoryEvents({ service: ['directory'], startTime: START, ...o });
      expect(list({ limit: 0 })).toThrow(JumpCloudClientConfigError);
      expect(list({ limit: 10_001 })).toThrow(/from 1 to 10000/);
      expect(list({ service: [] })).toThrow(/at least one service/);
      expect(list({ startTime: 'yesterday' })).toThrow(/startTime is not a date/);
      expect(client.requestCounts().total).toBe(0);
    });
  });

  describe('the Directory Insights URL', () => {
    it("is the region's Directory Insights host for JumpCloud's consoles, and none is documented for IN", () => {
      expect(createJumpCloudClient({ apiKey: API_KEY }).directoryInsightsUrl).toBe('https://api.jumpcloud.com/insights/directory/v1');
      expect(createJumpCloudClient({ apiKey: API_KEY, region: 'eu' }).directoryInsightsUrl).toBe('https://api.eu.jumpcloud.com/insights/directory/v1');
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'https://console.jumpcloud.com/api/v2/' }).directoryInsightsUrl).toBe(
        'https://api.jumpcloud.com/insights/directory/v1',
      );
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'https://console.eu.jumpcloud.com' }).directoryInsightsUrl).toBe(
        'https://api.eu.jumpcloud.com/insights/directory/v1',
      );
      expect(createJumpCloudClient({ apiKey: API_KEY, region: 'in' }).directoryInsightsUrl).toBeUndefined();
    });

    it('is below any other base URL (a simulator serves both on one origin)', () => {
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:8080/' }).directoryInsightsUrl).toBe('http://127.0.0.1:8080/insights/directory/v1');
      expect(createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'https://proxy.example.com/jumpcloud/api' }).directoryInsightsUrl).toBe(
        'https://proxy.example.com/jumpcloud/insights/directory/v1',
      );
    });

    it('is the option when given, checked as the base URL is', () => {
      const given = (directoryInsightsUrl: string, allowInsecureHttp?: boolean) =>
        createJumpCloudClient({ apiKey: API_KEY, region: 'in', directoryInsightsUrl, allowInsecureHttp }).directoryInsightsUrl;
      expect(given('https://di.example.com/v1/')).toBe('https://di.example.com/v1');
      expect(() => given('http://di.example.com')).toThrow(JumpCloudClientConfigError);
      expect(given('http://di.example.com', true)).toBe('http://di.example.com');
      expect(() => given('https://di.example.com/?x=1')).toThrow(/query or a fragment/);
      expect(() => given('https://user:pw@di.example.com')).toThrow(/credentials/);
    });

    it('sends the query to the option, apart from the console', async () => {
      const di = await start({ events: events(2), path: '/di/events' });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9', directoryInsightsUrl: `${di.baseUrl}/di` });
      expect(await client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray()).toHaveLength(2);
      expect(di.requests.map((r) => r.url)).toEqual(['/di/events']);
    });

    it('without one (IN), rejects as Directory Insights unavailable, sending nothing', async () => {
      const client = createJumpCloudClient({ apiKey: API_KEY, region: 'in' });
      const error = await client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DirectoryInsightsUnavailableError);
      expect(error).toMatchObject({ status: null, fatal: false, message: expect.stringContaining('directoryInsightsUrl') });
      expect(client.requestCounts().total).toBe(0);
    });
  });

  describe('errors', () => {
    it.each([401, 403, 404])('%i: Directory Insights unavailable (not fatal, not retried), with the status', async (status) => {
      const di = await start({ script: (_req, res) => (send(res, status, { message: 'no' }), true) });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl, retry: fastRetry });
      const error = await client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DirectoryInsightsUnavailableError);
      expect(error).toBeInstanceOf(SourceFeatureUnavailableError);
      expect(error).toMatchObject({ code: 'JUMPCLOUD_DIRECTORY_INSIGHTS_UNAVAILABLE', status, fatal: false, endpoint: ENDPOINT, feature: 'Directory Insights' });
      expect(di.requests).toHaveLength(1);
    });

    it('a later page refused is unavailable too', async () => {
      const di = await start({ events: events(15), script: (_req, res, i) => i === 1 && (send(res, 403, {}), true) });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      const read: string[] = [];
      const error = await (async () => {
        for await (const e of client.listDirectoryEvents({ service: ['directory'], startTime: START, limit: 10 })) read.push(e.id);
      })().catch((e: unknown) => e);
      expect(read).toHaveLength(10);
      expect(error).toMatchObject({ status: 403, code: 'JUMPCLOUD_DIRECTORY_INSIGHTS_UNAVAILABLE' });
    });

    it('retries a 5xx, and past the retries fails as an ordinary API error', async () => {
      const di = await start({ events: events(3), script: (_req, res, i) => i === 0 && (send(res, 502, {}), true) });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl, retry: fastRetry });
      expect(await client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray()).toHaveLength(3);
      expect(client.requestCounts()).toEqual({ total: 2, retries: 1, byEndpoint: { [ENDPOINT]: 2 } });
      // the retry sent the same query
      expect(di.requests[1].body).toEqual(di.requests[0].body);

      await di.close();
      fixture = await start({ script: (_req, res) => (send(res, 503, { message: 'down' }), true) });
      const down = createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl, retry: fastRetry });
      const error = await down.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JumpCloudApiError);
      expect(error).not.toBeInstanceOf(DirectoryInsightsUnavailableError);
      expect(error).toMatchObject({ status: 503, endpoint: ENDPOINT, fatal: false });
      expect(fixture.requests).toHaveLength(3);
      expect(down.requestCounts()).toEqual({ total: 3, retries: 2, byEndpoint: { [ENDPOINT]: 3 } });
    });

    it('honours Retry-After on 429', async () => {
      const di = await start({ events: events(1), script: (_req, res, i) => i === 0 && (send(res, 429, {}, { 'retry-after': '1' }), true) });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl, retry: { ...fastRetry, maxRetryAfterMs: 3000 } });
      expect(await client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray()).toHaveLength(1);
      expect(di.requests).toHaveLength(2);
      // the header's second, not the 1-5 ms backoff
      expect(di.requests[1].at - di.requests[0].at).toBeGreaterThanOrEqual(900);
      expect(client.schedulerStats().throttles).toBe(1);
    });

    it('does not retry a 400', async () => {
      const di = await start({ script: (_req, res) => (send(res, 400, { message: 'start_time is too old' }), true) });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl, retry: fastRetry });
      await expect(client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray()).rejects.toThrow(
        `JumpCloud answered HTTP 400 on ${ENDPOINT}: start_time is too old`,
      );
      expect(di.requests).toHaveLength(1);
    });

    it.each([
      ['a body that is not an array', () => ({ status: 200, body: { events: [] }, headers: {} }), /expected an array of events/],
      ['an event without an id', () => ({ status: 200, body: [{ event_type: 'x' }], headers: {} }), /an event has no id/],
      ['a full page without a cursor', () => ({ status: 200, body: [{ id: 'a' }], headers: { 'X-Limit': '1', 'X-Result-Count': '1' } }), /without X-Search_after/],
      ['a cursor that is not JSON', () => ({ status: 200, body: [{ id: 'a' }], headers: { 'X-Limit': '1', 'X-Result-Count': '1', 'X-Search_after': 'a,b' } }), /not JSON/],
      ['a count that is not one', () => ({ status: 200, body: [], headers: { 'X-Limit': 'ten' } }), /X-Limit is not a count/],
    ])('rejects %s as a malformed page', async (_name, page, message) => {
      const di = await start({
        script: (_req, res) => {
          const { status, body, headers } = page();
          send(res, status, body, headers);
          return true;
        },
      });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      const error = await client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JumpCloudResponseError);
      expect((error as Error).message).toMatch(message);
    });

    it('rejects a cursor that does not move, instead of paging for ever', async () => {
      const di = await start({
        script: (_req, res, i) => (send(res, 200, [{ id: `e${i}` }], { 'X-Limit': '1', 'X-Result-Count': '1', 'X-Search_after': '["1","x"]' }), true),
      });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl });
      await expect(client.listDirectoryEvents({ service: ['directory'], startTime: START, limit: 1 }).toArray()).rejects.toThrow(/same X-Search_after twice/);
      expect(di.requests).toHaveLength(2);
    });

    it("cancels with the caller's signal", async () => {
      const di = await start({ script: () => true }); // never answers
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl, timeoutMs: 30_000 });
      const controller = new AbortController();
      const read = client.listDirectoryEvents({ service: ['directory'], startTime: START, signal: controller.signal }).toArray();
      while (di.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort(new Error('run cancelled'));
      await expect(read).rejects.toThrow('run cancelled');
    });
  });

  describe('one transport with the console API', () => {
    it('shares the scheduler and the request counts with the console lists', async () => {
      // Every answer takes 100 ms: with one request in flight at most, the second arrives after the first is answered.
      const di = await start({
        script: (req, res) => {
          const [body, headers] = req.url.startsWith('/api/')
            ? [{ totalCount: 0, results: [] }, {}]
            : [[{ id: 'e1' }], { 'X-Limit': '10000', 'X-Result-Count': '1' }];
          setTimeout(() => send(res, 200, body, headers), 100);
          return true;
        },
      });
      const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl, concurrency: 1 });
      await Promise.all([client.listSystemUsers().toArray(), client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray()]);
      expect(di.requests.map((r) => r.url).sort()).toEqual(['/api/systemusers?skip=0&limit=100&sort=_id', '/insights/directory/v1/events']);
      expect(client.schedulerStats().maxInFlight).toBe(1);
      expect(di.requests[1].at - di.requests[0].at).toBeGreaterThanOrEqual(90);
      expect(client.requestCounts()).toEqual({ total: 2, retries: 0, byEndpoint: { 'GET /api/systemusers': 1, [ENDPOINT]: 1 } });
    });

    it('sends the query again on a retry, with the default transport and with globalThis.fetch', async () => {
      for (const fetch of [undefined, globalThis.fetch]) {
        const di = await start({ events: events(2), script: (_req, res, i) => i === 0 && (send(res, 500, {}), true) });
        const client = createJumpCloudClient({ apiKey: API_KEY, baseUrl: di.baseUrl, retry: fastRetry, fetch });
        expect(await client.listDirectoryEvents({ service: ['directory'], startTime: START }).toArray()).toHaveLength(2);
        expect(di.requests.map((r) => r.body?.['service'])).toEqual([['directory'], ['directory']]);
        await di.close();
        fixture = undefined;
      }
    });
  });
});

describe('JumpCloudApiSource.directoryEvents', () => {
  let fixture: Awaited<ReturnType<typeof startDirectoryInsightsFixture>> | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  const association = event('a1', '2026-01-01T00:00:05.000Z', {
    event_type: 'association_change',
    organization: 'org-1',
    success: true,
    initiated_by: { id: 'admin-1', type: 'admin', email: 'admin@example.com' },
    association: { op: 'add', action_source: 'manual', connection: { from: { type: 'user_group', object_id: 'g1', name: 'Eng' }, to: { type: 'user', object_id: 'u1' } } },
    client_ip: '192.0.2.1',
    changes: [{ field: 'x' }],
  });

  it('gives validated domain events, page by page, in the organization asked for', async () => {
    fixture = await startDirectoryInsightsFixture({ events: [...events(3), association] });
    const source = new JumpCloudApiSource(createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl }), { orgId: 'org-1' });
    const pages = [];
    for await (const page of source.directoryEvents('org-1', { service: ['directory'], startTime: START, limit: 3 })) pages.push(page);
    expect(pages.map((p) => ids(p))).toEqual([['e000', 'e001', 'e002'], ['a1']]);
    expect(pages[1][0]).toEqual({
      id: 'a1',
      eventType: 'association_change',
      service: 'directory',
      timestamp: '2026-01-01T00:00:05.000Z',
      organization: 'org-1',
      success: true,
      initiatedBy: { id: 'admin-1', type: 'admin', email: 'admin@example.com', username: null },
      resource: null,
      association: { from: { id: 'g1', type: 'user_group' }, to: { id: 'u1', type: 'user' }, action: 'add' },
      username: null,
      clientIp: '192.0.2.1',
      raw: association,
    });
    expect(fixture.requests.map((r) => r.headers['x-org-id'])).toEqual(['org-1', 'org-1']);
    expect(source.requestCounts().byEndpoint).toEqual({ [ENDPOINT]: 2 });
  });

  it('rejects with a SourceFeatureUnavailableError where Directory Insights is refused', async () => {
    fixture = await startDirectoryInsightsFixture({ script: (_req, res) => (send(res, 403, {}), true) });
    const source = new JumpCloudApiSource(createJumpCloudClient({ apiKey: API_KEY, baseUrl: fixture.baseUrl }));
    const read = async () => {
      for await (const page of source.directoryEvents('org-1', { service: ['all'], startTime: START })) void page;
    };
    await expect(read()).rejects.toBeInstanceOf(SourceFeatureUnavailableError);
  });

  it('toDirectoryEvent: reads the named fields, keeps the rest in raw, and refuses an event the sync cannot use', () => {
    const login = { id: 'l1', event_type: 'sso_auth', service: 'sso', timestamp: '2026-01-01T10:00:00.123456+02:00', username: 'ada', success: false, resource: { id: 'app1', type: 'application', name: 'Wiki' }, extra: 1 };
    expect(toDirectoryEvent(login)).toMatchObject({
      eventType: 'sso_auth',
      service: 'sso',
      timestamp: '2026-01-01T10:00:00.123456+02:00',
      username: 'ada',
      success: false,
      resource: { id: 'app1', type: 'application', name: 'Wiki', username: null },
      initiatedBy: null,
      association: null,
      organization: null,
      clientIp: null,
      raw: login,
    });
    expect(toDirectoryEvent({ ...login, association: { action: 'remove' } }).association).toEqual({ from: null, to: null, action: 'remove' });
    // the ends' ids and what was done, under either name
    const edge = { connection: { from: { type: 'user', id: 'u1' }, to: { type: 'system', object_id: 's1', id: 'ignored' } }, op: 'update', action: 'ignored' };
    expect(toDirectoryEvent({ ...login, association: edge }).association).toEqual({ from: { id: 'u1', type: 'user' }, to: { id: 's1', type: 'system' }, action: 'update' });
    expect(() => toDirectoryEvent({ ...login, timestamp: 'yesterday' })).toThrow(/malformed Directory Insights event l1 on POST \/insights\/directory\/v1\/events: timestamp/);
    expect(() => toDirectoryEvent({ ...login, event_type: undefined })).toThrow(JumpCloudResponseError);
    expect(() => toDirectoryEvent({ ...login, success: 'yes' })).toThrow(/success/);
  });
});
