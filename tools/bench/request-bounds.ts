import { type SimulatorDataset } from '@jumpcloud-graph/jumpcloud-simulator';

/**
 * What any correct client must spend to read a dataset, computed from the dataset alone (never
 * from our client's plan), so the bench can hold the client to it:
 * - the fewest requests: every v1 list has a total count, so ceil(n / page) pages (at least
 *   one); a v2 list has none, so a client reads until a page comes back short: floor(n / page) + 1
 *   (System Insights' pages hold 10,000 rows, the others 100); user-device bindings can be read
 *   from either side, so the side with fewer pages counts (their sudo rights come with them); each
 *   System Insights table is one bulk list (no table when the plan lacks it: one refused request);
 *   policies are a list, then one association list per policy and one bulk list of results (none
 *   without a policy); users' last logins are one Directory Insights window (a first full sync:
 *   the last 30 days), read page by page until a page comes back short (10,000 events a page);
 * - the critical path: the longest chain of requests that must follow one another (a v1 list's
 *   first page, then the rest at once; a v2 list page by page; an edge list after the page that
 *   named its parent), in rounds of one latency each. The bulk lists (System Insights, policy
 *   results) need nothing but the organization.
 */
export interface RequestBounds {
  minimumRequests: number;
  criticalPathRounds: number;
}

export const PAGE = 100;
export const SYSTEM_INSIGHTS_PAGE = 10_000;
export const DIRECTORY_INSIGHTS_PAGE = 10_000;
/** The Directory Insights window of a first full sync (its default last-login days). */
export const LOGIN_WINDOW_MS = 30 * 86_400_000;

const v1Pages = (n: number) => Math.max(1, Math.ceil(n / PAGE));
const v2Pages = (n: number) => Math.floor(n / PAGE) + 1;
const systemInsightsPages = (n: number) => Math.floor(n / SYSTEM_INSIGHTS_PAGE) + 1;
/** Rounds of a v1 list: the first page gives the total, the other pages go out together. */
const v1Rounds = (n: number) => (v1Pages(n) > 1 ? 2 : 1);

function sum<T>(items: Iterable<T>, f: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += f(item);
  return total;
}

function max<T>(items: Iterable<T>, f: (item: T) => number): number {
  let best = 0;
  for (const item of items) best = Math.max(best, f(item));
  return best;
}

/** `systemInsights: false`: the plan lacks System Insights (its two lists are refused at once). */
export function requestBounds(dataset: SimulatorDataset, options: { systemInsights?: boolean } = {}): RequestBounds {
  const systemInsights = options.systemInsights ?? true;
  let minimumRequests = 1; // GET /organizations
  let longest = 0;
  for (const org of dataset.organizations) {
    const lists = (parents: Map<string, unknown[]>) => sum(parents.values(), (list) => v2Pages(list.length));
    const longestList = (parents: Map<string, unknown[]>) => max(parents.values(), (list) => v2Pages(list.length));
    // the user side of the user-device bindings, derived from the system side
    const perUser = new Map<string, number>();
    for (const bound of org.systemUserAssociations.values()) for (const c of bound) perUser.set(c.to.id, (perUser.get(c.to.id) ?? 0) + 1);
    const bySystem = lists(org.systemUserAssociations);
    const byUser = sum(org.users, (u) => v2Pages(perUser.get(u._id) ?? 0));

    minimumRequests += 1; // GET /organizations/{id}
    minimumRequests += v1Pages(org.users.length) + v2Pages(org.userGroups.length) + lists(org.userGroupMembers);
    minimumRequests += v1Pages(org.applications.length) + lists(org.applicationAssociations);
    minimumRequests += v1Pages(org.systems.length) + v2Pages(org.systemGroups.length) + lists(org.systemGroupMembers);
    minimumRequests += Math.min(bySystem, byUser);
    const diskPages = systemInsights ? systemInsightsPages(org.diskEncryption.length) : 1;
    const osPages = systemInsights ? systemInsightsPages(org.osVersions.length) : 1;
    minimumRequests += diskPages + osPages;
    const loginPages = Math.floor((org.pastLogins ?? []).filter((login) => login.msBeforeStart <= LOGIN_WINDOW_MS).length / DIRECTORY_INSIGHTS_PAGE) + 1;
    minimumRequests += loginPages;
    const withPolicies = org.policies.length > 0;
    const resultPages = withPolicies ? v2Pages(org.policyResults.length) : 0;
    minimumRequests += v2Pages(org.policies.length) + (withPolicies ? lists(org.policyAssociations) + resultPages : 0);

    const userDeviceRounds =
      bySystem <= byUser
        ? v1Rounds(org.systems.length) + longestList(org.systemUserAssociations)
        : v1Rounds(org.users.length) + max(org.users, (u) => v2Pages(perUser.get(u._id) ?? 0));
    const chains = [
      v1Rounds(org.users.length),
      v2Pages(org.userGroups.length) + longestList(org.userGroupMembers),
      v1Rounds(org.applications.length) + longestList(org.applicationAssociations),
      v2Pages(org.systemGroups.length) + longestList(org.systemGroupMembers),
      userDeviceRounds,
      diskPages,
      osPages,
      v2Pages(org.policies.length) + (withPolicies ? longestList(org.policyAssociations) : 0),
      resultPages,
      loginPages,
    ];
    // GET /organizations, then the organization, then its longest chain
    longest = Math.max(longest, 2 + Math.max(...chains));
  }
  return { minimumRequests, criticalPathRounds: longest };
}
