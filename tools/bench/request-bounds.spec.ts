import { createDataset } from '@jumpcloud-graph/jumpcloud-simulator';
import { requestBounds } from './request-bounds';

describe('requestBounds', () => {
  it('counts what any client must read, from the dataset alone', () => {
    // 250 users (3 v1 pages), 2 groups of 100 members (2 v2 pages each: a full page needs a short one after it),
    // 1 application with 3 associations, 2 systems bound to 1 user each, no system groups.
    const dataset = createDataset({
      seed: 3,
      edgeCases: false,
      users: 250,
      groups: 2,
      membersPerGroup: 100,
      applications: 1,
      assignmentsPerApplication: 3,
      systems: 2,
      systemGroups: 0,
      usersPerSystem: 1,
    });
    const [org] = dataset.organizations;
    expect(org.users).toHaveLength(250);
    const bounds = requestBounds(dataset);
    const expected =
      1 + // organizations
      1 + // the organization
      3 + // users
      1 + // groups (2 < 100: one short page)
      2 * 2 + // members of each group
      1 + // applications
      [...org.applicationAssociations.values()].reduce((n, list) => n + Math.floor(list.length / 100) + 1, 0) +
      1 + // systems
      1 + // system groups (none: one empty page)
      0 + // their members
      2; // user-device: 2 systems (one page each) beat 250 users
    expect(bounds.minimumRequests).toBe(expected);
    // organizations, organization, then the longest chain: groups (1) + a member list (2)
    expect(bounds.criticalPathRounds).toBe(2 + 3);
  });

  it('reads user-device bindings from the side with fewer pages, whichever it is', () => {
    const manySystems = createDataset({ seed: 4, edgeCases: false, users: 10, groups: 0, applications: 0, systems: 300, systemGroups: 0, usersPerSystem: 1 });
    const bounds = requestBounds(manySystems);
    // 10 users, one page each (each is bound to about 30 systems: under a page) beat 300 systems
    const [org] = manySystems.organizations;
    const withoutBindings = 1 + 1 + 1 + 1 + 1 + Math.ceil(300 / 100) + 1;
    expect(org.users).toHaveLength(10);
    expect(bounds.minimumRequests).toBe(withoutBindings + 10);
  });
});
