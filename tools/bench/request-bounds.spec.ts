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
      policies: 0,
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
      2 + // user-device: 2 systems (one page each) beat 250 users
      2 + // System Insights: one page of each table
      1 + // policies (none: one empty page, and then no result to read)
      1; // last logins: one Directory Insights page (fewer than 10,000 events in 30 days)
    expect(bounds.minimumRequests).toBe(expected);
    // organizations, organization, then the longest chain: groups (1) + a member list (2)
    expect(bounds.criticalPathRounds).toBe(2 + 3);
  });

  it('reads user-device bindings from the side with fewer pages, whichever it is', () => {
    const manySystems = createDataset({ seed: 4, edgeCases: false, users: 10, groups: 0, applications: 0, systems: 300, systemGroups: 0, usersPerSystem: 1, policies: 0 });
    const bounds = requestBounds(manySystems);
    // 10 users, one page each (each is bound to about 30 systems: under a page) beat 300 systems
    const [org] = manySystems.organizations;
    const withoutBindings = 1 + 1 + 1 + 1 + 1 + Math.ceil(300 / 100) + 1 + 2 + 1 + 1;
    expect(org.users).toHaveLength(10);
    expect(bounds.minimumRequests).toBe(withoutBindings + 10);
  });

  it('counts one bulk list per System Insights table, a list per policy and one bulk list of results', () => {
    const dataset = createDataset({ seed: 5, edgeCases: false, users: 50, groups: 0, applications: 0, systems: 20_500, systemGroups: 4, membersPerSystemGroup: 150, usersPerSystem: 0, policies: 3, systemsPerPolicy: 120, systemGroupsPerPolicy: 2 });
    const [org] = dataset.organizations;
    const none = createDataset({ seed: 5, edgeCases: false, users: 50, groups: 0, applications: 0, systems: 20_500, systemGroups: 4, membersPerSystemGroup: 150, usersPerSystem: 0, policies: 0 });
    const pages = (n: number, size: number) => Math.floor(n / size) + 1;
    // more than 10,000 rows: a second page of each table
    expect(org.osVersions.length).toBeGreaterThan(10_000);
    const policyRequests = 1 + [...org.policyAssociations.values()].reduce((n, list) => n + pages(list.length, 100), 0) + pages(org.policyResults.length, 100);
    expect(org.policyResults.length).toBeGreaterThan(300);
    expect(requestBounds(dataset).minimumRequests - requestBounds(none).minimumRequests).toBe(policyRequests - 1);
    const withInsights = requestBounds(dataset);
    expect(withInsights.minimumRequests - requestBounds(dataset, { systemInsights: false }).minimumRequests).toBe(
      pages(org.diskEncryption.length, 10_000) + pages(org.osVersions.length, 10_000) - 2,
    );
    // the bulk list of results, page after page, is the longest chain: after the organization
    expect(withInsights.criticalPathRounds).toBe(2 + pages(org.policyResults.length, 100));
  });

  it('counts the Directory Insights pages of the last-login window: the logins of the last 30 days, 10,000 a page', () => {
    const dataset = createDataset({ seed: 6, edgeCases: false, users: 40_000, groups: 0, applications: 0, systems: 0, systemGroups: 0, policies: 0 });
    const [org] = dataset.organizations;
    const inWindow = (org.pastLogins ?? []).filter((login) => login.msBeforeStart <= 30 * 86_400_000).length;
    expect(inWindow).toBeGreaterThan(10_000);
    const without = { ...dataset, organizations: [{ ...org, pastLogins: [] }] };
    expect(requestBounds(dataset).minimumRequests - requestBounds(without).minimumRequests).toBe(Math.floor(inWindow / 10_000));
  });
});
