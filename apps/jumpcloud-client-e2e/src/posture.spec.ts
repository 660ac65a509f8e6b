import { type Membership, SourceFeatureUnavailableError } from '@jumpcloud-graph/domain';
import { createJumpCloudClient, JumpCloudApiSource, JumpCloudFeatureUnavailableError } from '@jumpcloud-graph/jumpcloud-client';
import { type DatasetOptions, JumpCloudSimulator, type SimulatorOptions } from '@jumpcloud-graph/jumpcloud-simulator';

/** Posture and policies through the source, against the simulator over real HTTP. */
async function withSource<T>(dataset: DatasetOptions, run: (source: JumpCloudApiSource, sim: JumpCloudSimulator) => Promise<T>, options: SimulatorOptions = {}) {
  const sim = new JumpCloudSimulator({ ...options, dataset: { edgeCases: false, seed: 11, ...dataset } });
  const baseUrl = await sim.start();
  try {
    return await run(new JumpCloudApiSource(createJumpCloudClient({ apiKey: sim.apiKey, baseUrl })), sim);
  } finally {
    await sim.stop();
  }
}

const all = async <T>(pages: AsyncIterable<T[]>): Promise<T[]> => {
  const items: T[] = [];
  for await (const page of pages) items.push(...page);
  return items;
};

describe('System Insights', () => {
  it('reads each table as one bulk list (10,000 rows a page), every row once', async () => {
    await withSource({ users: 20, systems: 300 }, async (source, sim) => {
      const [org] = sim.dataset.organizations;
      const volumes = await all(source.diskVolumes(org.organization._id));
      const versions = await all(source.osVersions(org.organization._id));
      expect(volumes).toHaveLength(org.diskEncryption.length);
      expect(volumes.filter((v) => v.encrypted === true)).toHaveLength(org.diskEncryption.filter((row) => row.encrypted === 1).length);
      expect(versions.map((v) => v.systemId)).toEqual(org.osVersions.map((row) => row.system_id));
      expect(sim.stats().byEndpoint).toEqual({ 'GET /api/v2/systeminsights/disk_encryption': 1, 'GET /api/v2/systeminsights/os_version': 1 });
      expect(sim.requestLog.map((entry) => entry.query['limit'])).toEqual(['10000', '10000']);
    });
  });

  it('is a feature the plan lacks on a 403: not fatal, one request, no retry', async () => {
    await withSource(
      { users: 5, systems: 5 },
      async (source, sim) => {
        const error = await all(source.diskVolumes(sim.dataset.organizations[0].organization._id)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(JumpCloudFeatureUnavailableError);
        expect(error).toBeInstanceOf(SourceFeatureUnavailableError);
        expect(error).toMatchObject({ fatal: false });
        expect(sim.stats().total).toBe(1);
      },
      { systemInsights: false },
    );
  });
});

describe('user <-> system bindings', () => {
  it('carry the same sudo grants read from either side', async () => {
    await withSource({ users: 40, systems: 60, usersPerSystem: 2 }, async (source, sim) => {
      const org = sim.dataset.organizations[0];
      const orgId = org.organization._id;
      const key = (userId: string, systemId: string, edge: Membership) => `${userId}|${systemId}|${JSON.stringify(edge.sudo ?? null)}`;
      const fromSystems = new Set<string>();
      for (const system of org.systems) for (const edge of await all(source.systemUsers(orgId, system._id))) fromSystems.add(key(edge.toId, system._id, edge));
      const fromUsers = new Set<string>();
      for (const user of org.users) for (const edge of await all(source.userSystems(orgId, user._id))) fromUsers.add(key(user._id, edge.toId, edge));
      expect(fromUsers).toEqual(fromSystems);
      expect([...fromSystems].some((k) => k.endsWith('{"enabled":true,"withoutPassword":true}'))).toBe(true);
    });
  });
});

describe('policies', () => {
  it('reads policies, their system and system group targets, and results without what the policies printed', async () => {
    await withSource({ users: 10, systems: 120, systemGroups: 3, membersPerSystemGroup: 20, policies: 5, systemsPerPolicy: 8, systemGroupsPerPolicy: 1 }, async (source, sim) => {
      const org = sim.dataset.organizations[0];
      const orgId = org.organization._id;
      const policies = await all(source.policies(orgId));
      expect(policies.map((p) => [p.id, p.templateName])).toEqual(org.policies.map((p) => [p.id, p.template?.name]));
      const targets = await all(source.policyTargets(orgId, policies[0].id));
      expect(targets.map((t) => t.toType).sort()).toEqual([...Array<string>(8).fill('system'), 'system_group']);
      sim.resetLog();
      const results = await all(source.policyResults(orgId));
      expect(results.map((r) => r.id)).toEqual(org.policyResults.map((r) => r.id));
      expect(results.every((r) => Object.keys(r).sort().join() === 'endedAt,id,policyId,startedAt,state,success,systemId')).toBe(true);
      // asked for by name: what the policies printed never crossed the wire
      expect(sim.requestLog.every((entry) => entry.query['fields'] === 'id,policyID,systemID,success,state,startedAt,endedAt')).toBe(true);
      expect(sim.stats().total).toBe(Math.floor(org.policyResults.length / 100) + 1);
    });
  });
});
