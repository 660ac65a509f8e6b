import { createJumpCloudClient, type JumpCloudClient } from '@jumpcloud-graph/jumpcloud-client';
import { type DatasetOptions, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';

/**
 * Paging over real HTTP against the simulator, counting the requests the simulator saw.
 * v1 lists know their total, so n items cost ceil(n / 100) requests (one for an empty list);
 * v2 lists do not, so they end on the first short page: floor(n / 100) + 1 requests.
 */
const SIZES = [0, 1, 99, 100, 101, 250];
const v1Requests = (n: number) => Math.max(1, Math.ceil(n / 100));
const v2Requests = (n: number) => Math.floor(n / 100) + 1;

async function withSimulator<T>(dataset: DatasetOptions, run: (client: JumpCloudClient, sim: JumpCloudSimulator) => Promise<T>) {
  const sim = new JumpCloudSimulator({ dataset: { edgeCases: false, seed: 7, ...dataset } });
  const baseUrl = await sim.start();
  try {
    return await run(createJumpCloudClient({ apiKey: sim.apiKey, baseUrl }), sim);
  } finally {
    await sim.stop();
  }
}

const empty: DatasetOptions = { users: 0, groups: 0, applications: 0, systems: 0, systemGroups: 0 };

describe.each(SIZES)('a list of %i items', (n) => {
  it(`v1 /systemusers takes ${v1Requests(n)} request(s)`, async () => {
    await withSimulator({ ...empty, users: n }, async (client, sim) => {
      const users = await client.listSystemUsers().toArray();
      expect(users).toHaveLength(n);
      expect(new Set(users.map((u) => u._id)).size).toBe(n);
      expect(sim.stats().byEndpoint['GET /api/systemusers']).toBe(v1Requests(n));
      expect(client.requestCounts().byEndpoint['GET /api/systemusers']).toBe(v1Requests(n));
    });
  });

  it(`v1 /systems and /applications take ${v1Requests(n)} request(s) each`, async () => {
    await withSimulator({ ...empty, systems: n, applications: n }, async (client, sim) => {
      expect(await client.listSystems().toArray()).toHaveLength(n);
      expect(await client.listApplications().toArray()).toHaveLength(n);
      expect(sim.stats().byEndpoint['GET /api/systems']).toBe(v1Requests(n));
      expect(sim.stats().byEndpoint['GET /api/applications']).toBe(v1Requests(n));
    });
  });

  it(`v2 /usergroups and /systemgroups take ${v2Requests(n)} request(s) each`, async () => {
    await withSimulator({ ...empty, groups: n, membersPerGroup: 0, systemGroups: n, membersPerSystemGroup: 0 }, async (client, sim) => {
      const groups = await client.listUserGroups().toArray();
      expect(groups).toHaveLength(n);
      expect(new Set(groups.map((g) => g.id)).size).toBe(n);
      expect(await client.listSystemGroups().toArray()).toHaveLength(n);
      expect(sim.stats().byEndpoint['GET /api/v2/usergroups']).toBe(v2Requests(n));
      expect(sim.stats().byEndpoint['GET /api/v2/systemgroups']).toBe(v2Requests(n));
    });
  });

  it(`v2 group members take ${v2Requests(n)} request(s)`, async () => {
    await withSimulator({ ...empty, users: n, groups: 1, membersPerGroup: n }, async (client, sim) => {
      const [group] = await client.listUserGroups().toArray();
      const members = await client.listUserGroupMembers(group.id).toArray();
      expect(members).toHaveLength(n);
      expect(members.every((m) => m.to.type === 'user')).toBe(true);
      expect(sim.stats().byEndpoint['GET /api/v2/usergroups/{group_id}/members']).toBe(v2Requests(n));
    });
  });
});

describe('associations', () => {
  it('reads user<->system associations from either side with the same edges', async () => {
    await withSimulator({ ...empty, users: 30, systems: 20, usersPerSystem: 3 }, async (client) => {
      const systems = await client.listSystems().toArray();
      const fromSystems = new Set<string>();
      for (const system of systems) {
        for await (const edge of client.listSystemAssociations(system._id, ['user'])) fromSystems.add(`${edge.to.id}|${system._id}`);
      }
      const users = await client.listSystemUsers().toArray();
      const fromUsers = new Set<string>();
      for (const user of users) {
        for await (const edge of client.listUserAssociations(user._id, ['system'])) fromUsers.add(`${user._id}|${edge.to.id}`);
      }
      expect(fromSystems.size).toBe(60);
      expect(fromUsers).toEqual(fromSystems);
    });
  });

  it('reads direct application associations by target type', async () => {
    await withSimulator({ ...empty, users: 10, groups: 2, membersPerGroup: 2, applications: 2, assignmentsPerApplication: 3 }, async (client) => {
      const [app] = await client.listApplications().toArray();
      const users = await client.listApplicationAssociations(app._id, ['user']).toArray();
      const groups = await client.listApplicationAssociations(app._id, ['user_group']).toArray();
      expect(users.map((e) => e.to.type)).toEqual(['user', 'user', 'user']);
      expect(groups.length).toBeGreaterThan(0);
      expect(groups.every((e) => e.to.type === 'user_group')).toBe(true);
    });
  });
});

describe('organizations', () => {
  it('lists every organization of a multi-tenant key and reads each with its own x-org-id', async () => {
    await withSimulator({ ...empty, organizations: 3, users: 5 }, async (client) => {
      const orgs = await client.listOrganizations().toArray();
      expect(orgs).toHaveLength(3);
      const perOrg = await Promise.all(orgs.map((org) => client.forOrganization(org._id).listSystemUsers().toArray()));
      const ids = perOrg.flat().map((u) => u._id);
      expect(perOrg.map((users) => users.length)).toEqual([5, 5, 5]);
      expect(new Set(ids).size).toBe(15);
    });
  });

  it('returns accountType only when fields asks for it', async () => {
    await withSimulator(empty, async (client) => {
      const [org] = await client.listOrganizations().toArray();
      const plain = await client.getOrganization(org._id);
      const detailed = await client.getOrganization(org._id, { fields: ['displayName', 'created', 'accountType', 'settings'] });
      expect(plain.accountType).toBeUndefined();
      expect(detailed.accountType).toEqual(expect.any(String));
      expect(detailed._id).toBe(org._id);
    });
  });
});
