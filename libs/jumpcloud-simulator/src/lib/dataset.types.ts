import type {
  Application,
  components,
  GraphConnection,
  Organization,
  Policy,
  PolicyResult,
  System,
  SystemGroup,
  SystemInsightsDiskEncryption,
  SystemInsightsOsVersion,
  SystemUser,
  UserGroup,
} from '@jumpcloud-graph/jumpcloud-client';

// The dataset is typed with the client's generated OpenAPI types, so a change of the document
// that the simulator does not follow fails its typecheck instead of drifting silently.
export type {
  Application,
  GraphConnection,
  Organization,
  OrganizationSummary,
  Policy,
  PolicyResult,
  System,
  SystemGroup,
  SystemInsightsDiskEncryption,
  SystemInsightsOsVersion,
  SystemUser,
  UserGroup,
} from '@jumpcloud-graph/jumpcloud-client';
export type ApiErrorBody = components['schemas']['Error'];
/** An object a graph traversal reached (`/applications/{id}/users`, `/usergroups`), with every path to it. */
export type GraphObjectWithPaths = components['schemas']['GraphObjectWithPaths'];

/** Sizes and seed of a generated dataset. Every count is per organization. */
export interface DatasetOptions {
  /** PRNG seed; the same options always give a deep-equal dataset. Default 1. */
  seed?: number;
  /** Default 1; more than 1 gives a multi-tenant dataset (requests then need `x-org-id`). */
  organizations?: number;
  /** Users per organization (default 25), not counting the edge-case users. */
  users?: number;
  /** User groups per organization (default 5), not counting the edge-case groups. */
  groups?: number;
  /** Exact member count of each group (an array applies per group, cycling); default 5, capped by users. */
  membersPerGroup?: number | number[];
  /** Default 3. */
  applications?: number;
  /** Direct user associations per application (default 3); plus one user_group association per application when groups > 0. */
  assignmentsPerApplication?: number;
  /** Default 5. */
  systems?: number;
  /** Default 2. */
  systemGroups?: number;
  /** Exact member count of each system group (array: per group, cycling); default 3, capped by systems. */
  membersPerSystemGroup?: number | number[];
  /** User<->system associations per system (default 1), capped by users. */
  usersPerSystem?: number;
  /** Device policies (default 4), their templates taken in turn from a catalog of several OS families. */
  policies?: number;
  /** Systems of its OS family each policy is bound to directly (default 3), capped by those systems. */
  systemsPerPolicy?: number;
  /** System groups each policy is bound to (default 1), capped by the system groups. */
  systemGroupsPerPolicy?: number;
  /**
   * Default true: some users have logins of the past 60 days ({@link OrganizationData.pastLogins}),
   * which the simulator serves as Directory Insights events. false gives none.
   */
  pastLogins?: boolean;
  /**
   * Default true: each organization also gets the objects listed in {@link EdgeCaseMarkers}.
   * false gives exactly the sizes asked and nothing else (no dangling or duplicate members).
   */
  edgeCases?: boolean;
}

/**
 * Ids of the edge-case objects that `edgeCases: true` adds to each organization, so tests can
 * find them without knowing how they were generated.
 */
export interface EdgeCaseMarkers {
  users: {
    /** "Zoë Ångström" and "李 小龍" (non-ASCII first and last names, usernames stay ASCII). */
    unicodeNames: string[];
    /** displayname with an emoji outside the BMP (a surrogate pair in UTF-16). */
    emojiDisplayName: string;
    /** state SUSPENDED, suspended true. */
    suspended: string;
    /** state STAGED, activated false (invited, never activated). */
    staged: string;
    /** account_locked true. */
    locked: string;
    /** password_expired true, expiration date in the past. */
    passwordExpired: string;
    /** mfa.configured true only (no TOTP, not enrolled). */
    mfaConfiguredOnly: string;
    /** totp_enabled true only. */
    totpOnly: string;
    /** mfaEnrollment.overallStatus ENROLLED only. */
    mfaEnrolledOnly: string;
    /** mfa.exclusion true with exclusionUntil set. */
    mfaExclusion: string;
    /** No MFA of any kind. */
    noMfa: string;
    /** admin is a non-null object (the user is also a console administrator). */
    admin: string;
  };
  userGroups: {
    /** No members at all. */
    empty: string;
    /** Exactly 100 members (one full page), fewer when the organization has fewer users. */
    exactly100: string;
    /** Exactly 101 members (a full page plus one), fewer when the organization has fewer users. */
    exactly101: string;
    /** Two real members, the first of them listed twice, plus one member that is not a user. */
    irregularMembers: string;
    /** Sudo enabled without a password; its first three users as members. */
    passwordlessSudo: string;
  };
  /** The member id in `irregularMembers` that names no user of the dataset. */
  danglingUserId: string;
  /** The user listed twice in `irregularMembers`. */
  duplicateMemberUserId: string;
  applications: {
    /** SAML application whose `config` holds a (fake) IdP private key and certificate; sso.idpCertExpirationAt set. */
    samlWithPrivateKey: string;
  };
  systems: {
    /** Interfaces include a public IPv6 address and internal (loopback) IPv4 and IPv6 ones. */
    ipv6AndInternalInterfaces: string;
    /** No `fde` property at all. */
    withoutFde: string;
    /** hostname with a space, an apostrophe and an underscore: not a valid FQDN or DNS label. */
    invalidHostname: string;
    /** Root may log in over SSH; last contact 90 days before the reference time; no user bound. */
    exposed: string;
  };
  systemGroups: {
    /** No members at all. */
    empty: string;
  };
}

/** One organization (tenant) and everything in it, as the API serves it. */
export interface OrganizationData {
  /** Full detail, including `created`, `accountType` and `settings.requireAdminMFA`. */
  organization: Organization;
  users: SystemUser[];
  userGroups: UserGroup[];
  /** Keyed by user group id; every group has an entry (empty groups an empty array). */
  userGroupMembers: Map<string, GraphConnection[]>;
  applications: Application[];
  /** Keyed by application id: direct `user` and `user_group` associations. */
  applicationAssociations: Map<string, GraphConnection[]>;
  systems: System[];
  systemGroups: SystemGroup[];
  /** Keyed by system group id; members are `system` objects. */
  systemGroupMembers: Map<string, GraphConnection[]>;
  /**
   * Keyed by system id: the users bound to it, some with `attributes.sudo`. The user side
   * (`/users/{id}/associations?targets=system`) is derived from this, attributes included.
   */
  systemUserAssociations: Map<string, GraphConnection[]>;
  /** System Insights' `disk_encryption` rows (Macs and Linux systems; most systems have some). */
  diskEncryption: SystemInsightsDiskEncryption[];
  /** System Insights' `os_version` rows, one per system that System Insights knows. */
  osVersions: SystemInsightsOsVersion[];
  policies: Policy[];
  /** Keyed by policy id: the systems and system groups it is bound to directly. */
  policyAssociations: Map<string, GraphConnection[]>;
  /** Every run of every policy on the systems it reaches (directly or through a group), in id order. */
  policyResults: PolicyResult[];
  /**
   * Logins before the simulator started (generated datasets have some unless `pastLogins: false`).
   * The simulator serves each as a Directory Insights event, placed on its own clock when it is
   * constructed; later changes to this list are not seen.
   */
  pastLogins?: PastLogin[];
  /** Present when the dataset was built with `edgeCases: true`. */
  edgeCases?: EdgeCaseMarkers;
}

/** A service users log in through, as Directory Insights names it in an event's `service`. */
export type LoginService = 'directory' | 'sso' | 'systems' | 'radius' | 'ldap';

/**
 * A login that happened before the simulator started. A dataset has no clock, so it says how
 * long before the start it happened; the simulator turns it into an event of its service.
 */
export interface PastLogin {
  userId: string;
  service: LoginService;
  success: boolean;
  /** Milliseconds before the simulator's start (at least one minute, at most 60 days in generated data). */
  msBeforeStart: number;
  /** `sso`: the application logged in to. */
  applicationId?: string;
  /** `systems`: the device logged in to. */
  systemId?: string;
}

export interface SimulatorDataset {
  organizations: OrganizationData[];
  /** True when there is more than one organization: requests then need `x-org-id`. */
  multiTenant: boolean;
}
