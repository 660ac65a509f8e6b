import { JumpCloudResponseError } from './jumpcloud-client.errors';
import { toApplication, toOrganization, toSystem, toUser, toUserGroup } from './jumpcloud-api-source';

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
    expect(toUser({ _id: 'u1', username: 'a', admin: null }).isAdmin).toBe(false);
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
});
