import { JumpCloudResponseError } from './jumpcloud-client.errors';
import { POLICY_RESULT_FIELDS, toApplication, toDiskVolume, toMembership, toOrganization, toOsVersion, toPolicy, toPolicyResult, toSystem, toUser, toUserGroup } from './jumpcloud-api-source';

describe('DTO to domain at the boundary', () => {
  it('maps a JumpCloud user, with null for what is absent', () => {
    const user = toUser({
      _id: '5c2aad80217a7a0c1f000001',
      username: 'zoe',
      email: 'Zoe@Example.com',
      firstname: 'Zoë',
      state: 'ACTIVATED',
      activated: true,
      mfa: { configured: true, exclusion: false },
      mfaEnrollment: { overallStatus: 'ENROLLED' },
      admin: { id: 'a1', roleName: 'Administrator' },
      account_locked: false,
      unknownNewField: 'kept in raw',
    });
    expect(user).toMatchObject({
      adminRoleName: 'Administrator',
      id: '5c2aad80217a7a0c1f000001',
      username: 'zoe',
      email: 'Zoe@Example.com',
      firstName: 'Zoë',
      lastName: null,
      state: 'ACTIVATED',
      mfaConfigured: true,
      mfaExclusionUntil: null,
      mfaEnrollmentStatus: 'ENROLLED',
      isAdmin: true,
      accountLocked: false,
      totpEnabled: null,
    });
    expect(user.raw['unknownNewField']).toBe('kept in raw');
  });

  it('treats a null admin as not an administrator', () => {
    expect(toUser({ _id: 'u1', username: 'a', admin: null })).toMatchObject({ isAdmin: false, adminRoleName: null });
    expect(toUser({ _id: 'u1', username: 'a' }).isAdmin).toBe(false);
  });

  it('reads group sudo and samba attributes', () => {
    const group = toUserGroup({ id: 'g1', name: 'Eng', attributes: { sudo: { enabled: true, withoutPassword: false }, sambaEnabled: true } });
    expect(group).toMatchObject({ sudoEnabled: true, sudoWithoutPassword: false, sambaEnabled: true, description: null });
    expect(toUserGroup({ id: 'g2', name: 'Ops', attributes: null })).toMatchObject({ sudoEnabled: null, sambaEnabled: null });
  });

  it('reads organizations, applications and systems', () => {
    expect(toOrganization({ _id: 'o1', displayName: 'Acme', accountType: 'Direct', settings: { requireAdminMFA: true } })).toMatchObject({
      id: 'o1',
      requireAdminMfa: true,
      created: null,
    });
    expect(toApplication({ _id: 'a1', name: 'slack', sso: { type: 'saml', idpCertExpirationAt: '2027-01-01T00:00:00Z' } })).toMatchObject({
      ssoType: 'saml',
      idpCertExpirationAt: '2027-01-01T00:00:00Z',
    });
    const system = toSystem({
      _id: 's1',
      hostname: 'mac-1.example.com',
      networkInterfaces: [{ name: 'en0', address: '10.0.0.5', family: 'IPv4', internal: false }],
      fde: { active: true },
    });
    expect(system).toMatchObject({ fdeActive: true, networkInterfaces: [{ name: 'en0', address: '10.0.0.5', family: 'IPv4', internal: false }] });
  });

  it('fails with JumpCloudResponseError naming the object and the field when a field has the wrong type', () => {
    const call = () => toUser({ _id: '5c2aad80217a7a0c1f000009', username: 'x', suspended: 'yes' });
    expect(call).toThrow(JumpCloudResponseError);
    expect(call).toThrow(/malformed user 5c2aad80217a7a0c1f000009 on GET \/api\/systemusers: suspended/);
    expect(() => toUserGroup({ name: 'no id' })).toThrow(/malformed user group \? .*: id/);
  });

  it('reads the sudo grant of a user <-> system binding, and nothing when the edge has none', () => {
    const endpoint = 'GET /api/v2/systems/{system_id}/associations';
    const edge = (attributes: unknown) => toMembership('s1', { to: { id: 'u1', type: 'user' }, attributes } as never, endpoint);
    expect(edge({ sudo: { enabled: true, withoutPassword: false } })).toEqual({ fromId: 's1', toId: 'u1', toType: 'user', sudo: { enabled: true, withoutPassword: false } });
    expect(edge({ sudo: {} }).sudo).toEqual({ enabled: null, withoutPassword: null });
    expect(edge(null)).toEqual({ fromId: 's1', toId: 'u1', toType: 'user' });
    expect(edge({ ldapGroups: [] })).toEqual({ fromId: 's1', toId: 'u1', toType: 'user' });
    expect(() => edge({ sudo: { enabled: 'yes' } })).toThrow(/malformed edge attributes to u1 on GET \/api\/v2\/systems\/\{system_id\}\/associations: attributes.sudo.enabled/);
  });

  it('reads System Insights rows: encrypted is 1 or not, absent values null', () => {
    expect(toDiskVolume({ system_id: 's1', name: '/dev/disk1s1', encrypted: 1, encryption_status: 'encrypted', collection_time: '2025-05-30 10:00:00' })).toEqual({
      systemId: 's1',
      name: '/dev/disk1s1',
      encrypted: true,
      encryptionStatus: 'encrypted',
      collectedAt: '2025-05-30 10:00:00',
    });
    expect(toDiskVolume({ system_id: 's1', encrypted: 0 })).toMatchObject({ encrypted: false, name: null, collectedAt: null });
    expect(toDiskVolume({ system_id: 's1', encrypted: null }).encrypted).toBeNull();
    expect(toOsVersion({ system_id: 's2', build: '23F79', patch: 5, version: '14.5' })).toEqual({ systemId: 's2', name: null, version: '14.5', build: '23F79', patch: 5, collectedAt: null });
    expect(() => toDiskVolume({ encrypted: 1 })).toThrow(/malformed disk encryption row/);
  });

  it('reads policies, and keeps nothing of a policy result but its outcome (never what the policy printed)', () => {
    expect(toPolicy({ id: 'p1', name: 'FileVault', template: { name: 'filevault_darwin', osMetaFamily: 'darwin' } })).toMatchObject({
      id: 'p1',
      name: 'FileVault',
      templateName: 'filevault_darwin',
      osFamily: 'darwin',
    });
    const result = toPolicyResult({ id: 'r1', policyID: 'p1', systemID: 's1', success: false, state: 'failed', endedAt: '2025-05-30T10:00:00Z', stdOut: 'secret out', stdErr: 'secret err' });
    expect(result).toEqual({ id: 'r1', policyId: 'p1', systemId: 's1', success: false, state: 'failed', startedAt: null, endedAt: '2025-05-30T10:00:00Z' });
    expect(JSON.stringify(result)).not.toContain('secret');
    // a result of no device (a user's) is not a device's
    expect(toPolicyResult({ id: 'r2', policyID: 'p1', userObjectId: 'u1' })).toBeUndefined();
    expect(POLICY_RESULT_FIELDS).not.toContain('stdOut');
    expect(POLICY_RESULT_FIELDS).not.toContain('stdErr');
  });
});
