import { type Entity, type User } from '@jumpcloud-graph/domain';
import { USER_ENTITY } from './data-model.registry';
import { consoleLink, type MappingContext } from './mapping-context';
import { buildEntity, idSegment, nonBlank, omitWhenNull, toEpochMs } from './property-values';

/** "firstname lastname" trimmed, else the username (docs/jupiterone.md). */
export function userName(user: Pick<User, 'firstName' | 'lastName' | 'username'>): string {
  const full = [user.firstName, user.lastName]
    .map((part) => (part ?? '').trim())
    .filter((part) => part !== '')
    .join(' ');
  return full !== '' ? full : user.username;
}

function splitEmail(email: string): { local: string; domain: string | null } {
  const at = email.lastIndexOf('@');
  if (at < 0) return { local: email, domain: null };
  // Domains are case-insensitive; one spelling keeps `emailDomain` queries simple.
  return { local: email.slice(0, at), domain: email.slice(at + 1).toLowerCase() || null };
}

/** The jumpcloud_user entity of a JumpCloud system user. */
/** A user's latest successful login, from Directory Insights (see `lastLoginOn`). */
export interface UserLastLogin {
  /** Epoch ms. */
  at: number;
  /** `sso`, `directory`, `systems`, `radius` or `ldap`. */
  service: string;
}

/**
 * A user entity. `lastLogin` is the latest successful login known (Directory Insights); without
 * one, `lastLoginOn` and `lastLoginService` are left out (never made up).
 */
export function toUserEntity(user: User, ctx: MappingContext, lastLogin?: UserLastLogin): Entity {
  const name = userName(user);
  const email = nonBlank(user.email);
  const parts = email === null ? null : splitEmail(email);
  const mfaEnabled = user.mfaConfigured === true || user.totpEnabled === true || user.mfaEnrollmentStatus === 'ENROLLED';
  return buildEntity({
    definition: USER_ENTITY,
    key: user.id,
    rawKind: 'user',
    raw: user.raw,
    ctx,
    properties: {
      name,
      displayName: nonBlank(user.displayName)?.trim() ?? name,
      // The User class wants these as arrays (or null).
      username: [user.username],
      email: email === null ? null : [email],
      emailDomain: parts?.domain ? [parts.domain] : null,
      shortLoginId: parts && parts.local !== '' ? [parts.local] : null,
      // The User class requires both and accepts null, so "no name" is null rather than left out.
      firstName: nonBlank(user.firstName),
      lastName: nonBlank(user.lastName),
      state: user.state === null ? null : user.state.toLowerCase(),
      active: user.state === 'ACTIVATED' && user.suspended !== true && user.activated === true,
      suspended: user.suspended,
      accountLocked: user.accountLocked,
      passwordExpired: user.passwordExpired,
      passwordNeverExpires: user.passwordNeverExpires,
      passwordExpiresOn: toEpochMs(user.passwordExpirationDate),
      mfaConfigured: user.mfaConfigured,
      mfaExclusion: user.mfaExclusion,
      mfaExclusionUntilOn: toEpochMs(user.mfaExclusionUntil),
      totpEnabled: user.totpEnabled,
      mfaEnrollmentStatus: user.mfaEnrollmentStatus,
      isMfaEnabled: mfaEnabled,
      // Same value as isMfaEnabled: existing queries use the older name.
      mfaEnabled,
      sudo: user.sudo,
      passwordlessSudo: user.passwordlessSudo,
      externallyManaged: user.externallyManaged,
      ldapBindingUser: user.ldapBindingUser,
      sambaServiceUser: user.sambaServiceUser,
      isAdmin: user.isAdmin,
      adminRoleName: omitWhenNull(nonBlank(user.adminRoleName)),
      // User.employeeId is a string (null fails validation): left out when JumpCloud has none.
      employeeId: omitWhenNull(nonBlank(user.employeeIdentifier)),
      employeeType: user.employeeType,
      jobTitle: user.jobTitle,
      department: user.department,
      company: user.company,
      costCenter: user.costCenter,
      location: user.location,
      createdOn: omitWhenNull(toEpochMs(user.created)),
      lastLoginOn: lastLogin?.at,
      lastLoginService: lastLogin?.service,
      webLink: consoleLink(ctx, `/#/users/${idSegment(user.id)}/details`),
    },
  });
}
