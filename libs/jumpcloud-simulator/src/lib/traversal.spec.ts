import { createDataset } from './dataset';
import type { GraphConnection, GraphObjectWithPaths, OrganizationData, SimulatorDataset } from './dataset.types';
import { type JumpCloudSimulator, startJumpCloudSimulator } from './simulator';

function edge(id: string, type: 'user' | 'user_group', attributes: Record<string, unknown> | null = null): GraphConnection {
  return { to: { id, type, attributes: null }, attributes };
}

/**
 * One organization whose first application is bound to users 0 and 1 directly and to groups A
 * (users 1 and 2, user 2 listed twice, plus a member that names no user) and B (user 3); its
 * second application is bound to nothing; its third to twelve users, for paging.
 */
function graphDataset(): { dataset: SimulatorDataset; org: OrganizationData; ids: Record<'u0' | 'u1' | 'u2' | 'u3' | 'groupA' | 'groupB' | 'bound' | 'unbound' | 'many', string> } {
  const dataset = createDataset({ users: 14, groups: 2, membersPerGroup: 0, applications: 3, edgeCases: false });
  const org = dataset.organizations[0] as OrganizationData;
  const [u0, u1, u2, u3] = org.users.map((user) => user._id) as [string, string, string, string];
  const [groupA, groupB] = org.userGroups.map((group) => group.id) as [string, string];
  const [bound, unbound, many] = org.applications.map((application) => application._id) as [string, string, string];
  org.userGroupMembers.set(groupA, [edge(u1, 'user'), edge(u2, 'user'), edge(u2, 'user'), edge('0123456789abcdef01234567', 'user')]);
  org.userGroupMembers.set(groupB, [edge(u3, 'user')]);
  org.applicationAssociations.set(bound, [edge(u0, 'user'), edge(u1, 'user'), edge(groupA, 'user_group'), edge(groupB, 'user_group')]);
  org.applicationAssociations.set(unbound, []);
  org.applicationAssociations.set(
    many,
    org.users.slice(0, 12).map((user) => edge(user._id, 'user')),
  );
  return { dataset, org, ids: { u0, u1, u2, u3, groupA, groupB, bound, unbound, many } };
}

describe('JumpCloudSimulator graph traversal from an application', () => {
  const { dataset, ids } = graphDataset();
  let sim: JumpCloudSimulator;
  beforeAll(async () => {
    sim = await startJumpCloudSimulator({ dataset });
  });
  afterAll(() => sim.stop());

  const get = (path: string) => fetch(`${sim.baseUrl}${path}`, { headers: { 'x-api-key': sim.apiKey } });
  const reached = async (path: string): Promise<GraphObjectWithPaths[]> => {
    const res = await get(path);
    expect(res.status).toBe(200);
    return (await res.json()) as GraphObjectWithPaths[];
  };

  it('lists each user bound directly or through a group once, with every path to it', async () => {
    const { u0, u1, u2, u3, groupA, groupB, bound } = ids;
    expect(await reached(`/api/v2/applications/${bound}/users`)).toEqual([
      { id: u0, type: 'user', compiledAttributes: null, paths: [[edge(u0, 'user')]] },
      { id: u1, type: 'user', compiledAttributes: null, paths: [[edge(u1, 'user')], [edge(groupA, 'user_group'), edge(u1, 'user')]] },
      { id: u2, type: 'user', compiledAttributes: null, paths: [[edge(groupA, 'user_group'), edge(u2, 'user')]] },
      { id: u3, type: 'user', compiledAttributes: null, paths: [[edge(groupB, 'user_group'), edge(u3, 'user')]] },
    ]);
  });

  it('lists the user groups bound to the application', async () => {
    const { groupA, groupB, bound } = ids;
    expect(await reached(`/api/v2/applications/${bound}/usergroups`)).toEqual([
      { id: groupA, type: 'user_group', compiledAttributes: null, paths: [[edge(groupA, 'user_group')]] },
      { id: groupB, type: 'user_group', compiledAttributes: null, paths: [[edge(groupB, 'user_group')]] },
    ]);
  });

  it('answers an empty array for an application bound to nothing', async () => {
    expect(await reached(`/api/v2/applications/${ids.unbound}/users`)).toEqual([]);
    expect(await reached(`/api/v2/applications/${ids.unbound}/usergroups`)).toEqual([]);
  });

  it('pages with limit (default 10, at most 100) and skip', async () => {
    const all = dataset.organizations[0]?.users.slice(0, 12).map((user) => user._id);
    const first = await reached(`/api/v2/applications/${ids.many}/users`);
    const rest = await reached(`/api/v2/applications/${ids.many}/users?skip=10&limit=100`);
    expect(first).toHaveLength(10);
    expect([...first, ...rest].map((entry) => entry.id)).toEqual(all);
    expect((await reached(`/api/v2/applications/${ids.many}/users?limit=3&skip=4`)).map((entry) => entry.id)).toEqual(all?.slice(4, 7));
    expect(await reached(`/api/v2/applications/${ids.many}/users?limit=0`)).toEqual([]);
    for (const bad of ['limit=101', 'limit=-1', 'skip=x']) expect((await get(`/api/v2/applications/${ids.many}/users?${bad}`)).status).toBe(400);
  });

  it('filters with v2 field:op:value expressions', async () => {
    const { u1, u2, bound } = ids;
    expect((await reached(`/api/v2/applications/${bound}/users?filter=id:eq:${u1}`)).map((entry) => entry.id)).toEqual([u1]);
    expect((await reached(`/api/v2/applications/${bound}/users?filter=${encodeURIComponent(`id:in:${u1}|${u2}`)}`)).map((entry) => entry.id)).toEqual([u1, u2]);
    expect(await reached(`/api/v2/applications/${bound}/usergroups?filter=type:eq:user`)).toEqual([]);
    expect((await get(`/api/v2/applications/${bound}/users?filter=id:like:x`)).status).toBe(400);
  });

  it('answers 404 for an unknown application and 401 without the API key', async () => {
    for (const leaf of ['users', 'usergroups']) {
      const res = await get(`/api/v2/applications/0123456789abcdef01234567/${leaf}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ code: 404, message: expect.any(String), status: expect.any(String) });
      expect((await fetch(`${sim.baseUrl}/api/v2/applications/${ids.bound}/${leaf}`)).status).toBe(401);
    }
    expect(sim.stats().byEndpoint).toEqual(
      expect.objectContaining({ 'GET /api/v2/applications/{application_id}/users': expect.any(Number), 'GET /api/v2/applications/{application_id}/usergroups': expect.any(Number) }),
    );
  });

  it('compiles the attributes of the edges on every path (null above, where no edge has any)', async () => {
    const { dataset: withAttributes, org, ids: own } = graphDataset();
    org.applicationAssociations.set(own.bound, [edge(own.u0, 'user', { note: 'direct' }), edge(own.groupB, 'user_group', { via: 'group' })]);
    org.userGroupMembers.set(own.groupB, [edge(own.u0, 'user')]);
    const other = await startJumpCloudSimulator({ dataset: withAttributes });
    try {
      const res = await fetch(`${other.baseUrl}/api/v2/applications/${own.bound}/users`, { headers: { 'x-api-key': other.apiKey } });
      const [entry] = (await res.json()) as GraphObjectWithPaths[];
      expect(entry).toEqual(expect.objectContaining({ id: own.u0, compiledAttributes: { note: 'direct', via: 'group' } }));
      expect(entry?.paths).toHaveLength(2);
    } finally {
      await other.stop();
    }
  });
});

describe('JumpCloudSimulator graph traversal on generated datasets', () => {
  let sim: JumpCloudSimulator;
  beforeAll(async () => {
    sim = await startJumpCloudSimulator({ dataset: { organizations: 2, users: 40, groups: 3, membersPerGroup: 15, applications: 4 } });
  });
  afterAll(() => sim.stop());

  async function all<T>(path: string, orgId: string): Promise<T[]> {
    const items: T[] = [];
    for (let skip = 0; ; skip += 100) {
      const res = await fetch(`${sim.baseUrl}${path}${path.includes('?') ? '&' : '?'}limit=100&skip=${skip}`, { headers: { 'x-api-key': sim.apiKey, 'x-org-id': orgId } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as T[];
      items.push(...page);
      if (page.length < 100) return items;
    }
  }

  it('agrees with the direct associations and the group members', async () => {
    for (const org of sim.dataset.organizations) {
      const orgId = org.organization._id;
      for (const application of org.applications) {
        const direct = await all<GraphConnection>(`/api/v2/applications/${application._id}/associations?targets=user,user_group`, orgId);
        const groups = direct.filter((edge) => edge.to.type === 'user_group').map((edge) => edge.to.id);
        const expected = new Set(direct.filter((edge) => edge.to.type === 'user').map((edge) => edge.to.id));
        for (const group of groups) {
          for (const member of await all<GraphConnection>(`/api/v2/usergroups/${group}/members`, orgId)) expected.add(member.to.id);
        }
        const users = await all<GraphObjectWithPaths>(`/api/v2/applications/${application._id}/users`, orgId);
        expect(users.map((entry) => entry.id)).toEqual([...expected].sort());
        expect(users.every((entry) => entry.type === 'user' && entry.paths.length > 0)).toBe(true);
        const userGroups = await all<GraphObjectWithPaths>(`/api/v2/applications/${application._id}/usergroups`, orgId);
        expect(userGroups.map((entry) => entry.id)).toEqual([...groups].sort());
      }
    }
  });

  it("answers 404 for another organization's application", async () => {
    const [first, second] = sim.dataset.organizations as [OrganizationData, OrganizationData];
    const res = await fetch(`${sim.baseUrl}/api/v2/applications/${second.applications[0]?._id}/users`, {
      headers: { 'x-api-key': sim.apiKey, 'x-org-id': first.organization._id },
    });
    expect(res.status).toBe(404);
  });
});
