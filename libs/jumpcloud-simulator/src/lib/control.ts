import { ApiError } from './api-error';
import type {
  Application,
  GraphConnection,
  LoginService,
  OrganizationData,
  SimulatorDataset,
  System,
  SystemGroup,
  SystemUser,
  UserGroup,
} from './dataset.types';
import type { AssociationEnd, DirectoryInsightsEvent, DirectoryInsightsLog, DirectoryObjectType, EventBody } from './insights';

/** The path of the HTTP control endpoint (`POST`), beside `/api` on the simulator's host. */
export const CONTROL_PATH = '/_control';

export const LOGIN_SERVICES: readonly LoginService[] = ['directory', 'sso', 'systems', 'radius', 'ldap'];

/** Fields the simulator sets and no create or update may: ids, the organization, the creation time. */
const IMMUTABLE_FIELDS = ['_id', 'id', 'organization', 'created', 'type'];

type Fields<T> = Omit<T, '_id' | 'id' | 'organization' | 'created' | 'type'>;
export type NewUser = Fields<SystemUser> & { username: string; email: string };
export type NewUserGroup = Fields<UserGroup> & { name: string };
export type NewSystem = Fields<System> & { hostname: string };
export type NewSystemGroup = Fields<SystemGroup> & { name: string };
export type NewApplication = Fields<Application> & { name: string };

/**
 * One change made through the control, as the typed methods and `POST /_control` take it. Every
 * operation may name its organization (`orgId`): creating needs one in a multi-tenant dataset;
 * other operations find their objects by id, in that organization only when it is given.
 */
export type ControlOperation = { orgId?: string } & (
  | { op: 'createUser'; user: NewUser }
  | { op: 'updateUser'; id: string; patch: Partial<Fields<SystemUser>> }
  | { op: 'deleteUser'; id: string }
  | { op: 'createUserGroup'; group: NewUserGroup }
  | { op: 'updateUserGroup'; id: string; patch: Partial<Fields<UserGroup>> }
  | { op: 'deleteUserGroup'; id: string }
  | { op: 'addUserGroupMember'; groupId: string; userId: string }
  | { op: 'removeUserGroupMember'; groupId: string; userId: string }
  | { op: 'createSystem'; system: NewSystem }
  | { op: 'updateSystem'; id: string; patch: Partial<Fields<System>> }
  | { op: 'deleteSystem'; id: string }
  | { op: 'createSystemGroup'; group: NewSystemGroup }
  | { op: 'updateSystemGroup'; id: string; patch: Partial<Fields<SystemGroup>> }
  | { op: 'deleteSystemGroup'; id: string }
  | { op: 'addSystemGroupMember'; groupId: string; systemId: string }
  | { op: 'removeSystemGroupMember'; groupId: string; systemId: string }
  | { op: 'createApplication'; application: NewApplication }
  | { op: 'updateApplication'; id: string; patch: Partial<Fields<Application>> }
  | { op: 'deleteApplication'; id: string }
  | { op: 'addApplicationAssociation'; applicationId: string; type: 'user' | 'user_group'; id: string }
  | { op: 'removeApplicationAssociation'; applicationId: string; type: 'user' | 'user_group'; id: string }
  | { op: 'addSystemUserBinding'; systemId: string; userId: string; attributes?: Record<string, unknown> | null }
  | { op: 'removeSystemUserBinding'; systemId: string; userId: string }
  | { op: 'login'; userId: string; service: LoginService; success?: boolean; applicationId?: string; systemId?: string }
);

export type ControlOperationName = ControlOperation['op'];

/** What an operation did: the object it created or updated (the event, for a login; null for the rest) and the events it recorded. */
export interface ControlResult {
  result: unknown;
  events: DirectoryInsightsEvent[];
}

/** Every operation name, e.g. for a test that drives the control over HTTP. */
export const CONTROL_OPERATIONS: readonly ControlOperationName[] = [
  'createUser',
  'updateUser',
  'deleteUser',
  'createUserGroup',
  'updateUserGroup',
  'deleteUserGroup',
  'addUserGroupMember',
  'removeUserGroupMember',
  'createSystem',
  'updateSystem',
  'deleteSystem',
  'createSystemGroup',
  'updateSystemGroup',
  'deleteSystemGroup',
  'addSystemGroupMember',
  'removeSystemGroupMember',
  'createApplication',
  'updateApplication',
  'deleteApplication',
  'addApplicationAssociation',
  'removeApplicationAssociation',
  'addSystemUserBinding',
  'removeSystemUserBinding',
  'login',
];

/** What the control needs of its simulator. */
export interface ControlHost {
  readonly dataset: SimulatorDataset;
  readonly log: DirectoryInsightsLog;
  /** Called after each change of an organization's data, so the API answers from it. */
  changed(organization: OrganizationData): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}

function idOf(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw badRequest(`${name} must be a non-empty string`);
  return value;
}

/** An object of fields to set: none of the fields the simulator owns. */
function fieldsOf(value: unknown, name: string): Record<string, unknown> {
  if (!isRecord(value)) throw badRequest(`${name} must be an object`);
  const owned = IMMUTABLE_FIELDS.filter((field) => field in value);
  if (owned.length > 0) throw badRequest(`${name} may not set ${owned.join(', ')}`);
  return value;
}

function requiredText(fields: Record<string, unknown>, name: string, what: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${what}.${name} is required (a non-empty string)`);
  return value;
}

function edge(id: string, type: DirectoryObjectType): GraphConnection {
  return { to: { id, type, attributes: null }, attributes: null };
}

function sameText(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'app'
  );
}

/** `{ field, from, to }` for each top-level field whose value changed (a field absent before or after is null there). */
function changesOf(before: object, after: object): { field: string; from: unknown; to: unknown }[] {
  const was = before as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  const fields = new Set([...Object.keys(was), ...Object.keys(now)]);
  return [...fields]
    .filter((field) => JSON.stringify(was[field]) !== JSON.stringify(now[field]))
    .map((field) => ({ field, from: was[field] ?? null, to: now[field] ?? null }));
}

/** Removes every connection to `id` (of `type`) from the lists of a map; true when one was removed. */
function dropConnections(lists: Map<string, GraphConnection[]>, type: DirectoryObjectType, id: string): boolean {
  let dropped = false;
  for (const [key, connections] of lists) {
    const kept = connections.filter((connection) => !(connection.to.id === id && connection.to.type === type));
    if (kept.length !== connections.length) {
      lists.set(key, kept);
      dropped = true;
    }
  }
  return dropped;
}

/** The process that authenticates a user on a device of the system's OS family. */
function loginProcess(system: System | undefined): string {
  switch (system?.osFamily) {
    case 'windows':
      return 'winlogon';
    case 'darwin':
      return 'loginwindow';
    default:
      return 'sshd';
  }
}

/**
 * The event of one login, in the shape DI gives its service: `user_login_attempt` (directory,
 * the user portal), `sso_auth`, `login_attempt` (systems), `radius_auth` and `ldap_bind` (the
 * last two name the user by `username` only, as RADIUS and LDAP know no user id).
 */
export function loginEventBody(
  organization: OrganizationData,
  user: SystemUser,
  service: LoginService,
  success: boolean,
  target: { application?: Application; system?: System } = {},
): EventBody {
  const username = user.username ?? '';
  const user_ = { id: user._id, type: 'user' as const, username };
  const clientIp = '203.0.113.10';
  switch (service) {
    case 'directory':
      return {
        event_type: 'user_login_attempt',
        service,
        success,
        initiated_by: user_,
        resource: { id: user._id, type: 'user', username },
        mfa: user.totp_enabled === true,
        client_ip: clientIp,
      };
    case 'sso': {
      const app = target.application;
      return {
        event_type: 'sso_auth',
        service,
        success,
        sso_token_success: success,
        idp_initiated: false,
        initiated_by: user_,
        application: {
          id: app?._id ?? '',
          name: app?.name ?? '',
          display_label: app?.displayLabel ?? '',
          sso_url: app?.ssoUrl ?? '',
          sso_type: app?.sso?.type ?? '',
        },
        client_ip: clientIp,
      };
    }
    case 'systems': {
      const system = target.system;
      return {
        event_type: 'login_attempt',
        service,
        success,
        initiated_by: user_,
        username,
        ...(system ? { system: { id: system._id, hostname: system.hostname ?? '', displayName: system.displayName ?? '' } } : {}),
        process_name: loginProcess(system),
        client_ip: clientIp,
      };
    }
    case 'radius':
      return { event_type: 'radius_auth', service, success, initiated_by: { type: 'user', username }, username, client_ip: clientIp };
    case 'ldap':
      return {
        event_type: 'ldap_bind',
        service,
        success,
        username,
        dn: `uid=${username},ou=Users,o=${organization.organization._id},dc=jumpcloud,dc=com`,
        mech: 'simple',
        client_ip: clientIp,
      };
  }
}

/** The objects a login names when the operation does not: the first application or device the user is bound to, else the first of the organization. */
export function defaultLoginTarget(organization: OrganizationData, user: SystemUser, service: LoginService): { application?: Application; system?: System } {
  if (service === 'sso') {
    const bound = organization.applications.find((app) =>
      (organization.applicationAssociations.get(app._id) ?? []).some((c) => c.to.type === 'user' && c.to.id === user._id),
    );
    return { application: bound ?? organization.applications[0] };
  }
  if (service === 'systems') {
    const bound = organization.systems.find((system) =>
      (organization.systemUserAssociations.get(system._id) ?? []).some((c) => c.to.type === 'user' && c.to.id === user._id),
    );
    return { system: bound ?? organization.systems[0] };
  }
  return {};
}

/**
 * Changes the simulator's directory as an administrator would, and records the events a real
 * directory would (see the README): each change keeps the dataset consistent (a deleted object
 * leaves every membership and association it was in) and is served from the next request on.
 * Errors carry a `status`: 400 (a bad operation), 404 (an unknown id) or 409 (already there).
 */
export class SimulatorControl {
  private idSeconds = 0;
  private idCounter = 0;

  constructor(private readonly host: ControlHost) {
    // New ids sort after every id of the dataset, so the default (id) order stays creation order.
    for (const organization of host.dataset.organizations) {
      for (const id of [
        organization.organization._id,
        ...organization.users.map((u) => u._id),
        ...organization.userGroups.map((g) => g.id),
        ...organization.applications.map((a) => a._id),
        ...organization.systems.map((s) => s._id),
        ...organization.systemGroups.map((g) => g.id),
        ...organization.policies.map((p) => p.id),
      ]) {
        if (/^[0-9a-f]{24}$/i.test(id)) this.idSeconds = Math.max(this.idSeconds, parseInt(id.slice(0, 8), 16) + 1);
      }
    }
  }

  /** Every event of an organization (the only one, when not given), oldest first. */
  events(orgId?: string): DirectoryInsightsEvent[] {
    return this.host.log.events(this.organization(orgId).organization._id).map((event) => structuredClone(event));
  }

  createUser(user: NewUser, options: { orgId?: string } = {}): SystemUser {
    return this.apply({ op: 'createUser', user, ...options }).result as SystemUser;
  }

  updateUser(id: string, patch: Partial<Fields<SystemUser>>): SystemUser {
    return this.apply({ op: 'updateUser', id, patch }).result as SystemUser;
  }

  deleteUser(id: string): void {
    this.apply({ op: 'deleteUser', id });
  }

  createUserGroup(group: NewUserGroup, options: { orgId?: string } = {}): UserGroup {
    return this.apply({ op: 'createUserGroup', group, ...options }).result as UserGroup;
  }

  updateUserGroup(id: string, patch: Partial<Fields<UserGroup>>): UserGroup {
    return this.apply({ op: 'updateUserGroup', id, patch }).result as UserGroup;
  }

  deleteUserGroup(id: string): void {
    this.apply({ op: 'deleteUserGroup', id });
  }

  addUserGroupMember(groupId: string, userId: string): void {
    this.apply({ op: 'addUserGroupMember', groupId, userId });
  }

  removeUserGroupMember(groupId: string, userId: string): void {
    this.apply({ op: 'removeUserGroupMember', groupId, userId });
  }

  createSystem(system: NewSystem, options: { orgId?: string } = {}): System {
    return this.apply({ op: 'createSystem', system, ...options }).result as System;
  }

  updateSystem(id: string, patch: Partial<Fields<System>>): System {
    return this.apply({ op: 'updateSystem', id, patch }).result as System;
  }

  deleteSystem(id: string): void {
    this.apply({ op: 'deleteSystem', id });
  }

  createSystemGroup(group: NewSystemGroup, options: { orgId?: string } = {}): SystemGroup {
    return this.apply({ op: 'createSystemGroup', group, ...options }).result as SystemGroup;
  }

  updateSystemGroup(id: string, patch: Partial<Fields<SystemGroup>>): SystemGroup {
    return this.apply({ op: 'updateSystemGroup', id, patch }).result as SystemGroup;
  }

  deleteSystemGroup(id: string): void {
    this.apply({ op: 'deleteSystemGroup', id });
  }

  addSystemGroupMember(groupId: string, systemId: string): void {
    this.apply({ op: 'addSystemGroupMember', groupId, systemId });
  }

  removeSystemGroupMember(groupId: string, systemId: string): void {
    this.apply({ op: 'removeSystemGroupMember', groupId, systemId });
  }

  createApplication(application: NewApplication, options: { orgId?: string } = {}): Application {
    return this.apply({ op: 'createApplication', application, ...options }).result as Application;
  }

  updateApplication(id: string, patch: Partial<Fields<Application>>): Application {
    return this.apply({ op: 'updateApplication', id, patch }).result as Application;
  }

  deleteApplication(id: string): void {
    this.apply({ op: 'deleteApplication', id });
  }

  addApplicationAssociation(applicationId: string, target: { type: 'user' | 'user_group'; id: string }): void {
    this.apply({ op: 'addApplicationAssociation', applicationId, ...target });
  }

  removeApplicationAssociation(applicationId: string, target: { type: 'user' | 'user_group'; id: string }): void {
    this.apply({ op: 'removeApplicationAssociation', applicationId, ...target });
  }

  /** Binds a user to a device; binding again with other attributes (sudo) updates the binding. */
  addSystemUserBinding(systemId: string, userId: string, attributes?: Record<string, unknown> | null): void {
    this.apply({ op: 'addSystemUserBinding', systemId, userId, attributes });
  }

  removeSystemUserBinding(systemId: string, userId: string): void {
    this.apply({ op: 'removeSystemUserBinding', systemId, userId });
  }

  /** Records a login of the user through a service (no change to the directory). */
  login(userId: string, service: LoginService, success = true, target: { applicationId?: string; systemId?: string } = {}): DirectoryInsightsEvent {
    return this.apply({ op: 'login', userId, service, success, ...target }).result as DirectoryInsightsEvent;
  }

  /** Applies one operation (what `POST /_control` does with each operation it is sent). */
  apply(operation: ControlOperation): ControlResult {
    if (!isRecord(operation)) throw badRequest('an operation must be an object with "op"');
    const scope = operation.orgId === undefined ? undefined : idOf(operation.orgId, 'orgId');
    const recorded: DirectoryInsightsEvent[] = [];
    const result = this.run(operation, scope, recorded);
    return { result: result === undefined ? null : structuredClone(result), events: recorded.map((event) => structuredClone(event)) };
  }

  private run(operation: ControlOperation, scope: string | undefined, recorded: DirectoryInsightsEvent[]): unknown {
    const record = (organization: OrganizationData, ms: number, body: EventBody) => {
      recorded.push(this.host.log.append(organization.organization._id, ms, body));
      this.host.changed(organization);
    };
    const op = operation as Record<string, unknown>;
    switch (operation.op) {
      case 'createUser': {
        const organization = this.organization(scope);
        const fields = fieldsOf(op['user'], 'user');
        const username = requiredText(fields, 'username', 'user');
        requiredText(fields, 'email', 'user');
        if (organization.users.some((u) => sameText(u.username, username))) throw new ApiError(409, `username "${username}" is already taken`);
        const ms = this.host.log.tick();
        const user: SystemUser = {
          _id: this.newId(ms),
          firstname: '',
          lastname: '',
          displayname: '',
          description: '',
          state: 'ACTIVATED',
          activated: true,
          suspended: false,
          account_locked: false,
          password_expired: false,
          password_never_expires: false,
          password_expiration_date: null,
          mfa: { configured: false, exclusion: false, exclusionDays: 0 },
          totp_enabled: false,
          mfaEnrollment: { overallStatus: 'NOT_ENROLLED', pushStatus: 'NOT_ENROLLED', totpStatus: 'NOT_ENROLLED', webAuthnStatus: 'NOT_ENROLLED' },
          sudo: false,
          passwordless_sudo: false,
          externally_managed: false,
          ldap_binding_user: false,
          samba_service_user: false,
          admin: null,
          ssh_keys: [],
          allow_public_key: true,
          enable_managed_uid: false,
          ...fields,
          created: new Date(ms).toISOString(),
          organization: organization.organization._id,
        };
        organization.users.push(user);
        record(organization, ms, { ...this.change(organization, 'user_create'), resource: this.resource(user, 'user') });
        return user;
      }
      case 'updateUser': {
        const { organization, item: user } = this.find(scope, idOf(op['id'], 'id'), 'user');
        const patch = this.patchOf(op['patch']);
        if (typeof patch['username'] === 'string' && organization.users.some((u) => u !== user && sameText(u.username, patch['username'] as string))) {
          throw new ApiError(409, `username "${patch['username']}" is already taken`);
        }
        return this.update(organization, user, patch, 'user', 'user_update', record);
      }
      case 'deleteUser': {
        const { organization, item: user } = this.find(scope, idOf(op['id'], 'id'), 'user');
        organization.users.splice(organization.users.indexOf(user), 1);
        for (const lists of this.connectionLists(organization)) dropConnections(lists, 'user', user._id);
        record(organization, this.host.log.tick(), { ...this.change(organization, 'user_delete'), resource: this.resource(user, 'user') });
        return undefined;
      }
      case 'createUserGroup':
      case 'createSystemGroup': {
        const type = operation.op === 'createUserGroup' ? 'user_group' : 'system_group';
        const organization = this.organization(scope);
        const fields = fieldsOf(op['group'], 'group');
        const name = requiredText(fields, 'name', 'group');
        const groups: (UserGroup | SystemGroup)[] = type === 'user_group' ? organization.userGroups : organization.systemGroups;
        if (groups.some((g) => sameText(g.name, name))) throw new ApiError(409, `a ${type} named "${name}" already exists`);
        const ms = this.host.log.tick();
        const id = this.newId(ms);
        if (type === 'user_group') {
          const group: UserGroup = { id, name, description: '', email: '', membershipMethod: 'STATIC', attributes: null, ...fields, type };
          organization.userGroups.push(group);
          organization.userGroupMembers.set(id, []);
          record(organization, ms, { ...this.change(organization, 'group_create'), resource: this.resource(group, type) });
          return group;
        }
        const group: SystemGroup = { id, name, description: '', email: '', membershipMethod: 'STATIC', attributes: null, ...fields, type };
        organization.systemGroups.push(group);
        organization.systemGroupMembers.set(id, []);
        record(organization, ms, { ...this.change(organization, 'group_create'), resource: this.resource(group, type) });
        return group;
      }
      case 'updateUserGroup':
      case 'updateSystemGroup': {
        const type = operation.op === 'updateUserGroup' ? 'user_group' : 'system_group';
        const { organization, item: group } = this.find(scope, idOf(op['id'], 'id'), type);
        const patch = this.patchOf(op['patch']);
        const groups: (UserGroup | SystemGroup)[] = type === 'user_group' ? organization.userGroups : organization.systemGroups;
        if (typeof patch['name'] === 'string' && groups.some((g) => g !== group && sameText(g.name, patch['name'] as string))) {
          throw new ApiError(409, `a ${type} named "${patch['name']}" already exists`);
        }
        return this.update(organization, group, patch, type, 'group_update', record);
      }
      case 'deleteUserGroup':
      case 'deleteSystemGroup': {
        const type = operation.op === 'deleteUserGroup' ? 'user_group' : 'system_group';
        const { organization, item: group } = this.find(scope, idOf(op['id'], 'id'), type);
        if (type === 'user_group') {
          organization.userGroups.splice(organization.userGroups.indexOf(group as UserGroup), 1);
          organization.userGroupMembers.delete(group.id);
        } else {
          organization.systemGroups.splice(organization.systemGroups.indexOf(group as SystemGroup), 1);
          organization.systemGroupMembers.delete(group.id);
        }
        for (const lists of this.connectionLists(organization)) dropConnections(lists, type, group.id);
        record(organization, this.host.log.tick(), { ...this.change(organization, 'group_delete'), resource: this.resource(group, type) });
        return undefined;
      }
      case 'addUserGroupMember':
      case 'removeUserGroupMember': {
        const { organization, item: group } = this.find(scope, idOf(op['groupId'], 'groupId'), 'user_group');
        const user = this.within(organization, idOf(op['userId'], 'userId'), 'user');
        const members = organization.userGroupMembers.get(group.id) ?? [];
        this.connect(members, user._id, 'user', operation.op === 'addUserGroupMember', (list) => organization.userGroupMembers.set(group.id, list));
        record(organization, this.host.log.tick(), this.association(organization, operation.op === 'addUserGroupMember' ? 'add' : 'remove', [group, 'user_group'], [user, 'user']));
        return undefined;
      }
      case 'createSystem': {
        const organization = this.organization(scope);
        const fields = fieldsOf(op['system'], 'system');
        const hostname = requiredText(fields, 'hostname', 'system');
        const ms = this.host.log.tick();
        const at = new Date(ms).toISOString();
        const system: System = {
          _id: this.newId(ms),
          displayName: hostname,
          hostname,
          active: true,
          lastContact: at,
          networkInterfaces: [],
          allowSshRootLogin: false,
          allowSshPasswordAuthentication: false,
          allowMultiFactorAuthentication: false,
          allowPublicKeyAuthentication: true,
          modifySSHDConfig: false,
          ...fields,
          created: at,
          organization: organization.organization._id,
        };
        organization.systems.push(system);
        organization.systemUserAssociations.set(system._id, []);
        record(organization, ms, { ...this.change(organization, 'system_create'), resource: this.resource(system, 'system') });
        return system;
      }
      case 'updateSystem': {
        const { organization, item: system } = this.find(scope, idOf(op['id'], 'id'), 'system');
        return this.update(organization, system, this.patchOf(op['patch']), 'system', 'system_update', record);
      }
      case 'deleteSystem': {
        const { organization, item: system } = this.find(scope, idOf(op['id'], 'id'), 'system');
        organization.systems.splice(organization.systems.indexOf(system), 1);
        organization.systemUserAssociations.delete(system._id);
        for (const lists of this.connectionLists(organization)) dropConnections(lists, 'system', system._id);
        // What the API no longer lists once the device is gone: its policy results and System Insights rows.
        organization.policyResults = organization.policyResults.filter((result) => result.systemID !== system._id);
        organization.diskEncryption = organization.diskEncryption.filter((row) => row.system_id !== system._id);
        organization.osVersions = organization.osVersions.filter((row) => row.system_id !== system._id);
        record(organization, this.host.log.tick(), { ...this.change(organization, 'system_delete'), resource: this.resource(system, 'system') });
        return undefined;
      }
      case 'addSystemGroupMember':
      case 'removeSystemGroupMember': {
        const { organization, item: group } = this.find(scope, idOf(op['groupId'], 'groupId'), 'system_group');
        const system = this.within(organization, idOf(op['systemId'], 'systemId'), 'system');
        const members = organization.systemGroupMembers.get(group.id) ?? [];
        const add = operation.op === 'addSystemGroupMember';
        this.connect(members, system._id, 'system', add, (list) => organization.systemGroupMembers.set(group.id, list));
        record(organization, this.host.log.tick(), this.association(organization, add ? 'add' : 'remove', [group, 'system_group'], [system, 'system']));
        return undefined;
      }
      case 'createApplication': {
        const organization = this.organization(scope);
        const fields = fieldsOf(op['application'], 'application');
        const name = requiredText(fields, 'name', 'application');
        const label = typeof fields['displayLabel'] === 'string' ? fields['displayLabel'] : typeof fields['displayName'] === 'string' ? fields['displayName'] : name;
        const ms = this.host.log.tick();
        const application: Application = {
          _id: this.newId(ms),
          name,
          displayName: label,
          displayLabel: label,
          description: '',
          active: true,
          beta: false,
          ssoUrl: `https://sso.jumpcloud.com/saml2/${slug(label)}`,
          sso: { type: 'saml', beta: false, jit: false, hidden: false },
          config: {},
          ...fields,
          created: new Date(ms).toISOString(),
          organization: organization.organization._id,
        };
        organization.applications.push(application);
        organization.applicationAssociations.set(application._id, []);
        record(organization, ms, { ...this.change(organization, 'application_create'), resource: this.resource(application, 'application') });
        return application;
      }
      case 'updateApplication': {
        const { organization, item: application } = this.find(scope, idOf(op['id'], 'id'), 'application');
        return this.update(organization, application, this.patchOf(op['patch']), 'application', 'application_update', record);
      }
      case 'deleteApplication': {
        const { organization, item: application } = this.find(scope, idOf(op['id'], 'id'), 'application');
        organization.applications.splice(organization.applications.indexOf(application), 1);
        organization.applicationAssociations.delete(application._id);
        for (const lists of this.connectionLists(organization)) dropConnections(lists, 'application', application._id);
        record(organization, this.host.log.tick(), { ...this.change(organization, 'application_delete'), resource: this.resource(application, 'application') });
        return undefined;
      }
      case 'addApplicationAssociation':
      case 'removeApplicationAssociation': {
        const { organization, item: application } = this.find(scope, idOf(op['applicationId'], 'applicationId'), 'application');
        const type = op['type'];
        if (type !== 'user' && type !== 'user_group') throw badRequest(`type must be user or user_group, got ${JSON.stringify(type)}`);
        const target = this.within(organization, idOf(op['id'], 'id'), type);
        const add = operation.op === 'addApplicationAssociation';
        const connections = organization.applicationAssociations.get(application._id) ?? [];
        this.connect(connections, this.idOfObject(target), type, add, (list) => organization.applicationAssociations.set(application._id, list));
        record(organization, this.host.log.tick(), this.association(organization, add ? 'add' : 'remove', [application, 'application'], [target, type]));
        return undefined;
      }
      case 'addSystemUserBinding': {
        const { organization, item: system } = this.find(scope, idOf(op['systemId'], 'systemId'), 'system');
        const user = this.within(organization, idOf(op['userId'], 'userId'), 'user');
        const attributes = op['attributes'] ?? null;
        if (attributes !== null && !isRecord(attributes)) throw badRequest('attributes must be an object or null');
        const connections = organization.systemUserAssociations.get(system._id) ?? [];
        const existing = connections.find((c) => c.to.type === 'user' && c.to.id === user._id);
        if (existing && JSON.stringify(existing.attributes ?? null) === JSON.stringify(attributes)) {
          throw new ApiError(409, `user ${user._id} is already bound to system ${system._id}`);
        }
        if (existing) existing.attributes = attributes;
        else organization.systemUserAssociations.set(system._id, [...connections, { ...edge(user._id, 'user'), attributes }]);
        record(organization, this.host.log.tick(), this.association(organization, existing ? 'update' : 'add', [system, 'system'], [user, 'user'], attributes));
        return undefined;
      }
      case 'removeSystemUserBinding': {
        const { organization, item: system } = this.find(scope, idOf(op['systemId'], 'systemId'), 'system');
        const user = this.within(organization, idOf(op['userId'], 'userId'), 'user');
        const connections = organization.systemUserAssociations.get(system._id) ?? [];
        this.connect(connections, user._id, 'user', false, (list) => organization.systemUserAssociations.set(system._id, list));
        record(organization, this.host.log.tick(), this.association(organization, 'remove', [system, 'system'], [user, 'user']));
        return undefined;
      }
      case 'login': {
        const { organization, item: user } = this.find(scope, idOf(op['userId'], 'userId'), 'user');
        const service = op['service'];
        if (!LOGIN_SERVICES.includes(service as LoginService)) throw badRequest(`service must be one of ${LOGIN_SERVICES.join(', ')}, got ${JSON.stringify(service)}`);
        const success = op['success'] ?? true;
        if (typeof success !== 'boolean') throw badRequest('success must be a boolean');
        const target = defaultLoginTarget(organization, user, service as LoginService);
        if (op['applicationId'] !== undefined) target.application = this.within(organization, idOf(op['applicationId'], 'applicationId'), 'application');
        if (op['systemId'] !== undefined) target.system = this.within(organization, idOf(op['systemId'], 'systemId'), 'system');
        const event = this.host.log.append(organization.organization._id, this.host.log.tick(), loginEventBody(organization, user, service as LoginService, success, target));
        recorded.push(event);
        return event;
      }
      default:
        throw badRequest(`unknown operation ${JSON.stringify(op['op'])}; one of ${CONTROL_OPERATIONS.join(', ')}`);
    }
  }

  /** The organization to create in: the one named, or the only one. */
  private organization(orgId: string | undefined): OrganizationData {
    const organizations = this.host.dataset.organizations;
    if (orgId === undefined) {
      if (organizations.length === 1) return organizations[0] as OrganizationData;
      throw badRequest('orgId (or the x-org-id header) is required: the dataset has several organizations');
    }
    const organization = organizations.find((o) => o.organization._id === orgId);
    if (!organization) throw new ApiError(404, `organization ${orgId} not found`);
    return organization;
  }

  private listOf(organization: OrganizationData, type: DirectoryObjectType): readonly (SystemUser | UserGroup | System | SystemGroup | Application)[] {
    switch (type) {
      case 'user':
        return organization.users;
      case 'user_group':
        return organization.userGroups;
      case 'system':
        return organization.systems;
      case 'system_group':
        return organization.systemGroups;
      case 'application':
        return organization.applications;
    }
  }

  private idOfObject(item: { _id: string } | { id: string }): string {
    return '_id' in item ? item._id : item.id;
  }

  private within<T extends DirectoryObjectType>(organization: OrganizationData, id: string, type: T): ObjectOf<T> {
    const item = this.listOf(organization, type).find((candidate) => this.idOfObject(candidate) === id);
    if (!item) throw new ApiError(404, `${type} ${id} not found in organization ${organization.organization._id}`);
    return item as ObjectOf<T>;
  }

  /** An object by id, in the scope's organization or, without one, in whichever has it. */
  private find<T extends DirectoryObjectType>(scope: string | undefined, id: string, type: T): { organization: OrganizationData; item: ObjectOf<T> } {
    const organizations = scope === undefined ? this.host.dataset.organizations : [this.organization(scope)];
    for (const organization of organizations) {
      const item = this.listOf(organization, type).find((candidate) => this.idOfObject(candidate) === id);
      if (item) return { organization, item: item as ObjectOf<T> };
    }
    throw new ApiError(404, `${type} ${id} not found`);
  }

  private patchOf(value: unknown): Record<string, unknown> {
    const patch = fieldsOf(value, 'patch');
    if (Object.keys(patch).length === 0) throw badRequest('patch names no field');
    return patch;
  }

  private update<T extends object>(
    organization: OrganizationData,
    item: T,
    patch: Record<string, unknown>,
    type: DirectoryObjectType,
    eventType: 'user_update' | 'group_update' | 'system_update' | 'application_update',
    record: (organization: OrganizationData, ms: number, body: EventBody) => void,
  ): T {
    const before = structuredClone(item);
    Object.assign(item, structuredClone(patch));
    record(organization, this.host.log.tick(), {
      ...this.change(organization, eventType),
      resource: this.resource(item as never, type),
      changes: changesOf(before, item),
    });
    return item;
  }

  /** Adds (409 when there) or removes (404 when not there; every entry of it) a connection to `id`. */
  private connect(
    connections: readonly GraphConnection[],
    id: string,
    type: DirectoryObjectType,
    add: boolean,
    store: (list: GraphConnection[]) => void,
  ): void {
    const present = connections.some((c) => c.to.type === type && c.to.id === id);
    if (add && present) throw new ApiError(409, `${type} ${id} is already associated`);
    if (!add && !present) throw new ApiError(404, `${type} ${id} is not associated`);
    store(add ? [...connections, edge(id, type)] : connections.filter((c) => !(c.to.type === type && c.to.id === id)));
  }

  /** Every map of connection lists of an organization (a deleted object leaves all of them). */
  private connectionLists(organization: OrganizationData): Map<string, GraphConnection[]>[] {
    return [
      organization.userGroupMembers,
      organization.applicationAssociations,
      organization.systemGroupMembers,
      organization.systemUserAssociations,
      organization.policyAssociations,
    ];
  }

  /** The administrator every change is made by: a fixed one per organization. */
  private change(organization: OrganizationData, eventType: EventBody['event_type']): EventBody {
    const orgId = organization.organization._id;
    return {
      event_type: eventType,
      service: 'directory',
      success: true,
      initiated_by: { id: `${orgId.slice(0, 16)}adadadad`, type: 'admin', email: organization.organization.settings?.contactEmail ?? 'admin@example.com' },
    };
  }

  private resource(item: SystemUser | UserGroup | System | SystemGroup | Application, type: DirectoryObjectType): NonNullable<EventBody['resource']> {
    switch (type) {
      case 'user': {
        const user = item as SystemUser;
        return { id: user._id, type, username: user.username ?? '' };
      }
      case 'user_group':
      case 'system_group': {
        const group = item as UserGroup | SystemGroup;
        return { id: group.id, type, name: group.name ?? '' };
      }
      case 'system': {
        const system = item as System;
        return { id: system._id, type, hostname: system.hostname ?? '', displayName: system.displayName ?? '' };
      }
      case 'application': {
        const application = item as Application;
        return { id: application._id, type, name: application.name ?? '', display_label: application.displayLabel ?? '' };
      }
    }
  }

  private end(item: SystemUser | UserGroup | System | SystemGroup | Application, type: DirectoryObjectType): AssociationEnd {
    const resource = this.resource(item, type);
    const name = type === 'user' ? resource.username : type === 'system' ? resource.displayName || resource.hostname : type === 'application' ? resource.display_label || resource.name : resource.name;
    return { type, object_id: resource.id, name: name ?? '' };
  }

  private association(
    organization: OrganizationData,
    op: 'add' | 'remove' | 'update',
    from: [SystemUser | UserGroup | System | SystemGroup | Application, DirectoryObjectType],
    to: [SystemUser | UserGroup | System | SystemGroup | Application, DirectoryObjectType],
    attributes: Record<string, unknown> | null = null,
  ): EventBody {
    return {
      ...this.change(organization, 'association_change'),
      association: { op, action_source: 'manual', connection: { from: this.end(...from), to: this.end(...to) }, attributes },
    };
  }

  /** A 24-hex ObjectId after every id so far: the event's seconds (at least), a marker and a counter. */
  private newId(ms: number): string {
    this.idSeconds = Math.max(this.idSeconds, Math.floor(ms / 1000));
    const counter = this.idCounter++ % 0x1000000;
    return this.idSeconds.toString(16).padStart(8, '0').slice(-8) + 'c0c0c0c0c0' + counter.toString(16).padStart(6, '0');
  }
}

type ObjectOf<T extends DirectoryObjectType> = T extends 'user'
  ? SystemUser
  : T extends 'user_group'
    ? UserGroup
    : T extends 'system'
      ? System
      : T extends 'system_group'
        ? SystemGroup
        : Application;
