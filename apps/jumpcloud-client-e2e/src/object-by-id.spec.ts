import { createJumpCloudClient, type JumpCloudClient } from '@jumpcloud-graph/jumpcloud-client';
import { type DatasetOptions, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';

/**
 * Reads of one object by id over real HTTP against the simulator: each object read by id is the
 * object its list shows, an unknown id reads as undefined, and each read is one request.
 */
async function withSimulator<T>(dataset: DatasetOptions, run: (client: JumpCloudClient, sim: JumpCloudSimulator) => Promise<T>, orgId?: string) {
  const sim = new JumpCloudSimulator({ dataset: { edgeCases: false, seed: 11, ...dataset } });
  const baseUrl = await sim.start();
  try {
    return await run(createJumpCloudClient({ apiKey: sim.apiKey, baseUrl, ...(orgId ? { orgId } : {}) }), sim);
  } finally {
    await sim.stop();
  }
}

const UNKNOWN = '0123456789abcdef01234567';
const dataset: DatasetOptions = { users: 8, groups: 3, systems: 4, systemGroups: 2, applications: 3 };

describe('reads of one object by id', () => {
  it('give each object as its list gives it, one request each', async () => {
    await withSimulator(dataset, async (client, sim) => {
      const users = await client.listSystemUsers().toArray();
      const applications = await client.listApplications().toArray();
      const systems = await client.listSystems().toArray();
      const userGroups = await client.listUserGroups().toArray();
      const systemGroups = await client.listSystemGroups().toArray();
      for (const list of [users, applications, systems, userGroups, systemGroups]) expect(list.length).toBeGreaterThan(0);
      sim.resetLog();
      const before = client.requestCounts();

      for (const user of users) expect(await client.getSystemUser(user._id)).toEqual(user);
      for (const application of applications) expect(await client.getApplication(application._id)).toEqual(application);
      for (const system of systems) expect(await client.getSystem(system._id)).toEqual(system);
      for (const group of userGroups) expect(await client.getUserGroup(group.id)).toEqual(group);
      for (const group of systemGroups) expect(await client.getSystemGroup(group.id)).toEqual(group);

      const after = client.requestCounts();
      const byEndpoint = (key: string) => (after.byEndpoint[key] ?? 0) - (before.byEndpoint[key] ?? 0);
      expect(byEndpoint('GET /api/systemusers/{id}')).toBe(users.length);
      expect(byEndpoint('GET /api/applications/{id}')).toBe(applications.length);
      expect(byEndpoint('GET /api/systems/{id}')).toBe(systems.length);
      expect(byEndpoint('GET /api/v2/usergroups/{id}')).toBe(userGroups.length);
      expect(byEndpoint('GET /api/v2/systemgroups/{id}')).toBe(systemGroups.length);
      const reads = users.length + applications.length + systems.length + userGroups.length + systemGroups.length;
      expect(after.total - before.total).toBe(reads);
      expect(sim.stats().total).toBe(reads);
      expect(sim.stats().byEndpoint['GET /api/systemusers/{id}']).toBe(users.length);
    });
  });

  it('give undefined for an unknown id, in one request each', async () => {
    await withSimulator(dataset, async (client, sim) => {
      expect(await client.getSystemUser(UNKNOWN)).toBeUndefined();
      expect(await client.getApplication(UNKNOWN)).toBeUndefined();
      expect(await client.getSystem(UNKNOWN)).toBeUndefined();
      expect(await client.getUserGroup(UNKNOWN)).toBeUndefined();
      expect(await client.getSystemGroup(UNKNOWN)).toBeUndefined();
      expect(client.requestCounts()).toEqual(expect.objectContaining({ total: 5, retries: 0 }));
      expect(sim.stats().byStatus).toEqual({ '404': 5 });
    });
  });

  it("read in the organization named, and not another organization's objects", async () => {
    await withSimulator({ ...dataset, organizations: 2 }, async (client, sim) => {
      const [first, second] = sim.dataset.organizations;
      const firstId = first?.organization._id ?? '';
      const secondId = second?.organization._id ?? '';
      const user = second?.users[0];
      const group = second?.userGroups[0];
      if (!user || !group) throw new Error('dataset has no user or group');
      const inSecond = client.forOrganization(secondId);
      expect((await inSecond.getSystemUser(user._id))?._id).toBe(user._id);
      expect((await client.getSystemUser(user._id, { orgId: secondId }))?._id).toBe(user._id);
      expect((await client.getUserGroup(group.id, { orgId: secondId }))?.id).toBe(group.id);
      expect(await client.getSystemUser(user._id, { orgId: firstId })).toBeUndefined();
      expect(await client.getUserGroup(group.id, { orgId: firstId })).toBeUndefined();
      expect(client.requestCounts().total).toBe(5);
    });
  });
});
