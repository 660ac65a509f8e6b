import type {
  Application,
  DatasetOptions,
  EdgeCaseMarkers,
  GraphConnection,
  LoginService,
  Organization,
  OrganizationData,
  PastLogin,
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
import { ObjectIdFactory } from './object-id';
import { createRandom, deriveSeed, type Random } from './random';
import {
  APPLICATION_CATALOG,
  DEPARTMENTS,
  EMPLOYEE_TYPES,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  LOCATIONS,
  ORGANIZATION_NAMES,
  OS_CATALOG,
  OS_VERSION_FACTS,
  POLICY_TEMPLATES,
  type PolicyTemplate,
  SYSTEM_GROUP_NAMES,
  USER_GROUP_NAMES,
} from './sample-data';

/** Ids start at this instant and advance a minute per object, so `created` is stable and ordered. */
const BASE_SECONDS = Date.UTC(2019, 0, 1) / 1000;
const SECONDS_PER_ID = 60;
/** The dataset's "now" (last contacts, password expiry): fixed so datasets never depend on the clock. */
const REFERENCE_NOW_MS = Date.UTC(2025, 5, 1);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const DEFAULTS = {
  seed: 1,
  organizations: 1,
  users: 25,
  groups: 5,
  membersPerGroup: 5,
  applications: 3,
  assignmentsPerApplication: 3,
  systems: 5,
  systemGroups: 2,
  membersPerSystemGroup: 3,
  usersPerSystem: 1,
  policies: 4,
  systemsPerPolicy: 3,
  systemGroupsPerPolicy: 1,
  pastLogins: true,
  edgeCases: true,
} as const;

type ResolvedOptions = Required<DatasetOptions> & {
  membersPerGroup: readonly number[];
  membersPerSystemGroup: readonly number[];
};

/**
 * Builds a deterministic JumpCloud dataset: the same options always give a deep-equal result.
 * Throws RangeError on negative or non-integer sizes.
 */
export function createDataset(options: DatasetOptions = {}): SimulatorDataset {
  const resolved = resolveOptions(options);
  const ids = new ObjectIdFactory(
    createRandom(deriveSeed(resolved.seed, 'machine')).hex(10),
    BASE_SECONDS,
    SECONDS_PER_ID,
  );
  const multiTenant = resolved.organizations > 1;
  const builders: OrganizationBuilder[] = [];
  const organizations: OrganizationData[] = [];
  for (let index = 0; index < resolved.organizations; index++) {
    const builder = new OrganizationBuilder(resolved, ids, index, multiTenant);
    builders.push(builder);
    organizations.push(builder.build());
  }
  // Posture and policies come after every organization's directory, each from random streams of
  // their own, so that adding them changed no other object (nor any id) of any dataset.
  builders.forEach((builder, index) => builder.addPostureAndPolicies(organizations[index] as OrganizationData));
  // Past logins last of all, from a stream of their own: no object nor id changed when they came.
  if (resolved.pastLogins) builders.forEach((builder, index) => builder.addPastLogins(organizations[index] as OrganizationData));
  return { organizations, multiTenant };
}

function resolveOptions(options: DatasetOptions): ResolvedOptions {
  const count = (name: keyof DatasetOptions, value: number | undefined, fallback: number, min = 0): number => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min) throw new RangeError(`createDataset: ${name} must be an integer >= ${min}, got ${v}`);
    return v;
  };
  const counts = (name: keyof DatasetOptions, value: number | number[] | undefined, fallback: number): number[] => {
    const list = value === undefined ? [fallback] : Array.isArray(value) ? value : [value];
    if (list.length === 0) throw new RangeError(`createDataset: ${name} must not be an empty array`);
    return list.map((v) => count(name, v, fallback));
  };
  const seed = options.seed ?? DEFAULTS.seed;
  if (!Number.isFinite(seed)) throw new RangeError(`createDataset: seed must be a finite number, got ${seed}`);
  return {
    seed,
    organizations: count('organizations', options.organizations, DEFAULTS.organizations, 1),
    users: count('users', options.users, DEFAULTS.users),
    groups: count('groups', options.groups, DEFAULTS.groups),
    membersPerGroup: counts('membersPerGroup', options.membersPerGroup, DEFAULTS.membersPerGroup),
    applications: count('applications', options.applications, DEFAULTS.applications),
    assignmentsPerApplication: count('assignmentsPerApplication', options.assignmentsPerApplication, DEFAULTS.assignmentsPerApplication),
    systems: count('systems', options.systems, DEFAULTS.systems),
    systemGroups: count('systemGroups', options.systemGroups, DEFAULTS.systemGroups),
    membersPerSystemGroup: counts('membersPerSystemGroup', options.membersPerSystemGroup, DEFAULTS.membersPerSystemGroup),
    usersPerSystem: count('usersPerSystem', options.usersPerSystem, DEFAULTS.usersPerSystem),
    policies: count('policies', options.policies, DEFAULTS.policies),
    systemsPerPolicy: count('systemsPerPolicy', options.systemsPerPolicy, DEFAULTS.systemsPerPolicy),
    systemGroupsPerPolicy: count('systemGroupsPerPolicy', options.systemGroupsPerPolicy, DEFAULTS.systemGroupsPerPolicy),
    pastLogins: options.pastLogins ?? DEFAULTS.pastLogins,
    edgeCases: options.edgeCases ?? DEFAULTS.edgeCases,
  };
}

function edge(id: string, type: 'user' | 'user_group' | 'system' | 'system_group'): GraphConnection {
  return { to: { id, type, attributes: null }, attributes: null };
}

function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Names past the end of a word list get a number, so every group or application name stays unique. */
function numbered(list: readonly string[], index: number): string {
  const base = list[index % list.length] as string;
  const round = Math.floor(index / list.length);
  return round === 0 ? base : `${base} ${round + 1}`;
}

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** System Insights' collection_time: "YYYY-MM-DD hh:mm:ss", UTC without a zone. */
function collectionTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A random UUID-shaped string (volumes have one). */
function uuid(r: Random): string {
  const hex = r.hex(32).toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A PEM block with random base64 content: looks like key material, is none. */
function fakePem(r: Random, label: string, prefix: string, bytes: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let body = prefix;
  const length = Math.ceil((bytes * 4) / 3);
  while (body.length < length) body += alphabet[r.int(0, 63)];
  const lines = body.match(/.{1,64}/g) ?? [];
  return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join('\n');
}

// Built from parts so that secret scanners do not flag this source file as containing a key.
const PRIVATE_KEY_LABEL = ['PRIVATE', 'KEY'].join(' ');

interface UserSeed {
  firstname: string;
  lastname: string;
  username?: string;
}

class OrganizationBuilder {
  private readonly usernames = new Map<string, number>();
  private readonly orgId: string;
  private readonly orgCreatedSeconds: number;
  private readonly name: string;
  private readonly domain: string;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly ids: ObjectIdFactory,
    private readonly index: number,
    private readonly multiTenant: boolean,
  ) {
    const { id, seconds } = ids.next();
    this.orgId = id;
    this.orgCreatedSeconds = seconds;
    this.name = numbered(ORGANIZATION_NAMES, index);
    this.domain = `${slugify(this.name)}.example.com`;
  }

  /** One PRNG stream per collection, so changing one size leaves the other collections' data alone. */
  private random(collection: string): Random {
    return createRandom(deriveSeed(this.options.seed, `org${this.index}:${collection}`));
  }

  build(): OrganizationData {
    const { options } = this;
    const organization = this.buildOrganization();

    const userRandom = this.random('users');
    const users: SystemUser[] = [];
    for (let i = 0; i < options.users; i++) users.push(this.randomUser(userRandom, users));
    const edgeUsers = options.edgeCases ? this.addEdgeUsers(userRandom, users) : undefined;

    const groupRandom = this.random('userGroups');
    const userGroups: UserGroup[] = [];
    const userGroupMembers = new Map<string, GraphConnection[]>();
    for (let i = 0; i < options.groups; i++) {
      const group = this.userGroup(groupRandom, i);
      userGroups.push(group);
      const size = Math.min(options.membersPerGroup[i % options.membersPerGroup.length] as number, users.length);
      userGroupMembers.set(group.id, this.pickMembers(groupRandom, users, size, 'user'));
    }
    const randomGroups = userGroups.slice();
    let edgeGroups: Omit<EdgeCaseMarkers['userGroups'], 'passwordlessSudo'> | undefined;
    let danglingUserId = '';
    if (options.edgeCases) {
      // Edge-case groups: empty, one full page of members, one page plus one, and irregular entries.
      const make = (name: string, description: string, members: GraphConnection[]): string => {
        const group = { ...this.userGroup(groupRandom, userGroups.length), name, description };
        userGroups.push(group);
        userGroupMembers.set(group.id, members);
        return group.id;
      };
      const first = (count: number) => users.slice(0, Math.min(count, users.length)).map((u) => edge(u._id, 'user'));
      const empty = make('Edge: Empty Group', 'Has no members', []);
      const exactly100 = make('Edge: 100 Members', 'Exactly one full page of members', first(100));
      const exactly101 = make('Edge: 101 Members', 'One full page of members plus one', first(101));
      const irregularMembers = make('Edge: Irregular Members', 'A duplicate and a dangling member entry', []);
      // An id that was allocated but never became a user, like a member whose user was deleted.
      danglingUserId = this.ids.next().id;
      const [u0, u1] = users as [SystemUser, SystemUser];
      userGroupMembers.set(irregularMembers, [
        edge(u0._id, 'user'),
        edge(u1._id, 'user'),
        edge(u0._id, 'user'),
        edge(danglingUserId, 'user'),
      ]);
      edgeGroups = { empty, exactly100, exactly101, irregularMembers };
    }

    const appRandom = this.random('applications');
    const applications: Application[] = [];
    for (let i = 0; i < options.applications; i++) applications.push(this.application(appRandom, i, false));
    if (options.edgeCases) applications.push(this.application(appRandom, applications.length, true));
    const applicationAssociations = new Map<string, GraphConnection[]>();
    applications.forEach((app, i) => {
      const connections = this.pickMembers(appRandom, users, Math.min(options.assignmentsPerApplication, users.length), 'user');
      if (randomGroups.length > 0) connections.push(edge((randomGroups[i % randomGroups.length] as UserGroup).id, 'user_group'));
      applicationAssociations.set(app._id, connections);
    });

    const systemRandom = this.random('systems');
    const systems: System[] = [];
    for (let i = 0; i < options.systems; i++) systems.push(this.system(systemRandom, i, users));
    const edgeSystems = options.edgeCases ? this.addEdgeSystems(systemRandom, systems, users) : undefined;
    const systemUserAssociations = new Map<string, GraphConnection[]>();
    for (const system of systems) {
      systemUserAssociations.set(system._id, this.pickMembers(systemRandom, users, Math.min(options.usersPerSystem, users.length), 'user'));
    }

    const systemGroupRandom = this.random('systemGroups');
    const systemGroups: SystemGroup[] = [];
    const systemGroupMembers = new Map<string, GraphConnection[]>();
    for (let i = 0; i < options.systemGroups; i++) {
      const group = this.systemGroup(systemGroupRandom, i);
      systemGroups.push(group);
      const size = Math.min(options.membersPerSystemGroup[i % options.membersPerSystemGroup.length] as number, systems.length);
      systemGroupMembers.set(group.id, this.pickMembers(systemGroupRandom, systems, size, 'system'));
    }
    let emptySystemGroup = '';
    if (options.edgeCases) {
      const group = { ...this.systemGroup(systemGroupRandom, systemGroups.length), name: 'Edge: Empty Device Group' };
      systemGroups.push(group);
      systemGroupMembers.set(group.id, []);
      emptySystemGroup = group.id;
    }

    // Made last, each from a random stream of its own, so that no other object of the dataset
    // changes: a group granting sudo without a password, and an exposed device (root may log in
    // over SSH, silent for 90 days, no user bound to it).
    let passwordlessSudoGroup = '';
    let exposedSystem = '';
    if (options.edgeCases) {
      const sudoGroup = this.userGroup(this.random('edgeGroups'), userGroups.length);
      const group = {
        ...sudoGroup,
        name: 'Edge: Passwordless Sudo',
        description: 'Members may run sudo without a password',
        attributes: { ...sudoGroup.attributes, sudo: { enabled: true, withoutPassword: true } },
      };
      userGroups.push(group);
      userGroupMembers.set(group.id, users.slice(0, Math.min(3, users.length)).map((u) => edge(u._id, 'user')));
      passwordlessSudoGroup = group.id;
      const exposed = { ...this.system(this.random('edgeSystems'), systems.length, users), allowSshRootLogin: true, lastContact: isoAt(REFERENCE_NOW_MS - 90 * DAY_MS) };
      systems.push(exposed);
      systemUserAssociations.set(exposed._id, []);
      exposedSystem = exposed._id;
    }

    const data: OrganizationData = {
      organization,
      users,
      userGroups,
      userGroupMembers,
      applications,
      applicationAssociations,
      systems,
      systemGroups,
      systemGroupMembers,
      systemUserAssociations,
      diskEncryption: [],
      osVersions: [],
      policies: [],
      policyAssociations: new Map(),
      policyResults: [],
    };
    if (edgeUsers && edgeGroups && edgeSystems) {
      const [u0] = users as [SystemUser];
      data.edgeCases = {
        users: edgeUsers,
        userGroups: { ...edgeGroups, passwordlessSudo: passwordlessSudoGroup },
        danglingUserId,
        duplicateMemberUserId: u0._id,
        applications: { samlWithPrivateKey: (applications[applications.length - 1] as Application)._id },
        systems: { ...edgeSystems, exposed: exposedSystem },
        systemGroups: { empty: emptySystemGroup },
      };
    }
    return data;
  }

  /**
   * What the posture issue added, made once every organization is built (see createDataset), each
   * part from its own random stream: sudo rights on some user <-> system bindings, System Insights
   * rows, and policies with their bindings and results.
   */
  addPostureAndPolicies(data: OrganizationData): void {
    this.addDeviceSudo(this.random('deviceSudo'), data);
    this.addSystemInsights(this.random('systemInsights'), data);
    this.addPolicies(this.random('policies'), this.random('policyResults'), data);
  }

  /**
   * Logins of the past 60 days: seven users in ten (never a staged one) logged in once or twice,
   * mostly through SSO, nine times in ten successfully. Draws from its own stream and makes no id.
   */
  addPastLogins(data: OrganizationData): void {
    const r = this.random('pastLogins');
    const services: readonly LoginService[] = ['sso', 'sso', 'sso', 'directory', 'directory', 'systems', 'systems', 'radius', 'ldap'];
    const logins: PastLogin[] = [];
    for (const user of data.users) {
      if (user.state === 'STAGED' || !r.chance(0.7)) continue;
      const count = r.chance(0.3) ? 2 : 1;
      for (let k = 0; k < count; k++) {
        const service = r.pick(services);
        const login: PastLogin = { userId: user._id, service, success: r.chance(0.9), msBeforeStart: r.int(60_000, 60 * DAY_MS) };
        if (service === 'sso' && data.applications.length > 0) login.applicationId = r.pick(data.applications)._id;
        if (service === 'systems' && data.systems.length > 0) login.systemId = r.pick(data.systems)._id;
        logins.push(login);
      }
    }
    data.pastLogins = logins;
  }

  /** About one binding in eight grants sudo (a third of those without a password); about half of the others say so explicitly. */
  private addDeviceSudo(r: Random, data: OrganizationData): void {
    for (const system of data.systems) {
      for (const connection of data.systemUserAssociations.get(system._id) ?? []) {
        const roll = r.next();
        if (roll < 0.12) connection.attributes = { sudo: { enabled: true, withoutPassword: r.chance(0.3) } };
        else if (roll < 0.55) connection.attributes = { sudo: { enabled: false, withoutPassword: false } };
      }
    }
  }

  /**
   * One os_version row per system System Insights knows (nine in ten), and disk_encryption rows for
   * Macs (the data volume, encrypted as FileVault says nearly always; sometimes an external volume,
   * often not encrypted) and Linux systems (one volume, a third of them encrypted with LUKS).
   * Windows systems have no disk_encryption rows: that table does not cover them.
   */
  private addSystemInsights(r: Random, data: OrganizationData): void {
    for (const system of data.systems) {
      if (r.chance(0.1)) continue;
      const collected = REFERENCE_NOW_MS - r.int(0, 72 * HOUR_MS);
      const facts = OS_VERSION_FACTS[`${system.os ?? ''} ${system.version ?? ''}`];
      if (facts) {
        const row: SystemInsightsOsVersion = {
          system_id: system._id,
          collection_time: collectionTime(collected),
          name: facts.name,
          version: facts.version,
          major: facts.major,
          minor: facts.minor,
          patch: system.osFamily === 'windows' ? r.int(3000, 5200) : r.int(0, 7),
          build: facts.build,
          platform: facts.platform,
          platform_like: facts.platformLike,
          codename: facts.codename,
          install_date: '',
        };
        data.osVersions.push(row);
      }
      const volume = (name: string, encrypted: boolean, encryptedType: string, unencryptedStatus: string): SystemInsightsDiskEncryption => ({
        system_id: system._id,
        collection_time: collectionTime(collected),
        name,
        uuid: uuid(r),
        type: encrypted ? encryptedType : '',
        encrypted: encrypted ? 1 : 0,
        encryption_status: encrypted ? 'encrypted' : unencryptedStatus,
        uid: '',
        user_uuid: '',
      });
      if (system.osFamily === 'darwin') {
        data.diskEncryption.push(volume('/dev/disk1s1', system.fde?.active === true ? r.chance(0.95) : r.chance(0.1), 'AES-XTS', 'undefined'));
        if (r.chance(0.25)) data.diskEncryption.push(volume('/dev/disk2s1', r.chance(0.4), 'AES-XTS', 'undefined'));
      } else if (system.osFamily === 'linux') {
        data.diskEncryption.push(volume(r.chance(0.5) ? '/dev/nvme0n1p2' : '/dev/sda1', r.chance(0.35), 'aes-xts-plain64', 'not encrypted'));
      }
    }
  }

  /**
   * Policies of the catalog's templates in turn, each bound to systems of its OS family and to
   * system groups; results for the systems each reaches (directly or through a group, of its
   * family): none yet for one in ten, else the latest (passing four times in five) and for some an
   * older one before it.
   */
  private addPolicies(r: Random, results: Random, data: OrganizationData): void {
    // Templates are JumpCloud's, not the organization's: the same ids in every organization.
    const templateIds = POLICY_TEMPLATES.map((_template, i) => `5e${createRandom(deriveSeed(this.options.seed, `policyTemplate${i}`)).hex(22)}`);
    const fits = (template: PolicyTemplate, system: System) => template.osMetaFamily === 'universal' || system.osFamily === template.osMetaFamily;
    for (let i = 0; i < this.options.policies; i++) {
      const template = POLICY_TEMPLATES[i % POLICY_TEMPLATES.length] as PolicyTemplate;
      const round = Math.floor(i / POLICY_TEMPLATES.length);
      const policy: Policy = {
        id: this.ids.next().id,
        name: round === 0 ? template.displayName : `${template.displayName} ${round + 1}`,
        template: {
          id: templateIds[i % POLICY_TEMPLATES.length] as string,
          name: template.name,
          displayName: template.displayName,
          description: template.description,
          osMetaFamily: template.osMetaFamily,
        },
      };
      data.policies.push(policy);
      const eligible = data.systems.filter((system) => fits(template, system));
      const direct = this.pickMembers(r, eligible, Math.min(this.options.systemsPerPolicy, eligible.length), 'system');
      const groups = r
        .sample(data.systemGroups.length, Math.min(this.options.systemGroupsPerPolicy, data.systemGroups.length))
        .sort((a, b) => a - b)
        .map((k) => (data.systemGroups[k] as SystemGroup).id);
      data.policyAssociations.set(policy.id, [...direct, ...groups.map((id) => edge(id, 'system_group'))]);

      const reached = new Set(direct.map((c) => c.to.id));
      for (const group of groups) for (const c of data.systemGroupMembers.get(group) ?? []) reached.add(c.to.id);
      for (const system of data.systems) {
        if (!reached.has(system._id) || !fits(template, system) || results.chance(0.1)) continue;
        const latestEnd = REFERENCE_NOW_MS - results.int(1, 7 * 24) * HOUR_MS;
        const ends = results.chance(0.3) ? [latestEnd - results.int(1, 30) * DAY_MS, latestEnd] : [latestEnd];
        ends.forEach((end, k) => {
          const success = k === ends.length - 1 ? results.chance(0.8) : results.chance(0.5);
          data.policyResults.push(this.policyResult(results, policy, template, system, end, success));
        });
      }
    }
  }

  private policyResult(r: Random, policy: Policy, template: PolicyTemplate, system: System, endMs: number, success: boolean): PolicyResult {
    const host = system.hostname ?? system._id;
    return {
      id: this.ids.next().id,
      policyID: policy.id,
      systemID: system._id,
      startedAt: isoAt(endMs - r.int(1, 120) * 1000),
      endedAt: isoAt(endMs),
      state: success ? 'success' : 'failed',
      success,
      exitStatus: success ? 0 : 1,
      detail: '',
      // What a policy prints: the integration must never store it.
      stdOut: `${template.name} on ${host}: ${success ? 'applied' : 'not applied'}`,
      stdErr: success ? '' : `${template.name} on ${host}: exit status 1 (${template.displayName} could not be enforced)`,
    };
  }

  private buildOrganization(): Organization {
    const r = this.random('organization');
    return {
      _id: this.orgId,
      displayName: this.name,
      logoUrl: r.chance(0.5) ? `https://cdn.example.com/logos/${slugify(this.name)}.png` : null,
      created: isoAt(this.orgCreatedSeconds * 1000),
      accountType: this.multiTenant ? 'Tenant' : 'Direct',
      settings: {
        name: this.name,
        contactName: `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`,
        contactEmail: `it@${this.domain}`,
        requireAdminMFA: r.chance(0.6),
      },
    };
  }

  /** Usernames are unique per organization: a repeated name gets a number. */
  private uniqueUsername(base: string): string {
    const seen = this.usernames.get(base) ?? 0;
    this.usernames.set(base, seen + 1);
    return seen === 0 ? base : `${base}${seen + 1}`;
  }

  private created(r: Random, seconds: number): string {
    return isoAt(seconds * 1000 + r.int(0, SECONDS_PER_ID * 1000 - 1));
  }

  private user(r: Random, existing: readonly SystemUser[], seed: UserSeed): SystemUser {
    const { id, seconds } = this.ids.next();
    const username = this.uniqueUsername(seed.username ?? slugify(`${seed.firstname}.${seed.lastname}`).replace(/-/g, '.'));
    const enrolled = r.chance(0.65);
    const neverExpires = r.chance(0.1);
    const stateRoll = r.next();
    const state = stateRoll < 0.03 ? 'STAGED' : stateRoll < 0.05 ? 'SUSPENDED' : 'ACTIVATED';
    const sudo = r.chance(0.1);
    const department = r.pick(DEPARTMENTS);
    const hasKey = r.chance(0.25);
    const created = this.created(r, seconds);
    const user: SystemUser = {
      _id: id,
      username,
      email: `${username}@${this.domain}`,
      firstname: seed.firstname,
      lastname: seed.lastname,
      displayname: r.chance(0.8) ? `${seed.firstname} ${seed.lastname}` : '',
      description: '',
      state,
      activated: state !== 'STAGED',
      suspended: state === 'SUSPENDED',
      account_locked: false,
      password_expired: false,
      password_never_expires: neverExpires,
      password_expiration_date: neverExpires ? null : isoAt(REFERENCE_NOW_MS + r.int(5, 180) * DAY_MS),
      mfa: { configured: enrolled, exclusion: false, exclusionDays: 0 },
      totp_enabled: enrolled,
      mfaEnrollment: {
        overallStatus: enrolled ? 'ENROLLED' : 'NOT_ENROLLED',
        pushStatus: enrolled && r.chance(0.5) ? 'ENROLLED' : 'NOT_ENROLLED',
        totpStatus: enrolled ? 'ENROLLED' : 'NOT_ENROLLED',
        webAuthnStatus: 'NOT_ENROLLED',
      },
      sudo,
      passwordless_sudo: sudo && r.chance(0.3),
      externally_managed: false,
      ldap_binding_user: false,
      samba_service_user: false,
      admin: null,
      employeeIdentifier: `E${String(10000 + existing.length).padStart(6, '0')}`,
      employeeType: r.pick(EMPLOYEE_TYPES),
      jobTitle: r.pick(JOB_TITLES),
      department,
      company: this.name,
      costCenter: `CC-${(DEPARTMENTS.indexOf(department) + 1) * 100}`,
      location: r.pick(LOCATIONS),
      created,
      organization: this.orgId,
      ssh_keys: [],
      allow_public_key: true,
      unix_uid: 5000 + existing.length,
      unix_guid: 5000 + existing.length,
      enable_managed_uid: false,
    };
    if (existing.length > 0 && r.chance(0.5)) user.manager = r.pick(existing)._id;
    if (hasKey) {
      const key = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${r.hex(40)} ${username}@laptop`;
      user.public_key = key;
      user.ssh_keys = [{ _id: this.ids.next().id, name: 'laptop', public_key: key, create_date: created }];
    }
    return user;
  }

  private randomUser(r: Random, existing: readonly SystemUser[]): SystemUser {
    return this.user(r, existing, { firstname: r.pick(FIRST_NAMES), lastname: r.pick(LAST_NAMES) });
  }

  /** Appends one user per edge case (documented on EdgeCaseMarkers) and returns their ids. */
  private addEdgeUsers(r: Random, users: SystemUser[]): EdgeCaseMarkers['users'] {
    const noMfa = {
      mfa: { configured: false, exclusion: false, exclusionDays: 0 },
      totp_enabled: false,
      mfaEnrollment: { overallStatus: 'NOT_ENROLLED', pushStatus: 'NOT_ENROLLED', totpStatus: 'NOT_ENROLLED', webAuthnStatus: 'NOT_ENROLLED' },
    } satisfies Partial<SystemUser>;
    const add = (seed: UserSeed, overrides: Partial<SystemUser>): string => {
      const user: SystemUser = { ...this.user(r, users, seed), state: 'ACTIVATED', activated: true, suspended: false, ...overrides };
      users.push(user);
      return user._id;
    };
    const zoe = add({ firstname: 'Zoë', lastname: 'Ångström', username: 'zoe.angstrom' }, { displayname: 'Zoë Ångström' });
    const li = add({ firstname: '小龍', lastname: '李', username: 'li.xiaolong' }, { displayname: '李 小龍' });
    return {
      unicodeNames: [zoe, li],
      emojiDisplayName: add({ firstname: 'Rocket', lastname: 'Raccoon', username: 'rocket.raccoon' }, { displayname: 'Rocket 🚀 Raccoon' }),
      suspended: add({ firstname: 'Sam', lastname: 'Suspended' }, { state: 'SUSPENDED', suspended: true }),
      staged: add({ firstname: 'Stacy', lastname: 'Staged' }, { state: 'STAGED', activated: false }),
      locked: add({ firstname: 'Lou', lastname: 'Locked' }, { account_locked: true }),
      passwordExpired: add(
        { firstname: 'Pat', lastname: 'Expired' },
        { password_expired: true, password_never_expires: false, password_expiration_date: isoAt(REFERENCE_NOW_MS - 12 * DAY_MS) },
      ),
      mfaConfiguredOnly: add({ firstname: 'Mia', lastname: 'Configured' }, { ...noMfa, mfa: { configured: true, exclusion: false, exclusionDays: 0 } }),
      totpOnly: add({ firstname: 'Toby', lastname: 'Totp' }, { ...noMfa, totp_enabled: true }),
      mfaEnrolledOnly: add(
        { firstname: 'Erin', lastname: 'Enrolled' },
        { ...noMfa, mfaEnrollment: { ...noMfa.mfaEnrollment, overallStatus: 'ENROLLED', pushStatus: 'ENROLLED' } },
      ),
      mfaExclusion: add(
        { firstname: 'Xavier', lastname: 'Excluded' },
        { ...noMfa, mfa: { configured: false, exclusion: true, exclusionDays: 14, exclusionUntil: isoAt(REFERENCE_NOW_MS + 14 * DAY_MS) } },
      ),
      noMfa: add({ firstname: 'Nora', lastname: 'Nomfa' }, noMfa),
      admin: add(
        { firstname: 'Adam', lastname: 'Admin' },
        { admin: { id: this.ids.next().id, roleName: 'Administrator With Billing', roleNames: ['Administrator With Billing'] }, sudo: true },
      ),
    };
  }

  private userGroup(r: Random, i: number): UserGroup {
    const { id } = this.ids.next();
    const name = numbered(USER_GROUP_NAMES, i);
    const slug = slugify(name);
    const sudo = r.chance(0.2);
    return {
      id,
      name,
      description: `${name} team`,
      email: `${slug}@${this.domain}`,
      type: 'user_group',
      membershipMethod: r.chance(0.15) ? 'DYNAMIC_AUTOMATED' : 'STATIC',
      attributes: {
        sudo: { enabled: sudo, withoutPassword: sudo && r.chance(0.3) },
        sambaEnabled: r.chance(0.2),
        ldapGroups: [{ name: slug }],
        posixGroups: [{ id: 10000 + i, name: slug }],
      },
    };
  }

  /** `size` distinct members in id order (ids ascend with array position). */
  private pickMembers(r: Random, objects: readonly { _id: string }[], size: number, type: 'user' | 'system'): GraphConnection[] {
    return r
      .sample(objects.length, size)
      .sort((a, b) => a - b)
      .map((k) => edge((objects[k] as { _id: string })._id, type));
  }

  private application(r: Random, i: number, withPrivateKey: boolean): Application {
    const { id, seconds } = this.ids.next();
    const template = APPLICATION_CATALOG[i % APPLICATION_CATALOG.length] as (typeof APPLICATION_CATALOG)[number];
    const round = Math.floor(i / APPLICATION_CATALOG.length);
    const displayLabel = withPrivateKey ? `${template.displayName} (SAML signing key)` : round === 0 ? template.displayName : `${template.displayName} ${round + 1}`;
    const ssoType = withPrivateKey ? 'saml' : template.ssoType;
    const color = `#${r.hex(6)}`;
    const app: Application = {
      _id: id,
      name: template.name,
      displayName: template.displayName,
      displayLabel,
      description: `${displayLabel} single sign-on`,
      active: withPrivateKey || r.chance(0.9),
      beta: false,
      ssoUrl: `https://sso.jumpcloud.com/saml2/${slugify(displayLabel)}`,
      sso: { type: ssoType, beta: false, jit: r.chance(0.3), hidden: false },
      created: this.created(r, seconds),
      organization: this.orgId,
      learnMore: `https://support.example.com/sso/${template.name}`,
      color,
      logo: { url: `https://cdn.example.com/logos/${template.name}.png`, color },
    };
    if (ssoType === 'saml') {
      const expiresInDays = withPrivateKey ? 20 : r.int(-30, 720);
      app.sso = { ...app.sso, idpCertExpirationAt: isoAt(REFERENCE_NOW_MS + expiresInDays * DAY_MS) };
      const config: Record<string, unknown> = {
        acsUrl: { type: 'text', label: 'ACS URL', value: `https://${template.name}.example.net/saml/acs` },
        spEntityId: { type: 'text', label: 'SP Entity ID', value: `https://${template.name}.example.net` },
        idpEntityId: { type: 'text', label: 'IdP Entity ID', value: `https://sso.jumpcloud.com/${slugify(displayLabel)}` },
        idpCertificate: { type: 'file', label: 'IdP Certificate', value: fakePem(r, 'CERTIFICATE', 'MIIDpDCCAoygAwIBAgIG', 900) },
      };
      if (withPrivateKey) {
        config['idpPrivateKey'] = { type: 'file', label: 'IdP Private Key', value: fakePem(r, PRIVATE_KEY_LABEL, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 1200) };
      }
      app.config = config;
    } else if (ssoType === 'oidc') {
      app.config = { redirectUris: { type: 'list', label: 'Redirect URIs', value: [`https://portal.${this.domain}/oidc/callback`] } };
    } else {
      app.config = { url: { type: 'text', label: 'URL', value: `https://intranet.${this.domain}/` } };
    }
    return app;
  }

  private system(r: Random, i: number, users: readonly SystemUser[]): System {
    const { id, seconds } = this.ids.next();
    const os = r.pick(OS_CATALOG);
    const owner = users.length > 0 ? r.pick(users) : undefined;
    const ownerName = (owner?.username ?? 'shared').split('.')[0] ?? 'shared';
    const hostname =
      os.osFamily === 'darwin'
        ? `${ownerName}-macbook-${i + 1}.local`
        : os.osFamily === 'windows'
          ? `DESKTOP-${r.hex(7).toUpperCase()}`
          : `srv-${String(i + 1).padStart(4, '0')}.prod.${this.domain}`;
    const hwVendor = r.pick(os.vendors);
    const fdeActive = os.osFamily !== 'linux' && r.chance(0.85);
    const lastContactMs = REFERENCE_NOW_MS - r.int(0, 30 * DAY_MS);
    const system: System = {
      _id: id,
      displayName: hostname,
      hostname,
      os: os.os,
      osFamily: os.osFamily,
      version: r.pick(os.versions),
      arch: r.pick(os.arches),
      serialNumber: os.osFamily === 'darwin' ? `C02${r.hex(9).toUpperCase()}` : r.hex(10).toUpperCase(),
      hwVendor,
      networkInterfaces: [
        { name: os.interfaceName, address: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`, family: 'IPv4', internal: false },
      ],
      remoteIP: `203.0.113.${r.int(1, 254)}`,
      lastContact: r.chance(0.03) ? null : isoAt(lastContactMs),
      created: this.created(r, seconds),
      active: r.chance(0.7),
      fde: { active: fdeActive, keyPresent: fdeActive && r.chance(0.9) },
      agentVersion: `1.${r.int(150, 190)}.${r.int(0, 5)}`,
      allowSshRootLogin: false,
      allowSshPasswordAuthentication: r.chance(0.3),
      allowMultiFactorAuthentication: r.chance(0.5),
      allowPublicKeyAuthentication: true,
      modifySSHDConfig: r.chance(0.5),
      organization: this.orgId,
      systemTimezone: r.pick([-480, -300, 0, 60, 330]),
      templateName: os.templateName,
    };
    if (hwVendor === 'Amazon EC2') system.amazonInstanceID = `i-${r.hex(17)}`;
    return system;
  }

  /** Appends one system per edge case (documented on EdgeCaseMarkers) and returns their ids. */
  private addEdgeSystems(r: Random, systems: System[], users: readonly SystemUser[]): Omit<EdgeCaseMarkers['systems'], 'exposed'> {
    const add = (patch: (s: System) => System): string => {
      const system = patch(this.system(r, systems.length, users));
      systems.push(system);
      return system._id;
    };
    return {
      ipv6AndInternalInterfaces: add((s) => ({
        ...s,
        networkInterfaces: [
          { name: 'eth0', address: '10.20.30.40', family: 'IPv4', internal: false },
          { name: 'eth0', address: '2001:db8:85a3::8a2e:370:7334', family: 'IPv6', internal: false },
          { name: 'lo', address: '127.0.0.1', family: 'IPv4', internal: true },
          { name: 'lo', address: '::1', family: 'IPv6', internal: true },
        ],
      })),
      withoutFde: add((s) => {
        const { fde: _fde, ...rest } = s;
        return rest;
      }),
      invalidHostname: add((s) => ({ ...s, hostname: "Bob's MacBook_Pro (2)", displayName: "Bob's MacBook_Pro (2)" })),
    };
  }

  private systemGroup(r: Random, i: number): SystemGroup {
    const { id } = this.ids.next();
    const name = numbered(SYSTEM_GROUP_NAMES, i);
    return {
      id,
      name,
      description: `${name} device group`,
      email: '',
      type: 'system_group',
      membershipMethod: r.chance(0.2) ? 'DYNAMIC_AUTOMATED' : 'STATIC',
      attributes: null,
    };
  }
}
