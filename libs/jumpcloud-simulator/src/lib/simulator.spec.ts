import type { components } from '@jumpcloud-graph/jumpcloud-client';
import { createDataset } from './dataset';
import type { OrganizationData, SimulatorDataset } from './dataset.types';
import { ENDPOINT_KEYS } from './routes';
import { JumpCloudSimulator, startJumpCloudSimulator, type SimulatorOptions } from './simulator';

type Schemas = components['schemas'];

/** Starts a simulator per describe block and sends authenticated requests to it. */
function useSimulator(options: SimulatorOptions) {
  const holder: { sim?: JumpCloudSimulator } = {};
  beforeAll(async () => {
    holder.sim = await startJumpCloudSimulator(options);
  });
  afterAll(async () => {
    await holder.sim?.stop();
  });
  const sim = () => {
    if (!holder.sim) throw new Error('simulator not started');
    return holder.sim;
  };
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${sim().baseUrl}${path}`, { headers: { 'x-api-key': sim().apiKey, ...headers } });
  const getJson = async <T>(path: string, headers?: Record<string, string>): Promise<T> => {
    const res = await get(path, headers);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const org = (index = 0) => sim().dataset.organizations[index] as OrganizationData;
  return { sim, get, getJson, org };
}

async function expectError(res: Response, status: number): Promise<Schemas['Error']> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as Schemas['Error'];
  expect(body).toEqual({ code: status, message: expect.any(String), status: expect.any(String) });
  return body;
}

type UserList = Schemas['SystemUserList'];

describe('JumpCloudSimulator over HTTP (single tenant)', () => {
  const { sim, get, getJson, org } = useSimulator({ dataset: { users: 30, groups: 3, membersPerGroup: 12, systems: 6, edgeCases: false } });

  it('serves on 127.0.0.1 with an ephemeral port', () => {
    expect(sim().baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim().baseUrl).not.toMatch(/:0$/);
  });

  describe('v1 lists', () => {
    it('answer { totalCount, results } with a default page of 10 in _id order', async () => {
      const body = await getJson<UserList>('/api/systemusers');
      expect(body.totalCount).toBe(30);
      expect(body.results?.map((u) => u._id)).toEqual(org().users.slice(0, 10).map((u) => u._id));
    });

    it('accept limit 100 and reject 101, negative and non-integer limits', async () => {
      expect((await getJson<UserList>('/api/systemusers?limit=100')).results).toHaveLength(30);
      await expectError(await get('/api/systemusers?limit=101'), 400);
      await expectError(await get('/api/systemusers?limit=-1'), 400);
      await expectError(await get('/api/systems?limit=2.5'), 400);
      await expectError(await get('/api/systems?skip=-1'), 400);
    });

    it('page with skip: every user once, in order', async () => {
      const seen: string[] = [];
      for (let skip = 0; skip < 30; skip += 7) {
        const body = await getJson<UserList>(`/api/systemusers?limit=7&skip=${skip}`);
        expect(body.totalCount).toBe(30);
        seen.push(...(body.results ?? []).map((u) => u._id));
      }
      expect(seen).toEqual(org().users.map((u) => u._id));
      expect((await getJson<UserList>('/api/systemusers?skip=30')).results).toEqual([]);
    });

    it('sort by space-separated fields, "-" for descending', async () => {
      const up = (await getJson<UserList>('/api/systemusers?limit=100&sort=username')).results?.map((u) => u.username ?? '') ?? [];
      expect(up).toEqual([...up].sort());
      const down = (await getJson<UserList>('/api/systemusers?limit=100&sort=-username')).results?.map((u) => u.username ?? '') ?? [];
      expect(down).toEqual([...up].reverse());
      const byTwo = (await getJson<UserList>('/api/systemusers?limit=100&sort=department%20-username')).results ?? [];
      // The API compares strings by code unit, as Mongo does, not by locale.
      const binary = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
      const expected = [...org().users].sort((a, b) => binary(a.department, b.department) || binary(b.username, a.username));
      expect(byTwo.map((u) => u._id)).toEqual(expected.map((u) => u._id));
    });

    it('return only the requested fields plus _id and id', async () => {
      const body = await getJson<UserList>('/api/systemusers?limit=3&fields=username+email');
      for (const user of body.results ?? []) expect(Object.keys(user).sort()).toEqual(['_id', 'email', 'id', 'username']);
    });

    it('carry id beside _id, with the same value, on every v1 object as the live API does', async () => {
      const lists = await Promise.all(
        ['/api/systemusers?limit=100', '/api/systems?limit=100', '/api/applications', '/api/organizations', '/api/systemusers?fields=email'].map((path) =>
          getJson<{ totalCount: number; results: { _id: string; id?: string }[] }>(path),
        ),
      );
      for (const { results } of lists) {
        expect(results.length).toBeGreaterThan(0);
        for (const object of results) expect(object.id).toBe(object._id);
      }
      const id = org().organization._id;
      for (const path of [`/api/organizations/${id}`, `/api/organizations/${id}?fields=accountType`]) {
        expect(await getJson<{ _id: string; id?: string }>(path)).toEqual(expect.objectContaining({ _id: id, id }));
      }
      // Only the v1 objects themselves: nested ones (ssh keys) and the dataset stay as they are.
      expect(org().users[0]).not.toHaveProperty('id');
    });

    it('filter with field:$eq:value and field:$ne:value', async () => {
      const department = org().users[0]?.department ?? '';
      const expected = org().users.filter((u) => u.department === department);
      const eq = await getJson<UserList>(`/api/systemusers?limit=100&filter=${encodeURIComponent(`department:$eq:${department}`)}`);
      expect(eq.totalCount).toBe(expected.length);
      expect(eq.results?.map((u) => u._id)).toEqual(expected.map((u) => u._id));
      const ne = await getJson<UserList>(`/api/systemusers?limit=100&filter=${encodeURIComponent(`department:$ne:${department}`)}`);
      expect(ne.totalCount).toBe(30 - expected.length);
      await expectError(await get('/api/systemusers?filter=department:$like:x'), 400);
    });

    it('serve applications and systems', async () => {
      const apps = await getJson<Schemas['ApplicationList']>('/api/applications');
      expect(apps.totalCount).toBe(3);
      const systems = await getJson<Schemas['SystemList']>('/api/systems?limit=100');
      expect(systems.results?.map((s) => s._id)).toEqual(org().systems.map((s) => s._id));
    });
  });

  describe('organizations', () => {
    it('lists the one organization with summary fields only', async () => {
      const body = await getJson<Schemas['OrganizationList']>('/api/organizations');
      expect(body.totalCount).toBe(1);
      expect(Object.keys(body.results?.[0] ?? {}).sort()).toEqual(['_id', 'displayName', 'id', 'logoUrl']);
    });

    it('returns accountType only when fields names it', async () => {
      const id = org().organization._id;
      const plain = await getJson<Schemas['Organization']>(`/api/organizations/${id}`);
      expect(plain).not.toHaveProperty('accountType');
      expect(plain).toEqual(expect.objectContaining({ _id: id, displayName: expect.any(String), created: expect.any(String), settings: expect.any(Object) }));
      const asked = await getJson<Schemas['Organization']>(`/api/organizations/${id}?fields=accountType`);
      expect(asked).toEqual({ _id: id, id, accountType: 'Direct' });
      const several = await getJson<Schemas['Organization']>(`/api/organizations/${id}?fields=accountType%20settings%20created`);
      expect(Object.keys(several).sort()).toEqual(['_id', 'accountType', 'created', 'id', 'settings']);
    });

    it('answers 404 for an unknown organization id', async () => {
      await expectError(await get('/api/organizations/0123456789abcdef01234567'), 404);
    });
  });

  describe('v2 lists and graph', () => {
    it('answer bare arrays, paged and sorted', async () => {
      const groups = await getJson<Schemas['UserGroup'][]>('/api/v2/usergroups');
      expect(Array.isArray(groups)).toBe(true);
      expect(groups.map((g) => g.id)).toEqual(org().userGroups.map((g) => g.id));
      const second = await getJson<Schemas['UserGroup'][]>('/api/v2/usergroups?limit=1&skip=1');
      expect(second.map((g) => g.id)).toEqual([org().userGroups[1]?.id]);
      const sorted = await getJson<Schemas['UserGroup'][]>('/api/v2/usergroups?sort=-name');
      const names = sorted.map((g) => g.name ?? '');
      expect(names).toEqual([...names].sort().reverse());
      expect(Array.isArray(await getJson('/api/v2/systemgroups'))).toBe(true);
    });

    it('support comma-joined fields and field:eq:value filters', async () => {
      const target = org().userGroups[2];
      const found = await getJson<Schemas['UserGroup'][]>(`/api/v2/usergroups?fields=name,email&filter=${encodeURIComponent(`name:eq:${target?.name}`)}`);
      expect(found).toEqual([{ id: target?.id, name: target?.name, email: target?.email }]);
      await expectError(await get('/api/v2/usergroups?limit=101'), 400);
    });

    it('page group members as { to: { id, type: "user" } } edges', async () => {
      const group = org().userGroups[0];
      const first = await getJson<Schemas['GraphConnection'][]>(`/api/v2/usergroups/${group?.id}/members`);
      const rest = await getJson<Schemas['GraphConnection'][]>(`/api/v2/usergroups/${group?.id}/members?skip=10&limit=100`);
      expect(first).toHaveLength(10);
      expect([...first, ...rest]).toEqual(org().userGroupMembers.get(group?.id ?? ''));
      expect(first[0]).toEqual({ to: { id: expect.any(String), type: 'user', attributes: null }, attributes: null });
      const systemGroup = org().systemGroups[0];
      const systems = await getJson<Schemas['GraphConnection'][]>(`/api/v2/systemgroups/${systemGroup?.id}/members`);
      expect(systems.every((c) => c.to.type === 'system')).toBe(true);
      expect(systems).toHaveLength(3);
    });

    it('answer 404 for unknown ids', async () => {
      const unknown = '0123456789abcdef01234567';
      await expectError(await get(`/api/v2/usergroups/${unknown}/members`), 404);
      await expectError(await get(`/api/v2/systemgroups/${unknown}/members`), 404);
      await expectError(await get(`/api/v2/applications/${unknown}/associations?targets=user`), 404);
      await expectError(await get(`/api/v2/systems/${unknown}/associations?targets=user`), 404);
      await expectError(await get(`/api/v2/users/${unknown}/associations?targets=system`), 404);
      await expectError(await get('/api/v2/nothing-here'), 404);
    });

    it('require a valid targets parameter on associations', async () => {
      const app = org().applications[0]?._id;
      await expectError(await get(`/api/v2/applications/${app}/associations`), 400);
      await expectError(await get(`/api/v2/applications/${app}/associations?targets=system`), 400);
      const users = await getJson<Schemas['GraphConnection'][]>(`/api/v2/applications/${app}/associations?targets=user`);
      expect(users.map((c) => c.to.type)).toEqual(['user', 'user', 'user']);
      const groups = await getJson<Schemas['GraphConnection'][]>(`/api/v2/applications/${app}/associations?targets=user_group`);
      expect(groups).toEqual([{ to: { id: expect.any(String), type: 'user_group', attributes: null }, attributes: null }]);
      const both = await getJson<Schemas['GraphConnection'][]>(`/api/v2/applications/${app}/associations?targets=user,user_group`);
      expect(both).toHaveLength(4);
      const repeated = await getJson<Schemas['GraphConnection'][]>(`/api/v2/applications/${app}/associations?targets=user&targets=user_group`);
      expect(repeated).toEqual(both);
    });

    it('show user<->system associations the same from both sides', async () => {
      // each binding with its attributes (the sudo grant), which both sides show alike
      const fromSystems = new Set<string>();
      for (const system of org().systems) {
        const users = await getJson<Schemas['GraphConnection'][]>(`/api/v2/systems/${system._id}/associations?targets=user&limit=100`);
        for (const c of users) fromSystems.add(`${c.to.id}|${system._id}|${JSON.stringify(c.attributes)}`);
      }
      const fromUsers = new Set<string>();
      for (const user of org().users) {
        const systems = await getJson<Schemas['GraphConnection'][]>(`/api/v2/users/${user._id}/associations?targets=system&limit=100`);
        for (const c of systems) {
          expect(c.to.type).toBe('system');
          fromUsers.add(`${user._id}|${c.to.id}|${JSON.stringify(c.attributes)}`);
        }
      }
      expect(fromSystems.size).toBe(6);
      expect([...fromUsers].sort()).toEqual([...fromSystems].sort());
    });
  });

  describe('System Insights', () => {
    type DiskRows = Schemas['SystemInsightsDiskEncryption'][];

    it('serves its tables up to 10,000 rows a page, filtered by system_id', async () => {
      const all = await getJson<DiskRows>('/api/v2/systeminsights/disk_encryption?limit=10000');
      expect(all).toEqual(org().diskEncryption);
      expect(all.length).toBeGreaterThan(0);
      await expectError(await get('/api/v2/systeminsights/disk_encryption?limit=10001'), 400);
      const [first] = all;
      const one = await getJson<DiskRows>(`/api/v2/systeminsights/disk_encryption?limit=10000&filter=system_id:eq:${first?.system_id}`);
      expect(one).toEqual(all.filter((row) => row.system_id === first?.system_id));
      const versions = await getJson<Schemas['SystemInsightsOsVersion'][]>('/api/v2/systeminsights/os_version?limit=2&skip=1');
      expect(versions).toEqual(org().osVersions.slice(1, 3));
    });

    it('refuses a filter on another field or with another operator', async () => {
      await expectError(await get('/api/v2/systeminsights/os_version?filter=name:eq:Ubuntu'), 400);
      await expectError(await get('/api/v2/systeminsights/os_version?filter=system_id:ne:x'), 400);
    });
  });

  describe('policies', () => {
    it('lists policies with their template, and what each is bound to by target type', async () => {
      const policies = await getJson<Schemas['Policy'][]>('/api/v2/policies?limit=100');
      expect(policies).toEqual(org().policies);
      const policy = org().policies[0];
      const bound = org().policyAssociations.get(policy?.id ?? '') ?? [];
      const systems = await getJson<Schemas['GraphConnection'][]>(`/api/v2/policies/${policy?.id}/associations?targets=system&limit=100`);
      expect(systems).toEqual(bound.filter((c) => c.to.type === 'system'));
      const both = await getJson<Schemas['GraphConnection'][]>(`/api/v2/policies/${policy?.id}/associations?targets=system,system_group&limit=100`);
      expect(both).toEqual(bound);
      await expectError(await get(`/api/v2/policies/${policy?.id}/associations?targets=application`), 400);
      await expectError(await get('/api/v2/policies/0123456789abcdef01234567/associations?targets=system'), 404);
    });

    it('pages the results, and gives only the fields asked (what a policy printed among them or not)', async () => {
      const results = org().policyResults;
      expect(results.length).toBeGreaterThan(0);
      expect(await getJson<Schemas['PolicyResult'][]>('/api/v2/policyresults?limit=100')).toEqual(results.slice(0, 100));
      const lean = await getJson<Record<string, unknown>[]>('/api/v2/policyresults?limit=3&fields=policyID,systemID,success');
      expect(lean).toEqual(results.slice(0, 3).map((r) => ({ id: r.id, policyID: r.policyID, systemID: r.systemID, success: r.success })));
    });
  });

  describe('authentication', () => {
    it('answers 401 without a key or with a wrong key', async () => {
      await expectError(await fetch(`${sim().baseUrl}/api/systemusers`), 401);
      await expectError(await get('/api/systemusers', { 'x-api-key': 'wrong' }), 401);
      await expectError(await get('/api/organizations', { 'x-api-key': `${sim().apiKey}x` }), 401);
    });

    it('accepts this organization in x-org-id and refuses another', async () => {
      expect((await get('/api/systemusers', { 'x-org-id': org().organization._id })).status).toBe(200);
      await expectError(await get('/api/systemusers', { 'x-org-id': '0123456789abcdef01234567' }), 401);
      await expectError(await get('/api/systemusers', { 'x-org-id': 'not-an-id' }), 400);
    });
  });

  it('answers 405 to other methods', async () => {
    const res = await fetch(`${sim().baseUrl}/api/systemusers`, { method: 'POST', headers: { 'x-api-key': sim().apiKey } });
    await expectError(res, 405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('JumpCloudSimulator reads of one object by id', () => {
  const { get, getJson, org } = useSimulator({ dataset: { users: 12, groups: 3, systems: 4, edgeCases: false } });

  it('answer each object as its list shows it (v1 objects with id beside _id)', async () => {
    const users = await getJson<UserList>('/api/systemusers?limit=100');
    for (const user of users.results ?? []) expect(await getJson(`/api/systemusers/${user._id}`)).toEqual(user);
    const applications = await getJson<Schemas['ApplicationList']>('/api/applications?limit=100');
    expect(applications.results?.length).toBeGreaterThan(0);
    for (const app of applications.results ?? []) expect(await getJson(`/api/applications/${app._id}`)).toEqual(app);
    const systems = await getJson<Schemas['SystemList']>('/api/systems?limit=100');
    expect(systems.results?.length).toBeGreaterThan(0);
    for (const system of systems.results ?? []) expect(await getJson(`/api/systems/${system._id}`)).toEqual(system);
    const userGroups = await getJson<Schemas['UserGroup'][]>('/api/v2/usergroups?limit=100');
    expect(userGroups.length).toBeGreaterThan(0);
    for (const group of userGroups) expect(await getJson(`/api/v2/usergroups/${group.id}`)).toEqual(group);
    const systemGroups = await getJson<Schemas['SystemGroup'][]>('/api/v2/systemgroups?limit=100');
    expect(systemGroups.length).toBeGreaterThan(0);
    for (const group of systemGroups) expect(await getJson(`/api/v2/systemgroups/${group.id}`)).toEqual(group);
    expect((await getJson<Schemas['SystemUser'] & { id?: string }>(`/api/systemusers/${org().users[0]?._id ?? ''}`)).id).toBe(org().users[0]?._id);
  });

  it("answer 404 with JumpCloud's error body for an unknown id", async () => {
    const unknown = '0123456789abcdef01234567';
    for (const path of ['/api/systemusers', '/api/applications', '/api/systems', '/api/v2/usergroups', '/api/v2/systemgroups']) {
      const body = await expectError(await get(`${path}/${unknown}`), 404);
      expect(body.message).toContain(unknown);
      expect(body.status).toBe('Not Found');
    }
  });

  it('keep the member routes apart from the object routes', async () => {
    const group = org().userGroups[0]?.id ?? '';
    expect(Array.isArray(await getJson(`/api/v2/usergroups/${group}/members`))).toBe(true);
    expect(await getJson(`/api/v2/usergroups/${group}`)).toEqual(expect.objectContaining({ id: group }));
  });
});

describe('JumpCloudSimulator without System Insights on the plan', () => {
  const { get } = useSimulator({ dataset: { users: 5, edgeCases: false }, systemInsights: false });

  it('answers 403 on System Insights, and serves the rest', async () => {
    await expectError(await get('/api/v2/systeminsights/disk_encryption?limit=10000'), 403);
    await expectError(await get('/api/v2/systeminsights/os_version'), 403);
    expect((await get('/api/v2/policies')).status).toBe(200);
  });
});

describe('JumpCloudSimulator multi-tenant rules', () => {
  const { get, getJson, org } = useSimulator({ dataset: { organizations: 2, users: 5 } });
  const idOf = (index: number) => org(index).organization._id;

  it('lists every organization without x-org-id', async () => {
    const body = await getJson<Schemas['OrganizationList']>('/api/organizations');
    expect(body.results?.map((o) => o._id)).toEqual([idOf(0), idOf(1)]);
    expect((await getJson<Schemas['Organization']>(`/api/organizations/${idOf(1)}`))._id).toBe(idOf(1));
  });

  it('answers 401 on organization data without x-org-id, or with an unknown one', async () => {
    await expectError(await get('/api/systemusers'), 401);
    await expectError(await get('/api/v2/usergroups'), 401);
    await expectError(await get('/api/systemusers', { 'x-org-id': '0123456789abcdef01234567' }), 401);
  });

  it('answers 400 for a malformed x-org-id', async () => {
    await expectError(await get('/api/systemusers', { 'x-org-id': 'acme' }), 400);
  });

  it("serves the named organization's data only", async () => {
    for (const index of [0, 1]) {
      const body = await getJson<UserList>('/api/systemusers?limit=100', { 'x-org-id': idOf(index) });
      expect(body.totalCount).toBe(org(index).users.length);
      expect(body.results?.every((u) => u.organization === idOf(index))).toBe(true);
    }
    const otherGroup = org(1).userGroups[0]?.id;
    await expectError(await get(`/api/v2/usergroups/${otherGroup}/members`, { 'x-org-id': idOf(0) }), 404);
  });

  it("reads one object by id in the named organization only, and 404 in another", async () => {
    const paths = (index: number) => {
      const data = org(index);
      return [
        `/api/systemusers/${data.users[0]?._id ?? ''}`,
        `/api/applications/${data.applications[0]?._id ?? ''}`,
        `/api/systems/${data.systems[0]?._id ?? ''}`,
        `/api/v2/usergroups/${data.userGroups[0]?.id ?? ''}`,
        `/api/v2/systemgroups/${data.systemGroups[0]?.id ?? ''}`,
      ];
    };
    for (const path of paths(1)) {
      expect((await get(path, { 'x-org-id': idOf(1) })).status).toBe(200);
      await expectError(await get(path, { 'x-org-id': idOf(0) }), 404);
      await expectError(await get(path), 401);
    }
  });

  it('answers 400 when x-org-id and the organization path id differ', async () => {
    await expectError(await get(`/api/organizations/${idOf(1)}`, { 'x-org-id': idOf(0) }), 400);
  });
});

describe('JumpCloudSimulator edge-case dataset over HTTP', () => {
  const { getJson, org } = useSimulator({ dataset: { users: 110 } });

  it('pages the 101-member group as 100 + 1 and serves the irregular members as they are', async () => {
    const edge = org().edgeCases;
    const first = await getJson<Schemas['GraphConnection'][]>(`/api/v2/usergroups/${edge?.userGroups.exactly101}/members?limit=100`);
    const second = await getJson<Schemas['GraphConnection'][]>(`/api/v2/usergroups/${edge?.userGroups.exactly101}/members?limit=100&skip=100`);
    expect([first.length, second.length]).toEqual([100, 1]);
    const irregular = await getJson<Schemas['GraphConnection'][]>(`/api/v2/usergroups/${edge?.userGroups.irregularMembers}/members`);
    expect(irregular.map((c) => c.to.id)).toContain(edge?.danglingUserId);
    const users = await getJson<UserList>(`/api/systemusers?filter=${encodeURIComponent(`_id:$eq:${edge?.users.emojiDisplayName}`)}`);
    expect(users.results?.[0]?.displayname).toBe('Rocket 🚀 Raccoon');
  });
});

describe('JumpCloudSimulator faults', () => {
  const { sim, get } = useSimulator({ dataset: { users: 12, edgeCases: false } });
  beforeEach(() => {
    sim().clearFaults();
    sim().resetLog();
  });

  it('rate-limit: 429 with Retry-After', async () => {
    sim().addFault({ kind: 'rate-limit', times: 1 });
    sim().addFault({ kind: 'rate-limit', times: 1, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' });
    const first = await get('/api/systemusers');
    await expectError(first, 429);
    expect(first.headers.get('retry-after')).toBe('1');
    const second = await get('/api/systemusers');
    await expectError(second, 429);
    expect(second.headers.get('retry-after')).toBe('Wed, 21 Oct 2026 07:28:00 GMT');
    expect((await get('/api/systemusers')).status).toBe(200);
  });

  it('server-error: 500 by default, or the given status, with the error body', async () => {
    sim().addFault({ kind: 'server-error', times: 1 });
    sim().addFault({ kind: 'server-error', status: 503, times: 1 });
    await expectError(await get('/api/systems'), 500);
    await expectError(await get('/api/systems'), 503);
    expect(sim().requestLog.map((e) => e.fault)).toEqual(['server-error', 'server-error']);
  });

  it('reset: the connection closes without a response', async () => {
    sim().addFault({ kind: 'reset', endpoint: 'GET /api/v2/usergroups', times: 1 });
    await expect(get('/api/v2/usergroups')).rejects.toThrow();
    expect((await get('/api/v2/usergroups')).status).toBe(200);
    expect(sim().requestLog[0]).toEqual(expect.objectContaining({ status: 0, fault: 'reset', endpoint: 'GET /api/v2/usergroups' }));
  });

  it('slow: answers normally after the delay', async () => {
    sim().addFault({ kind: 'slow', delayMs: 30, times: 1 });
    const res = await get('/api/systemusers');
    expect(res.status).toBe(200);
    expect(((await res.json()) as UserList).totalCount).toBe(12);
    expect(sim().requestLog[0]?.fault).toBe('slow');
  });

  it('malformed-json: 200, JSON content type, a body that does not parse', async () => {
    sim().addFault({ kind: 'malformed-json', endpoint: /^\/api\/systemusers$/, times: 1 });
    const res = await get('/api/systemusers');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
    const valid = await (await get('/api/systemusers')).text();
    expect(valid.startsWith(text)).toBe(true);
  });

  it('respects afterRequests and times, per endpoint', async () => {
    sim().addFault({ kind: 'server-error', endpoint: 'GET /api/systems', afterRequests: 1, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await get('/api/systems')).status);
      expect((await get('/api/applications')).status).toBe(200);
    }
    expect(statuses).toEqual([200, 500, 500, 200]);
  });

  it('comes after authentication', async () => {
    sim().addFault({ kind: 'server-error' });
    await expectError(await get('/api/systems', { 'x-api-key': 'wrong' }), 401);
    expect(sim().requestLog[0]?.fault).toBeUndefined();
  });
});

describe('JumpCloudSimulator rate limit', () => {
  // A slow refill (one token per 2 s) keeps the third request over the limit on any machine.
  const { get } = useSimulator({ dataset: { users: 3, edgeCases: false }, rateLimit: { requestsPerSecond: 0.5, burst: 2 } });

  it('answers 429 with an integer Retry-After once the bucket is empty', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await get('/api/systemusers'));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    const retryAfter = statuses[2]?.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe('JumpCloudSimulator request log and stats', () => {
  const { sim, get, org } = useSimulator({ dataset: { users: 8, edgeCases: false }, latencyMs: 150 });

  it('records every request, including 401s, by endpoint template and status', async () => {
    sim().resetLog();
    const group = org().userGroups[0]?.id;
    await get(`/api/v2/usergroups/${group}/members?limit=2`);
    await get('/api/systemusers?limit=5&skip=5');
    await get('/api/systemusers', { 'x-api-key': 'wrong' });
    const stats = sim().stats();
    expect(stats.total).toBe(3);
    expect(stats.byEndpoint).toEqual({ 'GET /api/v2/usergroups/{group_id}/members': 1, 'GET /api/systemusers': 2 });
    expect(stats.byStatus).toEqual({ '200': 2, '401': 1 });
    expect(sim().requestLog[1]).toEqual(
      expect.objectContaining({
        method: 'GET',
        path: '/api/systemusers',
        endpoint: 'GET /api/systemusers',
        query: { limit: '5', skip: '5' },
        orgId: org().organization._id,
        status: 200,
        startedAt: expect.any(Number),
      }),
    );
  });

  it('counts concurrent requests in maxInFlight', async () => {
    sim().resetLog();
    await Promise.all(Array.from({ length: 6 }, () => get('/api/systems')));
    expect(sim().stats().maxInFlight).toBeGreaterThan(1);
    expect(sim().stats().maxInFlight).toBeLessThanOrEqual(6);
  });

  it('resetLog clears the log and the counters', async () => {
    await get('/api/systems');
    sim().resetLog();
    expect(sim().requestLog).toEqual([]);
    expect(sim().stats()).toEqual({ total: 0, byEndpoint: {}, byStatus: {}, maxInFlight: 0 });
  });
});

describe('JumpCloudSimulator lifecycle', () => {
  it('takes a prebuilt dataset, and baseUrl throws before start and after stop', async () => {
    const dataset: SimulatorDataset = createDataset({ users: 2, edgeCases: false });
    const sim = new JumpCloudSimulator({ dataset, apiKey: 'secret' });
    expect(sim.dataset).toBe(dataset);
    expect(() => sim.baseUrl).toThrow();
    const base = await sim.start();
    const res = await fetch(`${base}/api/systemusers`, { headers: { 'x-api-key': 'secret' } });
    expect(((await res.json()) as UserList).totalCount).toBe(2);
    await sim.stop();
    expect(() => sim.baseUrl).toThrow();
    await expect(fetch(`${base}/api/systemusers`, { headers: { 'x-api-key': 'secret' } })).rejects.toThrow();
  });

  it('serves every endpoint of the document', () => {
    expect([...ENDPOINT_KEYS].sort()).toEqual(
      [
        'GET /api/organizations',
        'GET /api/organizations/{id}',
        'GET /api/systemusers',
        'GET /api/systemusers/{id}',
        'GET /api/applications',
        'GET /api/applications/{id}',
        'GET /api/systems',
        'GET /api/systems/{id}',
        'GET /api/v2/usergroups',
        'GET /api/v2/usergroups/{id}',
        'GET /api/v2/usergroups/{group_id}/members',
        'GET /api/v2/applications/{application_id}/associations',
        'GET /api/v2/applications/{application_id}/users',
        'GET /api/v2/applications/{application_id}/usergroups',
        'GET /api/v2/systemgroups',
        'GET /api/v2/systemgroups/{id}',
        'GET /api/v2/systemgroups/{group_id}/members',
        'GET /api/v2/systems/{system_id}/associations',
        'GET /api/v2/users/{user_id}/associations',
        'GET /api/v2/policies',
        'GET /api/v2/policies/{policy_id}/associations',
        'GET /api/v2/policyresults',
        'GET /api/v2/systeminsights/disk_encryption',
        'GET /api/v2/systeminsights/os_version',
      ].sort(),
    );
  });
});
