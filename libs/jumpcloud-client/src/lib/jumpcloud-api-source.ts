import {
  type Application,
  type DirectoryEvent,
  type DirectoryEventQuery,
  type DiskVolume,
  type JumpCloudSource,
  type Membership,
  type Organization,
  type OsVersion,
  type Policy,
  type PolicyResult,
  type SourceRequestCounts,
  type System,
  type SystemGroup,
  type User,
  type UserGroup,
  type GraphTargetType,
  IntegrationError,
  SourceAuthError,
} from '@jumpcloud-graph/domain';
import { z } from 'zod';
import { type GraphConnection, type JumpCloudClient } from './jumpcloud-client';
import { JumpCloudResponseError } from './jumpcloud-client.errors';
import { type PagedList } from './pagination';

// The boundary: every field the integration reads is checked here, so a page of the wrong shape
// fails the step that read it with a clear message instead of producing bad graph objects.
// Objects stay loose (JumpCloud adds fields over time); absent and null both become null.
const str = z.string().nullish();
const bool = z.boolean().nullish();

const organizationSchema = z.looseObject({
  _id: z.string(),
  displayName: str,
  accountType: str,
  created: str,
  settings: z.looseObject({ requireAdminMFA: bool }).nullish(),
});

const userSchema = z.looseObject({
  _id: z.string(),
  username: z.string(),
  email: str,
  firstname: str,
  lastname: str,
  displayname: str,
  state: z.enum(['ACTIVATED', 'STAGED', 'SUSPENDED']).nullish(),
  activated: bool,
  suspended: bool,
  account_locked: bool,
  password_expired: bool,
  password_never_expires: bool,
  password_expiration_date: str,
  mfa: z.looseObject({ configured: bool, exclusion: bool, exclusionUntil: str }).nullish(),
  totp_enabled: bool,
  mfaEnrollment: z.looseObject({ overallStatus: str }).nullish(),
  sudo: bool,
  passwordless_sudo: bool,
  externally_managed: bool,
  ldap_binding_user: bool,
  samba_service_user: bool,
  admin: z.looseObject({ roleName: str }).nullish(),
  employeeIdentifier: str,
  employeeType: str,
  jobTitle: str,
  department: str,
  company: str,
  costCenter: str,
  location: str,
  created: str,
});

const userGroupSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: str,
  email: str,
  membershipMethod: str,
  attributes: z
    .looseObject({
      sudo: z.looseObject({ enabled: bool, withoutPassword: bool }).nullish(),
      sambaEnabled: bool,
    })
    .nullish(),
});

const applicationSchema = z.looseObject({
  _id: z.string(),
  name: z.string(),
  displayName: str,
  displayLabel: str,
  description: str,
  active: bool,
  ssoUrl: str,
  sso: z.looseObject({ type: str, idpCertExpirationAt: str }).nullish(),
  created: str,
});

const systemSchema = z.looseObject({
  _id: z.string(),
  displayName: str,
  hostname: str,
  os: str,
  osFamily: str,
  version: str,
  serialNumber: str,
  hwVendor: str,
  networkInterfaces: z
    .array(z.looseObject({ name: str, address: z.string(), family: z.enum(['IPv4', 'IPv6']).nullish(), internal: bool }))
    .nullish(),
  remoteIP: str,
  lastContact: str,
  created: str,
  active: bool,
  fde: z.looseObject({ active: bool }).nullish(),
  agentVersion: str,
  allowSshRootLogin: bool,
  allowSshPasswordAuthentication: bool,
  allowMultiFactorAuthentication: bool,
});

const systemGroupSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: str,
  email: str,
  membershipMethod: str,
});

// Only the sudo grant of an edge's attributes is read; the rest of the bag stays JumpCloud's.
const connectionAttributesSchema = z
  .looseObject({ sudo: z.looseObject({ enabled: bool, withoutPassword: bool }).nullish() })
  .nullish();

const policySchema = z.looseObject({
  id: z.string(),
  name: str,
  template: z.looseObject({ name: str, osMetaFamily: str }).nullish(),
});

// stdOut and stdErr are not asked for (POLICY_RESULT_FIELDS) and never read if sent anyway.
const policyResultSchema = z.looseObject({
  id: z.string(),
  policyID: str,
  systemID: str,
  success: bool,
  state: str,
  startedAt: str,
  endedAt: str,
});

const diskVolumeSchema = z.looseObject({
  system_id: z.string(),
  name: str,
  encrypted: z.number().nullish(),
  encryption_status: str,
  collection_time: str,
});

const osVersionSchema = z.looseObject({
  system_id: z.string(),
  name: str,
  version: str,
  build: str,
  patch: z.number().nullish(),
  collection_time: str,
});

// Directory Insights events: what the sync reads is checked; the rest of an event (which depends on
// its event_type) is let through into raw, unread.
const actorSchema = z.looseObject({ id: str, type: str, email: str, username: str }).nullish();
const resourceSchema = z.looseObject({ id: str, type: str, name: str, username: str }).nullish();
// DI names an association's ends `object_id` and what was done `op`; `id` and `action` are read too.
const edgeEndSchema = z.looseObject({ object_id: str, id: str, type: str }).nullish();
const directoryEventSchema = z.looseObject({
  id: z.string().min(1),
  event_type: z.string().min(1),
  service: z.string(),
  // The watermark of an incremental sync is an event's timestamp: it must be one.
  timestamp: z.iso.datetime({ offset: true }),
  organization: str,
  success: bool,
  initiated_by: actorSchema,
  resource: resourceSchema,
  association: z.looseObject({ connection: z.looseObject({ from: edgeEndSchema, to: edgeEndSchema }).nullish(), op: str, action: str }).nullish(),
  username: str,
  client_ip: str,
});

/** What the integration reads of a policy result: what the policy printed (stdOut, stdErr) is never asked for. */
export const POLICY_RESULT_FIELDS = ['id', 'policyID', 'systemID', 'success', 'state', 'startedAt', 'endedAt'] as const;

const TARGET_TYPES: readonly GraphTargetType[] = ['user', 'user_group', 'system', 'system_group', 'application'];

const n = <T>(value: T | null | undefined): T | null => value ?? null;

function parse<S extends z.ZodType>(schema: S, item: unknown, what: string, endpoint: string): z.infer<S> {
  const result = schema.safeParse(item);
  if (!result.success) {
    const issue = result.error.issues[0];
    const id = typeof item === 'object' && item !== null ? String((item as Record<string, unknown>)['_id'] ?? (item as Record<string, unknown>)['id'] ?? '?') : '?';
    throw new JumpCloudResponseError(
      `JumpCloud sent a malformed ${what} ${id} on ${endpoint}: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`,
      endpoint,
    );
  }
  return result.data;
}

export function toOrganization(raw: unknown, endpoint = 'GET /api/organizations/{id}'): Organization {
  const o = parse(organizationSchema, raw, 'organization', endpoint);
  return {
    id: o._id,
    displayName: n(o.displayName),
    accountType: n(o.accountType),
    created: n(o.created),
    requireAdminMfa: n(o.settings?.requireAdminMFA),
    raw: o,
  };
}

export function toUser(raw: unknown, endpoint = 'GET /api/systemusers'): User {
  const u = parse(userSchema, raw, 'user', endpoint);
  return {
    id: u._id,
    username: u.username,
    email: n(u.email),
    firstName: n(u.firstname),
    lastName: n(u.lastname),
    displayName: n(u.displayname),
    state: n(u.state),
    activated: n(u.activated),
    suspended: n(u.suspended),
    accountLocked: n(u.account_locked),
    passwordExpired: n(u.password_expired),
    passwordNeverExpires: n(u.password_never_expires),
    passwordExpirationDate: n(u.password_expiration_date),
    mfaConfigured: n(u.mfa?.configured),
    mfaExclusion: n(u.mfa?.exclusion),
    mfaExclusionUntil: n(u.mfa?.exclusionUntil),
    totpEnabled: n(u.totp_enabled),
    mfaEnrollmentStatus: n(u.mfaEnrollment?.overallStatus),
    sudo: n(u.sudo),
    passwordlessSudo: n(u.passwordless_sudo),
    externallyManaged: n(u.externally_managed),
    ldapBindingUser: n(u.ldap_binding_user),
    sambaServiceUser: n(u.samba_service_user),
    isAdmin: u.admin !== null && u.admin !== undefined,
    adminRoleName: n(u.admin?.roleName),
    employeeIdentifier: n(u.employeeIdentifier),
    employeeType: n(u.employeeType),
    jobTitle: n(u.jobTitle),
    department: n(u.department),
    company: n(u.company),
    costCenter: n(u.costCenter),
    location: n(u.location),
    created: n(u.created),
    raw: u,
  };
}

export function toUserGroup(raw: unknown, endpoint = 'GET /api/v2/usergroups'): UserGroup {
  const g = parse(userGroupSchema, raw, 'user group', endpoint);
  return {
    id: g.id,
    name: g.name,
    description: n(g.description),
    email: n(g.email),
    membershipMethod: n(g.membershipMethod),
    sudoEnabled: n(g.attributes?.sudo?.enabled),
    sudoWithoutPassword: n(g.attributes?.sudo?.withoutPassword),
    sambaEnabled: n(g.attributes?.sambaEnabled),
    raw: g,
  };
}

export function toApplication(raw: unknown, endpoint = 'GET /api/applications'): Application {
  const a = parse(applicationSchema, raw, 'application', endpoint);
  return {
    id: a._id,
    name: a.name,
    displayName: n(a.displayName),
    displayLabel: n(a.displayLabel),
    description: n(a.description),
    active: n(a.active),
    ssoUrl: n(a.ssoUrl),
    ssoType: n(a.sso?.type),
    idpCertExpirationAt: n(a.sso?.idpCertExpirationAt),
    created: n(a.created),
    raw: a,
  };
}

export function toSystem(raw: unknown, endpoint = 'GET /api/systems'): System {
  const s = parse(systemSchema, raw, 'system', endpoint);
  return {
    id: s._id,
    displayName: n(s.displayName),
    hostname: n(s.hostname),
    os: n(s.os),
    osFamily: n(s.osFamily),
    version: n(s.version),
    serialNumber: n(s.serialNumber),
    hwVendor: n(s.hwVendor),
    networkInterfaces: (s.networkInterfaces ?? []).map((i) => ({
      name: n(i.name),
      address: i.address,
      family: n(i.family),
      internal: i.internal === true,
    })),
    remoteIp: n(s.remoteIP),
    lastContact: n(s.lastContact),
    created: n(s.created),
    active: n(s.active),
    fdeActive: n(s.fde?.active),
    agentVersion: n(s.agentVersion),
    allowSshRootLogin: n(s.allowSshRootLogin),
    allowSshPasswordAuthentication: n(s.allowSshPasswordAuthentication),
    allowMultiFactorAuthentication: n(s.allowMultiFactorAuthentication),
    raw: s,
  };
}

export function toSystemGroup(raw: unknown, endpoint = 'GET /api/v2/systemgroups'): SystemGroup {
  const g = parse(systemGroupSchema, raw, 'system group', endpoint);
  return {
    id: g.id,
    name: g.name,
    description: n(g.description),
    email: n(g.email),
    membershipMethod: n(g.membershipMethod),
    raw: g,
  };
}

export function toMembership(fromId: string, connection: GraphConnection, endpoint: string): Membership {
  const type = connection.to.type as GraphTargetType;
  if (!TARGET_TYPES.includes(type)) {
    throw new JumpCloudResponseError(`JumpCloud sent an edge to an unknown type "${connection.to.type}" on ${endpoint}`, endpoint);
  }
  const attributes = connectionAttributesSchema.safeParse(connection.attributes);
  if (!attributes.success) {
    const issue = attributes.error.issues[0];
    throw new JumpCloudResponseError(
      `JumpCloud sent malformed edge attributes to ${connection.to.id} on ${endpoint}: attributes.${issue ? issue.path.join('.') : ''} ${issue?.message ?? 'invalid'}`,
      endpoint,
    );
  }
  const sudo = attributes.data?.sudo;
  const membership: Membership = { fromId, toId: connection.to.id, toType: type };
  if (sudo) membership.sudo = { enabled: n(sudo.enabled), withoutPassword: n(sudo.withoutPassword) };
  return membership;
}

export function toPolicy(raw: unknown, endpoint = 'GET /api/v2/policies'): Policy {
  const p = parse(policySchema, raw, 'policy', endpoint);
  return { id: p.id, name: p.name ?? p.id, templateName: n(p.template?.name), osFamily: n(p.template?.osMetaFamily), raw: p };
}

/** A policy result of a device, or undefined for one that names no device (a user's, say). */
export function toPolicyResult(raw: unknown, endpoint = 'GET /api/v2/policyresults'): PolicyResult | undefined {
  const r = parse(policyResultSchema, raw, 'policy result', endpoint);
  if (!r.policyID || !r.systemID) return undefined;
  // Built field by field: nothing else of the result (what the policy printed) is kept.
  return {
    id: r.id,
    policyId: r.policyID,
    systemId: r.systemID,
    success: n(r.success),
    state: n(r.state),
    startedAt: n(r.startedAt),
    endedAt: n(r.endedAt),
  };
}

export function toDiskVolume(raw: unknown, endpoint = 'GET /api/v2/systeminsights/disk_encryption'): DiskVolume {
  const v = parse(diskVolumeSchema, raw, 'disk encryption row', endpoint);
  return {
    systemId: v.system_id,
    name: n(v.name),
    encrypted: v.encrypted === null || v.encrypted === undefined ? null : v.encrypted === 1,
    encryptionStatus: n(v.encryption_status),
    collectedAt: n(v.collection_time),
  };
}

export function toOsVersion(raw: unknown, endpoint = 'GET /api/v2/systeminsights/os_version'): OsVersion {
  const o = parse(osVersionSchema, raw, 'OS version row', endpoint);
  return { systemId: o.system_id, name: n(o.name), version: n(o.version), build: n(o.build), patch: n(o.patch), collectedAt: n(o.collection_time) };
}

export function toDirectoryEvent(raw: unknown, endpoint = 'POST /insights/directory/v1/events'): DirectoryEvent {
  const e = parse(directoryEventSchema, raw, 'Directory Insights event', endpoint);
  const connection = e.association?.connection;
  const end = (o: { object_id?: string | null; id?: string | null; type?: string | null } | null | undefined) =>
    o ? { id: o.object_id ?? n(o.id), type: n(o.type) } : null;
  return {
    id: e.id,
    eventType: e.event_type,
    service: e.service,
    timestamp: e.timestamp,
    organization: n(e.organization),
    success: n(e.success),
    initiatedBy: e.initiated_by ? { id: n(e.initiated_by.id), type: n(e.initiated_by.type), email: n(e.initiated_by.email), username: n(e.initiated_by.username) } : null,
    resource: e.resource ? { id: n(e.resource.id), type: n(e.resource.type), name: n(e.resource.name), username: n(e.resource.username) } : null,
    association: e.association ? { from: end(connection?.from), to: end(connection?.to), action: e.association.op ?? n(e.association.action) } : null,
    username: n(e.username),
    clientIp: n(e.client_ip),
    raw: e,
  };
}

export interface JumpCloudApiSourceOptions {
  /** Sync only this organization (sent as `x-org-id`). */
  orgId?: string;
}

/**
 * `JumpCloudSource` over the JumpCloud API. With an org id, only that organization is read, with
 * `x-org-id`; without one, every organization `GET /organizations` lists, each with its own
 * `x-org-id` when there are several (a multi-tenant administrator's key).
 */
export class JumpCloudApiSource implements JumpCloudSource {
  private multiTenant: boolean;
  private readonly perOrganization = new Map<string, JumpCloudClient>();

  constructor(
    private readonly client: JumpCloudClient,
    private readonly options: JumpCloudApiSourceOptions = {},
  ) {
    this.multiTenant = options.orgId !== undefined;
  }

  async listOrganizations(signal?: AbortSignal): Promise<Organization[]> {
    signal?.throwIfAborted();
    const listed = this.options.orgId
      ? [{ _id: this.options.orgId, displayName: undefined }]
      : await this.client.listOrganizations().toArray();
    this.multiTenant = this.options.orgId !== undefined || listed.length > 1;
    // accountType is returned only when `fields` names it, so every field read is named.
    const fields = ['_id', 'displayName', 'created', 'accountType', 'settings'];
    const read = await Promise.allSettled(listed.map(async (o) => toOrganization(await this.org(o._id).getOrganization(o._id, { fields }))));
    const only = read.length === 1 ? read[0] : undefined;
    if (this.options.orgId !== undefined && only?.status === 'rejected' && only.reason instanceof SourceAuthError) {
      throw await this.explainRefusedOrganization(this.options.orgId, only.reason);
    }
    return read.map((outcome, i) => {
      if (outcome.status === 'fulfilled') return outcome.value;
      const error: unknown = outcome.reason;
      // One organization of several that cannot be read must not stop the others; a fatal error
      // (a refused key) or the only organization failing still ends the run.
      if (listed.length === 1 || (error instanceof IntegrationError && error.fatal)) throw error;
      const { _id: id, displayName } = listed[i];
      return {
        id,
        displayName: displayName ?? null,
        accountType: null,
        created: null,
        requireAdminMfa: null,
        unavailable: error instanceof Error ? error.message : String(error),
        raw: { _id: id },
      };
    });
  }

  /**
   * The key was refused for the organization given explicitly (x-org-id). When the same key is
   * accepted without it, the key is fine and the organization is the problem: say so, and name
   * the organizations the key does reach. Otherwise the key itself was refused.
   */
  private async explainRefusedOrganization(orgId: string, refused: SourceAuthError): Promise<SourceAuthError> {
    let reachable: string[];
    try {
      reachable = (await this.client.forOrganization(undefined).listOrganizations().toArray()).map((o) => o._id);
    } catch {
      return refused;
    }
    const listed = reachable.length > 0 ? `; the key reaches ${reachable.slice(0, 5).join(', ')}${reachable.length > 5 ? ', …' : ''}` : '';
    return new SourceAuthError(`organization ${orgId} is not accessible with this API key (JumpCloud accepted the key for GET /organizations, and refused x-org-id ${orgId})${listed}`, {
      cause: refused,
    });
  }

  users(orgId: string, signal?: AbortSignal) {
    return mapPages(this.org(orgId).listSystemUsers({ signal }), (raw) => toUser(raw), signal);
  }

  userGroups(orgId: string, signal?: AbortSignal) {
    return mapPages(this.org(orgId).listUserGroups({ signal }), (raw) => toUserGroup(raw), signal);
  }

  userGroupMembers(orgId: string, groupId: string, signal?: AbortSignal) {
    const endpoint = 'GET /api/v2/usergroups/{group_id}/members';
    return mapPages(this.org(orgId).listUserGroupMembers(groupId, { signal }), (c) => toMembership(groupId, c, endpoint), signal);
  }

  applications(orgId: string, signal?: AbortSignal) {
    return mapPages(this.org(orgId).listApplications({ signal }), (raw) => toApplication(raw), signal);
  }

  applicationAssociations(orgId: string, applicationId: string, signal?: AbortSignal) {
    const endpoint = 'GET /api/v2/applications/{application_id}/associations';
    return mapPages(this.org(orgId).listApplicationAssociations(applicationId, ['user', 'user_group'], { signal }), (c) =>
      toMembership(applicationId, c, endpoint), signal);
  }

  systems(orgId: string, signal?: AbortSignal) {
    return mapPages(this.org(orgId).listSystems({ signal }), (raw) => toSystem(raw), signal);
  }

  systemGroups(orgId: string, signal?: AbortSignal) {
    return mapPages(this.org(orgId).listSystemGroups({ signal }), (raw) => toSystemGroup(raw), signal);
  }

  systemGroupMembers(orgId: string, groupId: string, signal?: AbortSignal) {
    const endpoint = 'GET /api/v2/systemgroups/{group_id}/members';
    return mapPages(this.org(orgId).listSystemGroupMembers(groupId, { signal }), (c) => toMembership(groupId, c, endpoint), signal);
  }

  systemUsers(orgId: string, systemId: string, signal?: AbortSignal) {
    const endpoint = 'GET /api/v2/systems/{system_id}/associations';
    return mapPages(this.org(orgId).listSystemAssociations(systemId, ['user'], { signal }), (c) => toMembership(systemId, c, endpoint), signal);
  }

  userSystems(orgId: string, userId: string, signal?: AbortSignal) {
    const endpoint = 'GET /api/v2/users/{user_id}/associations';
    return mapPages(this.org(orgId).listUserAssociations(userId, ['system'], { signal }), (c) => toMembership(userId, c, endpoint), signal);
  }

  diskVolumes(orgId: string, signal?: AbortSignal) {
    return mapPages(this.org(orgId).listSystemInsightsDiskEncryption({ signal }), (raw) => toDiskVolume(raw), signal);
  }

  osVersions(orgId: string, signal?: AbortSignal) {
    return mapPages(this.org(orgId).listSystemInsightsOsVersion({ signal }), (raw) => toOsVersion(raw), signal);
  }

  policies(orgId: string, signal?: AbortSignal) {
    return mapPages(this.org(orgId).listPolicies({ signal }), (raw) => toPolicy(raw), signal);
  }

  policyTargets(orgId: string, policyId: string, signal?: AbortSignal) {
    const endpoint = 'GET /api/v2/policies/{policy_id}/associations';
    return mapPages(this.org(orgId).listPolicyAssociations(policyId, ['system', 'system_group'], { signal }), (c) => toMembership(policyId, c, endpoint), signal);
  }

  async *policyResults(orgId: string, signal?: AbortSignal): AsyncGenerator<PolicyResult[]> {
    for await (const page of mapPages(this.org(orgId).listPolicyResults({ fields: POLICY_RESULT_FIELDS, signal }), (raw) => toPolicyResult(raw), signal)) {
      yield page.filter((result): result is PolicyResult => result !== undefined);
    }
  }

  /** One user by id (`GET /api/systemusers/{id}`); undefined when it is gone (404). */
  async user(orgId: string, id: string, signal?: AbortSignal): Promise<User | undefined> {
    const raw = await this.org(orgId).getSystemUser(id, { signal });
    return raw === undefined ? undefined : toUser(raw, 'GET /api/systemusers/{id}');
  }

  async userGroup(orgId: string, id: string, signal?: AbortSignal): Promise<UserGroup | undefined> {
    const raw = await this.org(orgId).getUserGroup(id, { signal });
    return raw === undefined ? undefined : toUserGroup(raw, 'GET /api/v2/usergroups/{id}');
  }

  async application(orgId: string, id: string, signal?: AbortSignal): Promise<Application | undefined> {
    const raw = await this.org(orgId).getApplication(id, { signal });
    return raw === undefined ? undefined : toApplication(raw, 'GET /api/applications/{id}');
  }

  async system(orgId: string, id: string, signal?: AbortSignal): Promise<System | undefined> {
    const raw = await this.org(orgId).getSystem(id, { signal });
    return raw === undefined ? undefined : toSystem(raw, 'GET /api/systems/{id}');
  }

  async systemGroup(orgId: string, id: string, signal?: AbortSignal): Promise<SystemGroup | undefined> {
    const raw = await this.org(orgId).getSystemGroup(id, { signal });
    return raw === undefined ? undefined : toSystemGroup(raw, 'GET /api/v2/systemgroups/{id}');
  }

  /** Directory Insights events (with the organization's `x-org-id` when the source reads several). */
  directoryEvents(orgId: string, query: DirectoryEventQuery, signal?: AbortSignal) {
    const { service, startTime, endTime, sort, limit } = query;
    const events = this.org(orgId).listDirectoryEvents({ service, startTime, endTime, sort, limit, signal });
    return mapPages(events, (raw) => toDirectoryEvent(raw), signal);
  }

  requestCounts(): SourceRequestCounts {
    return this.client.requestCounts();
  }

  private org(orgId: string): JumpCloudClient {
    if (!this.multiTenant) return this.client;
    let client = this.perOrganization.get(orgId);
    if (!client) {
      client = this.client.forOrganization(orgId);
      this.perOrganization.set(orgId, client);
    }
    return client;
  }
}

/**
 * The pages of a list, converted. The list's requests are cancelled by `signal` (a request in
 * flight is cancelled, not waited for); between pages the signal is checked too.
 */
async function* mapPages<T, U>(list: PagedList<T>, convert: (item: T) => U, signal: AbortSignal | undefined): AsyncGenerator<U[]> {
  for await (const page of list.pages()) {
    signal?.throwIfAborted();
    yield page.map(convert);
  }
}
