import { createJumpCloudClient, type JumpCloudClient } from '@jumpcloud-graph/jumpcloud-client';
import { type DatasetOptions, JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';

/**
 * The application traversals (`/applications/{id}/users` and `/usergroups`) and the v1 `id`
 * field, read over real HTTP through the client's typed API (`client.api`, generated from our
 * OpenAPI document), checked against what the client's own list methods read.
 */

async function withSimulator(dataset: DatasetOptions, run: (client: JumpCloudClient) => Promise<void>) {
  const sim = new JumpCloudSimulator({ dataset: { seed: 11, ...dataset } });
  const baseUrl = await sim.start();
  try {
    await run(createJumpCloudClient({ apiKey: sim.apiKey, baseUrl }));
  } finally {
    await sim.stop();
  }
}

async function traverse(client: JumpCloudClient, applicationId: string, leaf: 'users' | 'usergroups', skip = 0) {
  const params = { path: { application_id: applicationId }, query: { limit: 100, skip } };
  const { data, response } =
    leaf === 'users'
      ? await client.api.GET('/api/v2/applications/{application_id}/users', { params })
      : await client.api.GET('/api/v2/applications/{application_id}/usergroups', { params });
  expect(response.status).toBe(200);
  return data ?? [];
}

describe('application traversal through the client', () => {
  it('reaches every user bound directly or through a group, once, with a path for each binding', async () => {
    await withSimulator({ users: 150, groups: 4, membersPerGroup: 40, applications: 3, assignmentsPerApplication: 5 }, async (client) => {
      for (const application of await client.listApplications().toArray()) {
        const direct = await client.listApplicationAssociations(application._id, ['user', 'user_group']).toArray();
        const groups = direct.filter((edge) => edge.to.type === 'user_group').map((edge) => edge.to.id);
        const bindings = new Map<string, number>();
        const bind = (userId: string) => bindings.set(userId, (bindings.get(userId) ?? 0) + 1);
        for (const edge of direct) if (edge.to.type === 'user') bind(edge.to.id);
        for (const group of groups) for (const member of await client.listUserGroupMembers(group).toArray()) bind(member.to.id);

        const users = [...(await traverse(client, application._id, 'users')), ...(await traverse(client, application._id, 'users', 100))];
        expect(users.map((entry) => entry.id)).toEqual([...bindings.keys()].sort());
        for (const entry of users) {
          expect(entry.type).toBe('user');
          expect(entry.paths).toHaveLength(bindings.get(entry.id) ?? 0);
          for (const path of entry.paths) expect(path.at(-1)?.to).toEqual({ id: entry.id, type: 'user', attributes: null });
        }
        expect((await traverse(client, application._id, 'usergroups')).map((entry) => entry.id)).toEqual([...groups].sort());
      }
    });
  });
});

describe('v1 objects through the client', () => {
  it('carry id beside _id', async () => {
    await withSimulator({ users: 3, systems: 2, applications: 2, edgeCases: false }, async (client) => {
      const objects: { _id: string }[] = [
        ...(await client.listSystemUsers().toArray()),
        ...(await client.listSystems().toArray()),
        ...(await client.listApplications().toArray()),
        ...(await client.listOrganizations().toArray()),
      ];
      expect(objects).toHaveLength(8);
      for (const object of objects) expect(object).toEqual(expect.objectContaining({ id: object._id }));
    });
  });
});
