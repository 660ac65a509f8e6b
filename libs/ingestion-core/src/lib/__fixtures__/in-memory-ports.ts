import {
  type Application,
  type DirectoryEvent,
  type DirectoryEventQuery,
  type DiskVolume,
  type Entity,
  type GraphTargetType,
  type GraphPublisher,
  type GraphRelationship,
  type JumpCloudSource,
  type Membership,
  type Organization,
  type OsVersion,
  type Policy,
  type PolicyResult,
  type PublishResult,
  type PublishSession,
  type System,
  type SudoGrant,
  type SystemGroup,
  type User,
  type UserGroup,
  SourceFeatureUnavailableError,
} from '@jumpcloud-graph/domain';

/**
 * Test doubles of the two ports: an in-memory directory (pages of 100, like JumpCloud) and a
 * publisher that records sessions. The core does no I/O of its own, so these stand in for
 * JumpCloud and the target; end-to-end runs over HTTP and SQLite live in the apps' specs.
 */
export interface Directory {
  organization: Organization;
  users: User[];
  groups: UserGroup[];
  /** Direct members of user groups, by group id. */
  members: Record<string, Membership[]>;
  applications?: Application[];
  /** Direct associations of applications, by application id. */
  associations?: Record<string, Membership[]>;
  systems?: System[];
  systemGroups?: SystemGroup[];
  /** Members of system groups, by group id. */
  systemGroupMembers?: Record<string, Membership[]>;
  /** Users bound to systems, by system id; the user side is derived from it. */
  systemUsers?: Record<string, string[]>;
  /** The sudo grant of a binding, by `${systemId}|${userId}` (both sides list it). */
  sudo?: Record<string, SudoGrant>;
  /** System Insights rows; `systemInsights: 'unavailable'` answers as a plan without it (a 403). */
  diskVolumes?: DiskVolume[];
  osVersions?: OsVersion[];
  systemInsights?: 'unavailable';
  policies?: Policy[];
  /** Direct system and system group associations of policies, by policy id. */
  policyTargets?: Record<string, Membership[]>;
  policyResults?: PolicyResult[];
  /** Directory Insights events, in any order. */
  events?: DirectoryEvent[];
}

export function org(id: string, displayName = `Org ${id}`): Organization {
  return { id, displayName, accountType: null, created: '2024-01-01T00:00:00.000Z', requireAdminMfa: null, raw: { _id: id, displayName } };
}

export function user(id: string, email: string | null = `${id}@example.com`): User {
  return {
    id,
    username: id,
    email,
    firstName: 'First',
    lastName: id,
    displayName: null,
    state: 'ACTIVATED',
    activated: true,
    suspended: false,
    accountLocked: false,
    passwordExpired: false,
    passwordNeverExpires: false,
    passwordExpirationDate: null,
    mfaConfigured: true,
    mfaExclusion: false,
    mfaExclusionUntil: null,
    totpEnabled: false,
    mfaEnrollmentStatus: null,
    sudo: false,
    passwordlessSudo: false,
    externallyManaged: false,
    ldapBindingUser: false,
    sambaServiceUser: false,
    isAdmin: false,
    employeeIdentifier: null,
    employeeType: null,
    jobTitle: null,
    department: null,
    company: null,
    costCenter: null,
    location: null,
    created: '2024-01-01T00:00:00.000Z',
    raw: { _id: id, username: id, email },
  };
}

export function group(id: string): UserGroup {
  return { id, name: `group ${id}`, description: null, email: null, membershipMethod: 'STATIC', sudoEnabled: null, sudoWithoutPassword: null, sambaEnabled: null, raw: { id } };
}

export function application(id: string): Application {
  return {
    id,
    name: `app ${id}`,
    displayName: null,
    displayLabel: `App ${id}`,
    description: null,
    active: true,
    ssoUrl: null,
    ssoType: 'saml',
    idpCertExpirationAt: null,
    created: null,
    raw: { _id: id, name: `app ${id}`, config: { idpPrivateKey: { value: 'secret' } } },
  };
}

export function system(id: string): System {
  return {
    id,
    displayName: `host ${id}`,
    hostname: `host-${id}`,
    os: 'Ubuntu',
    osFamily: 'linux',
    version: '22.04',
    serialNumber: null,
    hwVendor: null,
    networkInterfaces: [],
    remoteIp: null,
    lastContact: null,
    created: null,
    active: true,
    fdeActive: null,
    agentVersion: null,
    allowSshRootLogin: null,
    allowSshPasswordAuthentication: null,
    allowMultiFactorAuthentication: null,
    raw: { _id: id, hostname: `host-${id}` },
  };
}

export function systemGroup(id: string): SystemGroup {
  return { id, name: `devices ${id}`, description: null, email: null, membershipMethod: 'STATIC', raw: { id } };
}

export function member(groupId: string, userId: string, toType: GraphTargetType = 'user'): Membership {
  return { fromId: groupId, toId: userId, toType };
}

export function policy(id: string, osFamily = 'linux'): Policy {
  return { id, name: `policy ${id}`, templateName: `template_${osFamily}`, osFamily, raw: { id, name: `policy ${id}` } };
}

export function policyResult(id: string, policyId: string, systemId: string, success: boolean, endedAt: string): PolicyResult {
  return { id, policyId, systemId, success, state: success ? 'success' : 'failed', startedAt: endedAt, endedAt };
}

export type ListName =
  | 'organizations'
  | 'users'
  | 'userGroups'
  | 'userGroupMembers'
  | 'applications'
  | 'applicationAssociations'
  | 'systems'
  | 'systemGroups'
  | 'systemGroupMembers'
  | 'systemUsers'
  | 'userSystems'
  | 'diskVolumes'
  | 'osVersions'
  | 'policies'
  | 'policyTargets'
  | 'policyResults'
  | 'directoryEvents'
  | 'user'
  | 'userGroup'
  | 'application'
  | 'system'
  | 'systemGroup';

type Failure = { list: ListName; error: Error; afterPages?: number; orgId?: string };

export class InMemorySource implements JumpCloudSource {
  requests = 0;
  /** Requests by list, to check which lists a run read. */
  readonly requestsByList: Partial<Record<ListName, number>> = {};
  constructor(
    private readonly directories: Directory[],
    private readonly failures: Failure[] = [],
  ) {}

  async listOrganizations(): Promise<Organization[]> {
    this.count('organizations');
    this.fail('organizations', 0);
    return this.directories.map((d) => d.organization);
  }
  users(orgId: string) {
    return this.pages(orgId, 'users', this.dir(orgId).users);
  }
  userGroups(orgId: string) {
    return this.pages(orgId, 'userGroups', this.dir(orgId).groups);
  }
  userGroupMembers(orgId: string, groupId: string) {
    return this.pages(orgId, 'userGroupMembers', this.dir(orgId).members[groupId] ?? []);
  }
  applications(orgId: string) {
    return this.pages(orgId, 'applications', this.dir(orgId).applications ?? []);
  }
  applicationAssociations(orgId: string, applicationId: string) {
    return this.pages(orgId, 'applicationAssociations', this.dir(orgId).associations?.[applicationId] ?? []);
  }
  systems(orgId: string) {
    return this.pages(orgId, 'systems', this.dir(orgId).systems ?? []);
  }
  systemGroups(orgId: string) {
    return this.pages(orgId, 'systemGroups', this.dir(orgId).systemGroups ?? []);
  }
  systemGroupMembers(orgId: string, groupId: string) {
    return this.pages(orgId, 'systemGroupMembers', this.dir(orgId).systemGroupMembers?.[groupId] ?? []);
  }
  systemUsers(orgId: string, systemId: string) {
    const users = this.dir(orgId).systemUsers?.[systemId] ?? [];
    return this.pages(orgId, 'systemUsers', users.map((userId) => this.bound(orgId, member(systemId, userId, 'user'), systemId, userId)));
  }
  userSystems(orgId: string, userId: string) {
    const bound = Object.entries(this.dir(orgId).systemUsers ?? {}).filter(([, users]) => users.includes(userId));
    return this.pages(orgId, 'userSystems', bound.map(([systemId]) => this.bound(orgId, member(userId, systemId, 'system'), systemId, userId)));
  }
  diskVolumes(orgId: string) {
    return this.insights(orgId, 'diskVolumes', this.dir(orgId).diskVolumes ?? []);
  }
  osVersions(orgId: string) {
    return this.insights(orgId, 'osVersions', this.dir(orgId).osVersions ?? []);
  }
  policies(orgId: string) {
    return this.pages(orgId, 'policies', this.dir(orgId).policies ?? []);
  }
  policyTargets(orgId: string, policyId: string) {
    return this.pages(orgId, 'policyTargets', this.dir(orgId).policyTargets?.[policyId] ?? []);
  }
  policyResults(orgId: string) {
    return this.pages(orgId, 'policyResults', this.dir(orgId).policyResults ?? []);
  }
  /** The events of the query's window, in timestamp order, `limit` a page. */
  directoryEvents(orgId: string, query: DirectoryEventQuery) {
    const [from, to] = [Date.parse(query.startTime), query.endTime === undefined ? Infinity : Date.parse(query.endTime)];
    const events = (this.dir(orgId).events ?? [])
      .filter((e) => Date.parse(e.timestamp) >= from && Date.parse(e.timestamp) <= to)
      .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    if (query.sort === 'DESC') events.reverse();
    return this.pages(orgId, 'directoryEvents', events, query.limit ?? 10_000);
  }
  async user(orgId: string, id: string) {
    return this.byId(orgId, 'user', this.dir(orgId).users, id);
  }
  async userGroup(orgId: string, id: string) {
    return this.byId(orgId, 'userGroup', this.dir(orgId).groups, id);
  }
  async application(orgId: string, id: string) {
    return this.byId(orgId, 'application', this.dir(orgId).applications ?? [], id);
  }
  async system(orgId: string, id: string) {
    return this.byId(orgId, 'system', this.dir(orgId).systems ?? [], id);
  }
  async systemGroup(orgId: string, id: string) {
    return this.byId(orgId, 'systemGroup', this.dir(orgId).systemGroups ?? [], id);
  }
  requestCounts() {
    return { total: this.requests, retries: 0, byEndpoint: {} };
  }

  /** One object by id: one request; undefined when the directory has none. */
  private byId<T extends { id: string }>(orgId: string, list: ListName, items: readonly T[], id: string): T | undefined {
    this.count(list);
    this.fail(list, 0, orgId);
    return items.find((item) => item.id === id);
  }

  private dir(orgId: string): Directory {
    const found = this.directories.find((d) => d.organization.id === orgId);
    if (!found) throw new Error(`no organization ${orgId}`);
    return found;
  }

  private count(list: ListName): void {
    this.requests += 1;
    this.requestsByList[list] = (this.requestsByList[list] ?? 0) + 1;
  }

  private fail(list: ListName, page: number, orgId?: string): void {
    const failure = this.failures.find((f) => f.list === list && (f.afterPages ?? 0) === page && (f.orgId === undefined || f.orgId === orgId));
    if (failure) throw failure.error;
  }

  private bound(orgId: string, edge: Membership, systemId: string, userId: string): Membership {
    const sudo = this.dir(orgId).sudo?.[`${systemId}|${userId}`];
    return sudo ? { ...edge, sudo } : edge;
  }

  /** System Insights: 10,000 rows a page, or a 403 (the feature is not on the plan). */
  private async *insights<T>(orgId: string, list: ListName, rows: T[]): AsyncGenerator<T[]> {
    if (this.dir(orgId).systemInsights === 'unavailable') {
      this.count(list);
      throw new SourceFeatureUnavailableError(`System Insights is not available (HTTP 403 on ${list})`);
    }
    yield* this.pages(orgId, list, rows, 10_000);
  }

  private async *pages<T>(orgId: string, list: ListName, items: T[], size = 100): AsyncGenerator<T[]> {
    for (let start = 0, page = 0; start < items.length || page === 0; start += size, page += 1) {
      this.count(list);
      this.fail(list, page, orgId);
      const slice = items.slice(start, start + size);
      if (slice.length > 0) yield slice;
      if (slice.length < size) return;
    }
  }
}

export interface RecordedSession {
  entities: Entity[];
  relationships: GraphRelationship[];
  finished?: { partialTypes: readonly string[] };
  aborted?: string;
}

export class RecordingPublisher implements GraphPublisher {
  readonly sessions: RecordedSession[] = [];
  constructor(
    private readonly failWrites = false,
    private readonly failFinish = false,
  ) {}

  async openSession(): Promise<PublishSession> {
    const recorded: RecordedSession = { entities: [], relationships: [] };
    this.sessions.push(recorded);
    const count = (objects: Array<{ _type: string }>) =>
      objects.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o._type]: (acc[o._type] ?? 0) + 1 }), {});
    return {
      writeEntities: async (batch) => {
        if (this.failWrites) throw new Error('disk full');
        recorded.entities.push(...batch);
      },
      writeRelationships: async (batch) => {
        recorded.relationships.push(...batch);
      },
      finish: async (options): Promise<PublishResult> => {
        if (this.failFinish) throw new Error('finalize refused');
        recorded.finished = options;
        return { runId: '1', entities: count(recorded.entities), relationships: count(recorded.relationships) };
      },
      abort: async (reason) => {
        recorded.aborted = reason;
      },
    };
  }
}
