import type {
  Application,
  GraphConnection,
  Organization,
  OrganizationData,
  Policy,
  PolicyResult,
  SimulatorDataset,
  System,
  SystemGroup,
  SystemInsightsDiskEncryption,
  SystemInsightsOsVersion,
  SystemUser,
  UserGroup,
} from './dataset.types';
import { ListView } from './query';

/** Lookup structures for one organization, built once so each request only slices arrays. */
export interface OrganizationIndex {
  readonly id: string;
  readonly organization: Organization;
  readonly users: ListView<SystemUser>;
  readonly usersById: ReadonlyMap<string, SystemUser>;
  readonly userGroups: ListView<UserGroup>;
  readonly userGroupsById: ReadonlyMap<string, UserGroup>;
  readonly userGroupMembers: ReadonlyMap<string, readonly GraphConnection[]>;
  readonly applications: ListView<Application>;
  readonly applicationsById: ReadonlyMap<string, Application>;
  readonly applicationAssociations: ReadonlyMap<string, readonly GraphConnection[]>;
  readonly systems: ListView<System>;
  readonly systemsById: ReadonlyMap<string, System>;
  readonly systemAssociations: ReadonlyMap<string, readonly GraphConnection[]>;
  readonly systemGroups: ListView<SystemGroup>;
  readonly systemGroupsById: ReadonlyMap<string, SystemGroup>;
  readonly systemGroupMembers: ReadonlyMap<string, readonly GraphConnection[]>;
  /** Derived from the system and application sides, so both directions always agree. */
  readonly userAssociations: ReadonlyMap<string, { readonly system: readonly GraphConnection[]; readonly application: readonly GraphConnection[] }>;
  readonly diskEncryption: readonly SystemInsightsDiskEncryption[];
  readonly osVersions: readonly SystemInsightsOsVersion[];
  readonly policies: ListView<Policy>;
  readonly policiesById: ReadonlyMap<string, Policy>;
  readonly policyAssociations: ReadonlyMap<string, readonly GraphConnection[]>;
  readonly policyResults: ListView<PolicyResult>;
}

export interface DatasetIndex {
  readonly multiTenant: boolean;
  readonly organizations: ListView<Organization>;
  readonly organizationsById: ReadonlyMap<string, OrganizationIndex>;
  /** The only organization of a single-tenant dataset. */
  readonly defaultOrganization: OrganizationIndex | undefined;
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

/** Copies in id order (a no-op sort for generated data, which is created in id order). */
function inIdOrder<T>(items: readonly T[], key: (item: T) => string): T[] {
  return items.slice().sort(byKey(key));
}

function mapBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}

function indexOrganization(data: OrganizationData): OrganizationIndex {
  const users = inIdOrder(data.users, (u) => u._id);
  const userGroups = inIdOrder(data.userGroups, (g) => g.id);
  const applications = inIdOrder(data.applications, (a) => a._id);
  const systems = inIdOrder(data.systems, (s) => s._id);
  const systemGroups = inIdOrder(data.systemGroups, (g) => g.id);
  const policies = inIdOrder(data.policies, (p) => p.id);

  const userAssociations = new Map<string, { system: GraphConnection[]; application: GraphConnection[] }>();
  const sideOf = (userId: string) => {
    let side = userAssociations.get(userId);
    if (!side) {
      side = { system: [], application: [] };
      userAssociations.set(userId, side);
    }
    return side;
  };
  // Walking the owners in id order makes each user's list come out in id order too.
  for (const system of systems) {
    for (const connection of data.systemUserAssociations.get(system._id) ?? []) {
      // the binding's attributes (sudo) are the binding's: the same seen from either side
      if (connection.to.type === 'user') sideOf(connection.to.id).system.push({ to: { id: system._id, type: 'system', attributes: null }, attributes: connection.attributes ?? null });
    }
  }
  for (const application of applications) {
    for (const connection of data.applicationAssociations.get(application._id) ?? []) {
      if (connection.to.type === 'user') {
        sideOf(connection.to.id).application.push({ to: { id: application._id, type: 'application', attributes: null }, attributes: null });
      }
    }
  }

  return {
    id: data.organization._id,
    organization: data.organization,
    users: new ListView(users, '_id'),
    usersById: mapBy(users, (u) => u._id),
    userGroups: new ListView(userGroups, 'id'),
    userGroupsById: mapBy(userGroups, (g) => g.id),
    userGroupMembers: data.userGroupMembers,
    applications: new ListView(applications, '_id'),
    applicationsById: mapBy(applications, (a) => a._id),
    applicationAssociations: data.applicationAssociations,
    systems: new ListView(systems, '_id'),
    systemsById: mapBy(systems, (s) => s._id),
    systemAssociations: data.systemUserAssociations,
    systemGroups: new ListView(systemGroups, 'id'),
    systemGroupsById: mapBy(systemGroups, (g) => g.id),
    systemGroupMembers: data.systemGroupMembers,
    userAssociations,
    diskEncryption: data.diskEncryption,
    osVersions: data.osVersions,
    policies: new ListView(policies, 'id'),
    policiesById: mapBy(policies, (p) => p.id),
    policyAssociations: data.policyAssociations,
    policyResults: new ListView(inIdOrder(data.policyResults, (r) => r.id ?? ''), 'id'),
  };
}

/** Indexes a dataset. Later changes to the dataset's arrays and maps are not seen by the index. */
export function indexDataset(dataset: SimulatorDataset): DatasetIndex {
  const organizations = dataset.organizations.map(indexOrganization);
  const organizationsById = mapBy(organizations, (o) => o.id);
  if (organizationsById.size !== organizations.length) throw new RangeError('dataset: organization ids must be unique');
  return {
    multiTenant: dataset.multiTenant,
    organizations: new ListView(
      inIdOrder(
        organizations.map((o) => o.organization),
        (o) => o._id,
      ),
      '_id',
    ),
    organizationsById,
    defaultOrganization: organizations.length === 1 ? organizations[0] : undefined,
  };
}

/**
 * The index with one organization indexed anew from its (changed) data, the others kept as they
 * were: what a change made through the simulator's control costs, instead of the whole dataset.
 */
export function reindexOrganization(index: DatasetIndex, data: OrganizationData): DatasetIndex {
  const changed = indexOrganization(data);
  if (!index.organizationsById.has(changed.id)) throw new RangeError(`dataset: no organization ${changed.id} to index again`);
  const organizationsById = new Map(index.organizationsById);
  organizationsById.set(changed.id, changed);
  return {
    multiTenant: index.multiTenant,
    organizations: new ListView(
      inIdOrder(
        [...organizationsById.values()].map((o) => o.organization),
        (o) => o._id,
      ),
      '_id',
    ),
    organizationsById,
    defaultOrganization: index.defaultOrganization?.id === changed.id ? changed : index.defaultOrganization,
  };
}
