import {
  type Entity,
  type GraphPublisher,
  type GraphRelationship,
  type JumpCloudSource,
  type Membership,
  type Organization,
  type PublishResult,
  type PublishSession,
  type User,
  type UserGroup,
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
  members: Record<string, Membership[]>;
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

export function member(groupId: string, userId: string): Membership {
  return { fromId: groupId, toId: userId, toType: 'user' };
}

type Failure = { list: 'users' | 'userGroups' | 'userGroupMembers' | 'organizations'; error: Error; afterPages?: number };

export class InMemorySource implements JumpCloudSource {
  requests = 0;
  constructor(
    private readonly directories: Directory[],
    private readonly failures: Failure[] = [],
  ) {}

  async listOrganizations(): Promise<Organization[]> {
    this.requests += 1;
    this.fail('organizations', 0);
    return this.directories.map((d) => d.organization);
  }
  users(orgId: string) {
    return this.pages('users', this.dir(orgId).users);
  }
  userGroups(orgId: string) {
    return this.pages('userGroups', this.dir(orgId).groups);
  }
  userGroupMembers(orgId: string, groupId: string) {
    return this.pages('userGroupMembers', this.dir(orgId).members[groupId] ?? []);
  }
  applications() {
    return this.pages('users', []);
  }
  applicationAssociations() {
    return this.pages('users', []);
  }
  systems() {
    return this.pages('users', []);
  }
  systemGroups() {
    return this.pages('users', []);
  }
  systemGroupMembers() {
    return this.pages('users', []);
  }
  systemUsers() {
    return this.pages('users', []);
  }
  userSystems() {
    return this.pages('users', []);
  }
  requestCounts() {
    return { total: this.requests, retries: 0, byEndpoint: {} };
  }

  private dir(orgId: string): Directory {
    const found = this.directories.find((d) => d.organization.id === orgId);
    if (!found) throw new Error(`no organization ${orgId}`);
    return found;
  }

  private fail(list: Failure['list'], page: number): void {
    const failure = this.failures.find((f) => f.list === list && (f.afterPages ?? 0) === page);
    if (failure) throw failure.error;
  }

  private async *pages<T>(list: Failure['list'], items: T[]): AsyncGenerator<T[]> {
    for (let start = 0, page = 0; start < items.length || page === 0; start += 100, page += 1) {
      this.requests += 1;
      this.fail(list, page);
      const slice = items.slice(start, start + 100);
      if (slice.length > 0) yield slice;
      if (slice.length < 100) return;
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
  constructor(private readonly failWrites = false) {}

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
        recorded.finished = options;
        return { runId: '1', entities: count(recorded.entities), relationships: count(recorded.relationships) };
      },
      abort: async (reason) => {
        recorded.aborted = reason;
      },
    };
  }
}
