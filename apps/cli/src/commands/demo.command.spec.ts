import { createDataset } from '@jumpcloud-graph/jumpcloud-simulator';
import { formatDemo, runDemo } from './demo.command';

describe('demo', () => {
  it("reads every list of every organization and counts what the simulator's dataset holds", async () => {
    const options = { users: 120, organizations: 2, latencyMs: 0, seed: 3 };
    const result = await runDemo(options);
    const dataset = createDataset({ seed: 3, users: 120, organizations: 2 });

    expect(result.organizations.map((o) => o.id)).toEqual(dataset.organizations.map((o) => o.organization._id));
    result.organizations.forEach((org, i) => {
      const data = dataset.organizations[i];
      const edges = (m: Map<string, unknown[]>) => [...m.values()].reduce((n, list) => n + list.length, 0);
      expect(org).toMatchObject({
        users: data.users.length,
        userGroups: data.userGroups.length,
        userGroupMembers: edges(data.userGroupMembers),
        applications: data.applications.length,
        applicationAssignments: edges(data.applicationAssociations),
        systems: data.systems.length,
        systemGroups: data.systemGroups.length,
        systemGroupMembers: edges(data.systemGroupMembers),
        userDeviceAssociations: edges(data.systemUserAssociations),
      });
    });
    expect(result.apiRequests).toBe(Object.values(result.requestsByEndpoint).reduce((a, b) => a + b, 0));
    expect(result.retries).toBe(0);
  });

  it('prints a readable summary', async () => {
    const text = formatDemo(await runDemo({ users: 10, organizations: 1, latencyMs: 0, seed: 1 }));
    const [org] = createDataset({ seed: 1, users: 10 }).organizations;
    expect(text).toContain(`organization ${org.organization.displayName} (${org.organization._id})`);
    expect(text).toMatch(new RegExp(`^ {2}users +${org.users.length}$`, 'm'));
    expect(text).toMatch(/^API requests \d+ \(retries 0\) in \d+ ms$/m);
  });
});
