/**
 * JumpCloud's objects as the integration understands them: validated at the client boundary,
 * named in our words, with `null` where JumpCloud has no value. `raw` keeps the source object
 * (for `_rawData`); the mapper removes secrets from it before anything leaves.
 */
export type RawObject = Readonly<Record<string, unknown>>;

export interface Organization {
  id: string;
  displayName: string | null;
  accountType: string | null;
  /** ISO 8601, as JumpCloud sends it. */
  created: string | null;
  requireAdminMfa: boolean | null;
  /**
   * Set when the organization is listed but could not be read (its details failed with a
   * non-fatal error): the run syncs the others and reports this one's types as partial.
   */
  unavailable?: string;
  raw: RawObject;
}

export type UserState = 'ACTIVATED' | 'STAGED' | 'SUSPENDED';

export interface User {
  id: string;
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  state: UserState | null;
  activated: boolean | null;
  suspended: boolean | null;
  accountLocked: boolean | null;
  passwordExpired: boolean | null;
  passwordNeverExpires: boolean | null;
  passwordExpirationDate: string | null;
  mfaConfigured: boolean | null;
  mfaExclusion: boolean | null;
  mfaExclusionUntil: string | null;
  totpEnabled: boolean | null;
  mfaEnrollmentStatus: string | null;
  sudo: boolean | null;
  passwordlessSudo: boolean | null;
  externallyManaged: boolean | null;
  ldapBindingUser: boolean | null;
  sambaServiceUser: boolean | null;
  /** True when the user is also a console administrator (`admin` is a non-null object). */
  isAdmin: boolean;
  /** The console administrator's role (`admin.roleName`), when the user is one and JumpCloud names it. */
  adminRoleName?: string | null;
  employeeIdentifier: string | null;
  employeeType: string | null;
  jobTitle: string | null;
  department: string | null;
  company: string | null;
  costCenter: string | null;
  location: string | null;
  created: string | null;
  raw: RawObject;
}

export interface UserGroup {
  id: string;
  name: string;
  description: string | null;
  email: string | null;
  membershipMethod: string | null;
  sudoEnabled: boolean | null;
  sudoWithoutPassword: boolean | null;
  sambaEnabled: boolean | null;
  raw: RawObject;
}

export interface Application {
  id: string;
  name: string;
  displayName: string | null;
  displayLabel: string | null;
  description: string | null;
  active: boolean | null;
  ssoUrl: string | null;
  ssoType: string | null;
  idpCertExpirationAt: string | null;
  created: string | null;
  raw: RawObject;
}

export interface NetworkInterface {
  name: string | null;
  address: string;
  family: 'IPv4' | 'IPv6' | null;
  internal: boolean;
}

export interface System {
  id: string;
  displayName: string | null;
  hostname: string | null;
  os: string | null;
  osFamily: string | null;
  version: string | null;
  serialNumber: string | null;
  hwVendor: string | null;
  networkInterfaces: NetworkInterface[];
  remoteIp: string | null;
  lastContact: string | null;
  created: string | null;
  active: boolean | null;
  fdeActive: boolean | null;
  agentVersion: string | null;
  allowSshRootLogin: boolean | null;
  allowSshPasswordAuthentication: boolean | null;
  allowMultiFactorAuthentication: boolean | null;
  raw: RawObject;
}

export interface SystemGroup {
  id: string;
  name: string;
  description: string | null;
  email: string | null;
  membershipMethod: string | null;
  raw: RawObject;
}

/** The JumpCloud graph object types an edge can point at. */
export type GraphTargetType = 'user' | 'user_group' | 'system' | 'system_group' | 'application';

/**
 * Administrator rights an association grants on a device (`attributes.sudo` of a user <-> system
 * binding): `null` where the edge says nothing.
 */
export interface SudoGrant {
  enabled: boolean | null;
  withoutPassword: boolean | null;
}

/** A direct edge of JumpCloud's graph: a group member, or an association. */
export interface Membership {
  /** The group, application, system, user or policy the edge was read from. */
  fromId: string;
  toId: string;
  toType: GraphTargetType;
  /** Set when the edge carries `attributes.sudo` (user <-> system bindings). */
  sudo?: SudoGrant;
}

/** One disk volume of a device, as System Insights last collected it (`disk_encryption`). */
export interface DiskVolume {
  systemId: string;
  /** The volume's device name, e.g. `/dev/disk1s1`. */
  name: string | null;
  /** `encrypted = 1`; false for any other number, null when JumpCloud sent none. */
  encrypted: boolean | null;
  /** `encryption_status` as sent (`encrypted`, `not encrypted`, `undefined`, ...). */
  encryptionStatus: string | null;
  /** `collection_time` as sent ("YYYY-MM-DD hh:mm:ss", UTC). */
  collectedAt: string | null;
}

/** A device's operating system, as System Insights last collected it (`os_version`). */
export interface OsVersion {
  systemId: string;
  name: string | null;
  version: string | null;
  build: string | null;
  patch: number | null;
  /** `collection_time` as sent ("YYYY-MM-DD hh:mm:ss", UTC). */
  collectedAt: string | null;
}

/** A device policy: an instance of a policy template. */
export interface Policy {
  id: string;
  name: string;
  /** The template's unique name, e.g. `disk_encryption_darwin`. */
  templateName: string | null;
  /** The template's `osMetaFamily`: `darwin`, `windows`, `linux`, `universal`, ... */
  osFamily: string | null;
  raw: RawObject;
}

/**
 * One application of a policy to a device. Only what the integration reads: what the policy
 * printed (`stdOut`, `stdErr`) is never part of it.
 */
export interface PolicyResult {
  id: string;
  policyId: string;
  systemId: string;
  /** True when the policy applied successfully (the device complies). */
  success: boolean | null;
  /** `success`, `failed` or `pending`, as sent. */
  state: string | null;
  /** ISO 8601, as JumpCloud sends it. */
  startedAt: string | null;
  endedAt: string | null;
}

/** JumpCloud's regions with a console of their own. */
export type JumpCloudRegion = 'us' | 'eu' | 'in';

/** The admin console (and API) origin of each region: the one list the client and the mapper read. */
export const JUMPCLOUD_CONSOLES: Readonly<Record<JumpCloudRegion, string>> = {
  us: 'https://console.jumpcloud.com',
  eu: 'https://console.eu.jumpcloud.com',
  in: 'https://console.in.jumpcloud.com',
};

/**
 * A source of Directory Insights events: `directory` for changes to the directory (and
 * administrators' console logins), the others for users' authentications through each service,
 * `all` for every source.
 */
export type DirectoryEventService = 'all' | 'directory' | 'sso' | 'systems' | 'radius' | 'ldap';

/** Who did what an event records: an administrator, a user, an API key, JumpCloud itself. */
export interface DirectoryEventActor {
  id: string | null;
  /** e.g. `admin`, `user`, `system`. */
  type: string | null;
  email: string | null;
  username: string | null;
}

/** The object an event is about. */
export interface DirectoryEventResource {
  id: string | null;
  /** e.g. `user`, `user_group`, `system`, `system_group`, `application`. */
  type: string | null;
  name: string | null;
  username: string | null;
}

/** One end of the edge an association change added or removed. */
export interface DirectoryEventEndpoint {
  id: string | null;
  type: string | null;
}

/** The edge an association change added, removed or changed. */
export interface DirectoryEventAssociation {
  from: DirectoryEventEndpoint | null;
  to: DirectoryEventEndpoint | null;
  /** `add`, `remove` or `update` (the edge's attributes changed), as sent. */
  action: string | null;
}

/**
 * One event of JumpCloud Directory Insights: a change to the directory (`user_create`,
 * `group_update`, `association_change`, ...) or an authentication (`sso_auth`,
 * `user_login_attempt`, ...). Only the fields the integration reads are named; `raw` keeps the
 * event as sent (its other fields depend on the event type and are not read).
 */
export interface DirectoryEvent {
  id: string;
  eventType: string;
  /** The source of the event (a `DirectoryEventService` other than `all`, or one the integration does not know). */
  service: string;
  /** RFC 3339, as JumpCloud sends it. */
  timestamp: string;
  /** The organization's id. */
  organization: string | null;
  success: boolean | null;
  initiatedBy: DirectoryEventActor | null;
  resource: DirectoryEventResource | null;
  association: DirectoryEventAssociation | null;
  /** The user who logged in, on authentication events. */
  username: string | null;
  clientIp: string | null;
  raw: RawObject;
}
