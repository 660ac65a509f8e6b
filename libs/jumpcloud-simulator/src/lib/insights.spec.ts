import { request as httpRequest } from 'node:http';
import { request as undiciRequest } from 'undici';
import { createDataset } from './dataset';
import type { OrganizationData, PastLogin, SimulatorDataset } from './dataset.types';
import type { DirectoryInsightsEvent } from './insights';
import { useClockedSimulator } from './__fixtures__/clocked-simulator';
import { type SimulatorOptions } from './simulator';

const START = Date.UTC(2026, 0, 15, 9, 0, 0);
const MINUTE = 60_000;
const EVENTS_PATH = '/insights/directory/v1/events';

interface Page {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A simulator per describe block with a clock the test moves, and DI queries over fetch. */
function useSimulator(options: Omit<SimulatorOptions, 'now'>) {
  const { clock, sim } = useClockedSimulator(options, START);
  const post = async (body: unknown, headers: Record<string, string> = {}): Promise<Page> => {
    const res = await fetch(`${sim().baseUrl}${EVENTS_PATH}`, {
      method: 'POST',
      headers: { 'x-api-key': sim().apiKey, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
  };
  const events = async (body: unknown, headers?: Record<string, string>): Promise<DirectoryInsightsEvent[]> => {
    const page = await post(body, headers);
    expect(page.status).toBe(200);
    return page.body as DirectoryInsightsEvent[];
  };
  /** Reads every page as a client should: until X-Result-Count is below X-Limit, sending X-Search_after back. */
  const allPages = async (query: Record<string, unknown>, headers?: Record<string, string>) => {
    const seen: DirectoryInsightsEvent[] = [];
    const pages: number[] = [];
    let searchAfter: unknown;
    for (let i = 0; i < 1000; i++) {
      const page = await post(searchAfter === undefined ? query : { ...query, search_after: searchAfter }, headers);
      expect(page.status).toBe(200);
      const batch = page.body as DirectoryInsightsEvent[];
      const limit = Number(page.headers.get('x-limit'));
      expect(Number(page.headers.get('x-result-count'))).toBe(batch.length);
      expect(page.headers.get('x-sort')).toBe(typeof query['sort'] === 'string' && query['sort'].toUpperCase() === 'DESC' ? 'DESC' : 'ASC');
      const header = JSON.parse(page.headers.get('x-search_after') ?? 'null') as unknown;
      const last = batch[batch.length - 1];
      if (last) expect(header).toEqual([Date.parse(last.timestamp), last.id]);
      seen.push(...batch);
      pages.push(batch.length);
      if (batch.length < limit) return { events: seen, pages };
      searchAfter = header;
    }
    throw new Error('paging did not end');
  };
  const tick = (ms: number) => {
    clock.now += ms;
  };
  const org = (index = 0) => sim().dataset.organizations[index] as OrganizationData;
  return { sim, post, events, allPages, tick, org, clock };
}

const iso = (ms: number) => new Date(ms).toISOString();
const ids = (events: readonly DirectoryInsightsEvent[]) => events.map((event) => event.id);

async function expectError(page: Page, status: number): Promise<string> {
  expect(page.status).toBe(status);
  const body = page.body as { code: number; message: string; status: string };
  expect(body).toEqual({ code: status, message: expect.any(String), status: expect.any(String) });
  return body.message;
}

/** A dataset without generated past logins, with these instead (several in the same millisecond, to test ties). */
function withLogins(logins: (org: OrganizationData) => PastLogin[], options = {}): SimulatorDataset {
  const dataset = createDataset({ users: 6, groups: 2, systems: 3, applications: 2, edgeCases: false, pastLogins: false, ...options });
  for (const organization of dataset.organizations) organization.pastLogins = logins(organization);
  return dataset;
}

describe('Directory Insights: paging with search_after', () => {
  const dataset = withLogins((org) =>
    Array.from({ length: 23 }, (_, i): PastLogin => {
      const services = ['sso', 'directory', 'systems', 'radius', 'ldap'] as const;
      // Three logins to a minute: timestamps tie, and search_after must still name each event once.
      return { userId: org.users[i % org.users.length]?._id ?? '', service: services[i % 5] ?? 'sso', success: i % 4 !== 0, msBeforeStart: (40 - Math.floor(i / 3)) * MINUTE };
    }),
  );
  const { sim, allPages, events, tick, org } = useSimulator({ dataset });

  beforeAll(() => {
    // And changes made through the control after the start, some in the same millisecond.
    const user = sim().control.createUser({ username: 'new.hire', email: 'new.hire@example.com' });
    sim().control.updateUser(user._id, { department: 'Sales' });
    tick(MINUTE);
    sim().control.addUserGroupMember(org().userGroups[0]?.id ?? '', user._id);
    sim().control.login(user._id, 'sso');
  });

  it('serves the past logins and the recorded changes, oldest first by default', async () => {
    const all = sim().control.events();
    expect(all).toHaveLength(27);
    const body = await events({ service: ['all'], start_time: iso(START - 60 * MINUTE) });
    expect(ids(body)).toEqual(ids(all));
    const times = body.map((event) => Date.parse(event.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it.each([1, 2, 5, 7, 27, 100])('pages of %i: every event exactly once, in order, ASC and DESC', async (limit) => {
    const expected = ids(sim().control.events());
    const query = { service: ['all'], start_time: iso(START - 60 * MINUTE), limit };
    const up = await allPages({ ...query, sort: 'ASC' });
    expect(ids(up.events)).toEqual(expected);
    const down = await allPages({ ...query, sort: 'desc' });
    expect(ids(down.events)).toEqual([...expected].reverse());
    // Full pages until the last, which is short (empty when the events fill the pages exactly).
    expect(up.pages.slice(0, -1).every((size) => size === limit)).toBe(true);
    expect(up.pages[up.pages.length - 1]).toBe(expected.length % limit);
  });

  it('accepts the timestamp of search_after as a string too, and an empty search_after as none', async () => {
    const first = await events({ service: ['all'], start_time: iso(START - 60 * MINUTE), limit: 4 });
    const last = first[3] as DirectoryInsightsEvent;
    const next = await events({ service: ['all'], start_time: iso(START - 60 * MINUTE), limit: 4, search_after: [String(Date.parse(last.timestamp)), last.id] });
    expect(ids(next)).toEqual(ids(sim().control.events()).slice(4, 8));
    expect(ids(await events({ service: ['all'], start_time: iso(START - 60 * MINUTE), limit: 4, search_after: [] }))).toEqual(ids(first));
  });

  it('places the past logins of the dataset before the time of its clock at construction', () => {
    const past = sim().control.events().slice(0, 23);
    const expected = (org().pastLogins ?? []).map((login) => iso(START - login.msBeforeStart)).sort();
    expect(past.map((event) => event.timestamp)).toEqual(expected);
  });

  it('gives recorded events strictly increasing timestamps with milliseconds, from the clock it was given', async () => {
    const recorded = sim().control.events().slice(-4);
    expect(recorded.map((event) => event.timestamp)).toEqual([iso(START), iso(START + 1), iso(START + MINUTE), iso(START + MINUTE + 1)]);
    expect(recorded.map((event) => event.event_type)).toEqual(['user_create', 'user_update', 'association_change', 'sso_auth']);
    expect(new Set(ids(sim().control.events())).size).toBe(27);
  });
});

describe('Directory Insights: filters and limits', () => {
  const dataset = withLogins((org) => [
    ...Array.from({ length: 1100 }, (_, i): PastLogin => ({ userId: org.users[0]?._id ?? '', service: 'radius', success: true, msBeforeStart: 2 * 86_400_000 + i * 1000 })),
    { userId: org.users[1]?._id ?? '', service: 'sso', success: true, msBeforeStart: 30 * MINUTE, applicationId: org.applications[1]?._id },
    { userId: org.users[2]?._id ?? '', service: 'systems', success: false, msBeforeStart: 20 * MINUTE, systemId: org.systems[2]?._id },
    { userId: org.users[3]?._id ?? '', service: 'ldap', success: true, msBeforeStart: 10 * MINUTE },
    { userId: org.users[4]?._id ?? '', service: 'directory', success: true, msBeforeStart: 5 * MINUTE },
  ]);
  const { sim, post, events, allPages, org } = useSimulator({ dataset });
  const recent = iso(START - 60 * MINUTE);

  it('keeps the services asked for; all is every one', async () => {
    const of = async (service: string[]) => (await events({ service, start_time: recent })).map((event) => event.event_type);
    expect(await of(['sso'])).toEqual(['sso_auth']);
    expect(await of(['systems', 'ldap'])).toEqual(['login_attempt', 'ldap_bind']);
    expect(await of(['directory'])).toEqual(['user_login_attempt']);
    expect(await of(['all'])).toEqual(['sso_auth', 'login_attempt', 'ldap_bind', 'user_login_attempt']);
    expect(await of(['mdm', 'software'])).toEqual([]);
    expect((await allPages({ service: ['radius'], start_time: iso(START - 3 * 86_400_000), limit: 10_000 })).events).toHaveLength(1100);
  });

  it('keeps the time window, both ends included; end_time defaults to now', async () => {
    const all = sim().control.events();
    const [sso, systems, ldap] = all.slice(-4);
    const window = await events({ service: ['all'], start_time: sso?.timestamp, end_time: ldap?.timestamp });
    expect(ids(window)).toEqual([sso?.id, systems?.id, ldap?.id]);
    expect(await events({ service: ['all'], start_time: iso(START - 15 * MINUTE), end_time: iso(START - 12 * MINUTE) })).toEqual([]);
    // Another zone, and no zone at all (UTC), as DI accepts.
    const offset = await events({ service: ['all'], start_time: '2026-01-15T10:45:00+02:00' });
    expect(ids(offset)).toEqual(ids(all.slice(-2)));
    expect(ids(await events({ service: ['all'], start_time: '2026-01-15T08:45:00' }))).toEqual(ids(all.slice(-2)));
  });

  it('gives each login the user the way DI does for its service', async () => {
    const byType = new Map((await events({ service: ['all'], start_time: recent })).map((event) => [event.event_type, event]));
    const user = (i: number) => org().users[i];
    expect(byType.get('sso_auth')).toEqual(
      expect.objectContaining({
        service: 'sso',
        success: true,
        initiated_by: { id: user(1)?._id, type: 'user', username: user(1)?.username },
        application: expect.objectContaining({ id: org().applications[1]?._id, display_label: org().applications[1]?.displayLabel }),
      }),
    );
    expect(byType.get('login_attempt')).toEqual(
      expect.objectContaining({
        service: 'systems',
        success: false,
        username: user(2)?.username,
        initiated_by: { id: user(2)?._id, type: 'user', username: user(2)?.username },
        system: { id: org().systems[2]?._id, hostname: org().systems[2]?.hostname, displayName: org().systems[2]?.displayName },
      }),
    );
    expect(byType.get('ldap_bind')).toEqual(expect.objectContaining({ service: 'ldap', username: user(3)?.username, dn: expect.stringContaining(`uid=${user(3)?.username},`) }));
    expect(byType.get('ldap_bind')).not.toHaveProperty('initiated_by');
    expect(byType.get('user_login_attempt')).toEqual(
      expect.objectContaining({ service: 'directory', resource: { id: user(4)?._id, type: 'user', username: user(4)?.username }, initiated_by: expect.objectContaining({ id: user(4)?._id }) }),
    );
    const radius = (await events({ service: ['radius'], start_time: iso(START - 3 * 86_400_000), limit: 1 }))[0];
    expect(radius).toEqual(expect.objectContaining({ event_type: 'radius_auth', username: user(0)?.username, initiated_by: { type: 'user', username: user(0)?.username } }));
    for (const event of byType.values()) expect(event).toEqual(expect.objectContaining({ id: expect.stringMatching(/^[0-9a-f]{24}$/), organization: org().organization._id }));
  });

  it('pages 1,000 events by default, up to 10,000 when asked, and the default for limits out of bounds', async () => {
    const since = iso(START - 3 * 86_400_000);
    const limitOf = async (limit?: number) => {
      const page = await post({ service: ['radius'], start_time: since, ...(limit === undefined ? {} : { limit }) });
      expect(page.status).toBe(200);
      return [page.headers.get('x-limit'), page.headers.get('x-result-count')];
    };
    expect(await limitOf()).toEqual(['1000', '1000']);
    expect(await limitOf(10_000)).toEqual(['10000', '1100']);
    expect(await limitOf(1)).toEqual(['1', '1']);
    expect(await limitOf(10_001)).toEqual(['1000', '1000']);
    expect(await limitOf(0)).toEqual(['1000', '1000']);
    expect(await limitOf(-3)).toEqual(['1000', '1000']);
  });

  it('sorts ascending unless DESC is asked (in any case), as DI does', async () => {
    const query = { service: ['all'], start_time: recent };
    const up = ids(await events(query));
    expect(ids(await events({ ...query, sort: 'nonsense' }))).toEqual(up);
    expect(ids(await events({ ...query, sort: 'Desc' }))).toEqual([...up].reverse());
  });

  it('takes search_term (and, or, not; dotted fields; lists of values) and fields', async () => {
    const query = { service: ['all'], start_time: recent };
    const types = async (searchTerm: unknown) => (await events({ ...query, search_term: searchTerm })).map((event) => event.event_type);
    expect(await types({ and: [{ success: 'false' }] })).toEqual(['login_attempt']);
    expect(await types({ or: [{ event_type: ['sso_auth', 'ldap_bind'] }, { 'initiated_by.username': org().users[4]?.username?.toUpperCase() }] })).toEqual([
      'sso_auth',
      'ldap_bind',
      'user_login_attempt',
    ]);
    expect(await types({ not: { service: 'sso' } })).toEqual(['login_attempt', 'ldap_bind', 'user_login_attempt']);
    expect(await types({ and: [{ service: 'systems' }, { or: [{ success: true }, { username: org().users[2]?.username }] }] })).toEqual(['login_attempt']);
    const projected = await events({ ...query, fields: ['event_type', 'initiated_by.id'] });
    expect(projected[0]).toEqual({ event_type: 'sso_auth', initiated_by: { id: org().users[1]?._id } });
  });

  it('answers 400 with a message to a body it cannot take', async () => {
    const bad: unknown[] = [
      '',
      'not json',
      '[]',
      {},
      { start_time: recent },
      { service: [], start_time: recent },
      { service: 'sso', start_time: recent },
      { service: ['bogus'], start_time: recent },
      { service: ['sso'] },
      { service: ['sso'], start_time: '2026-01-15' },
      { service: ['sso'], start_time: '2026-02-30T00:00:00Z' },
      { service: ['sso'], start_time: 1_700_000_000 },
      { service: ['sso'], start_time: iso(START + MINUTE) },
      { service: ['sso'], start_time: recent, end_time: iso(START - 2 * 60 * MINUTE) },
      { service: ['sso'], start_time: recent, limit: 'ten' },
      { service: ['sso'], start_time: recent, limit: 2.5 },
      { service: ['sso'], start_time: recent, skip: -1 },
      { service: ['sso'], start_time: recent, search_after: 'abc' },
      { service: ['sso'], start_time: recent, search_after: [123] },
      { service: ['sso'], start_time: recent, search_after: [123, 456] },
      { service: ['sso'], start_time: recent, search_term: { xor: [] } },
      { service: ['sso'], start_time: recent, search_term: { and: [{ success: { gt: 1 } }] } },
      { service: ['sso'], start_time: recent, fields: [] },
      { service: ['sso'], start_time: recent, fields: ['nothing_known'] },
      { service: ['sso'], start_time: recent, q: 'free text' },
    ];
    const messages = [];
    for (const body of bad) messages.push(await expectError(await post(body), 400));
    expect(messages[7]).toContain('directory');
    expect(messages[12]).toMatch(/future/);
    expect(messages[13]).toMatch(/before start_time/);
  });

  it('answers 401 without the key, and 405 to another method', async () => {
    const noKey = await fetch(`${sim().baseUrl}${EVENTS_PATH}`, { method: 'POST', body: JSON.stringify({ service: ['all'], start_time: recent }) });
    expect(noKey.status).toBe(401);
    const get = await fetch(`${sim().baseUrl}${EVENTS_PATH}`, { headers: { 'x-api-key': sim().apiKey } });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('is logged, limited and faulted like the console API', async () => {
    sim().resetLog();
    sim().addFault({ kind: 'server-error', endpoint: 'POST /insights/directory/v1/events', status: 503, times: 1 });
    await expectError(await post({ service: ['all'], start_time: recent }), 503);
    expect((await post({ service: ['all'], start_time: recent })).status).toBe(200);
    sim().clearFaults();
    expect(sim().stats().byEndpoint).toEqual({ 'POST /insights/directory/v1/events': 2 });
    expect(sim().requestLog.map((entry) => [entry.status, entry.fault, entry.orgId])).toEqual([
      [503, 'server-error', org().organization._id],
      [200, undefined, org().organization._id],
    ]);
  });
});

describe('Directory Insights for a key without it', () => {
  const { sim, post } = useSimulator({ dataset: { users: 5, edgeCases: false }, directoryInsights: false });

  it('answers 403, while the console API and the control go on working', async () => {
    await expectError(await post({ service: ['all'], start_time: iso(START - 60 * MINUTE) }), 403);
    // Before reading the body: a key without DI learns nothing of what it sent.
    await expectError(await post('not json'), 403);
    const users = await fetch(`${sim().baseUrl}/api/systemusers`, { headers: { 'x-api-key': sim().apiKey } });
    expect(users.status).toBe(200);
    const user = sim().dataset.organizations[0]?.users[0]?._id ?? '';
    expect(sim().control.login(user, 'directory').event_type).toBe('user_login_attempt');
  });
});

describe('Directory Insights with several organizations', () => {
  const { sim, post, events, allPages } = useSimulator({ dataset: { organizations: 3, users: 4, groups: 1, edgeCases: false, pastLogins: false } });
  const query = { service: ['all'], start_time: iso(START - MINUTE) };
  const orgId = (i: number) => sim().dataset.organizations[i]?.organization._id ?? '';

  beforeAll(() => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) {
        const organization = sim().dataset.organizations[i] as OrganizationData;
        sim().control.login(organization.users[round]?._id ?? '', 'sso');
      }
    }
  });

  it('needs x-org-id, and serves the events of the organization it names only', async () => {
    await expectError(await post(query), 401);
    for (let i = 0; i < 3; i++) {
      const served = await events(query, { 'x-org-id': orgId(i) });
      expect(served).toHaveLength(3);
      expect(served.every((event) => event.organization === orgId(i))).toBe(true);
    }
  });

  it('merges several organizations (repeated or comma-joined x-org-id) in time order, and pages them', async () => {
    const two = await events(query, { 'x-org-id': `${orgId(0)}, ${orgId(2)}` });
    expect(two.map((event) => event.organization)).toEqual([orgId(0), orgId(2), orgId(0), orgId(2), orgId(0), orgId(2)]);
    const paged = await allPages({ ...query, limit: 2 }, { 'x-org-id': `${orgId(0)},${orgId(1)},${orgId(2)}` });
    expect(paged.events).toHaveLength(9);
    expect(new Set(ids(paged.events)).size).toBe(9);
  });

  it('takes x-org-id repeated as separate header lines', async () => {
    const body = JSON.stringify(query);
    const organizations = await new Promise<string[]>((resolve, reject) => {
      const req = httpRequest(
        `${sim().baseUrl}${EVENTS_PATH}`,
        { method: 'POST', headers: ['host', new URL(sim().baseUrl).host, 'x-api-key', sim().apiKey, 'x-org-id', orgId(1), 'x-org-id', orgId(2), 'content-length', String(Buffer.byteLength(body))] },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve((JSON.parse(text) as DirectoryInsightsEvent[]).map((event) => event.organization)));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(organizations).toEqual([orgId(1), orgId(2), orgId(1), orgId(2), orgId(1), orgId(2)]);
  });

  it('answers 400 for a malformed x-org-id and 401 for one of no organization', async () => {
    await expectError(await post(query, { 'x-org-id': 'nope' }), 400);
    await expectError(await post(query, { 'x-org-id': `${orgId(0)},${'0'.repeat(24)}` }), 401);
  });
});

describe('Directory Insights and clients we did not write', () => {
  const { sim } = useSimulator({ dataset: { users: 40, edgeCases: false } });
  const query = { service: ['all'], start_time: iso(START - 61 * 86_400_000), limit: 10 };

  it('pages with undici on connections that close after each answer', async () => {
    const expected = ids(sim().control.events());
    expect(expected.length).toBeGreaterThan(20);
    const seen: string[] = [];
    let searchAfter: unknown;
    for (let i = 0; i < 100; i++) {
      const res = await undiciRequest(`${sim().baseUrl}${EVENTS_PATH}`, {
        method: 'POST',
        reset: true,
        headers: { 'x-api-key': sim().apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(searchAfter === undefined ? query : { ...query, search_after: searchAfter }),
      });
      expect([res.statusCode, res.headers['connection']]).toEqual([200, 'close']);
      const batch = (await res.body.json()) as DirectoryInsightsEvent[];
      seen.push(...ids(batch));
      if (Number(res.headers['x-result-count']) < Number(res.headers['x-limit'])) break;
      searchAfter = JSON.parse(String(res.headers['x-search_after']));
    }
    expect(seen).toEqual(expected);
  });

  it('answers a node:http POST that sends Connection: close, and closes the connection', async () => {
    const body = JSON.stringify(query);
    const answer = await new Promise<{ status: number; connection: string | undefined; events: DirectoryInsightsEvent[] }>((resolve, reject) => {
      const req = httpRequest(
        `${sim().baseUrl}${EVENTS_PATH}`,
        { method: 'POST', agent: false, headers: { 'x-api-key': sim().apiKey, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), Connection: 'close' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, events: JSON.parse(text) as DirectoryInsightsEvent[] }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect([answer.status, answer.connection]).toEqual([200, 'close']);
    expect(ids(answer.events)).toEqual(ids(sim().control.events()).slice(0, 10));
  });
});
