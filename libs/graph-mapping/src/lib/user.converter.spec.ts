import { toUserEntity } from './user.converter';
import { consoleUrlFor } from './mapping-context';
import { aMappingContext, aMinimalUser, aUser, SSH_PUBLIC_KEY, USER_ID } from './__fixtures__/domain.fixtures';

describe('toUserEntity', () => {
  it('maps every property of docs/jupiterone.md jumpcloud_user', () => {
    const entity = toUserEntity(aUser(), aMappingContext());
    expect(entity).toEqual({
      _key: USER_ID,
      _type: 'jumpcloud_user',
      _class: ['User'],
      name: 'Jane Doe',
      displayName: 'Janie D',
      username: ['jane.doe'],
      email: ['Jane.Doe@Acme.example.com'],
      emailDomain: ['acme.example.com'],
      shortLoginId: ['Jane.Doe'],
      firstName: 'Jane',
      lastName: 'Doe',
      state: 'activated',
      active: true,
      suspended: false,
      accountLocked: false,
      passwordExpired: false,
      passwordNeverExpires: false,
      passwordExpiresOn: Date.UTC(2025, 5, 1),
      mfaConfigured: true,
      mfaExclusion: false,
      mfaExclusionUntilOn: Date.UTC(2025, 1, 1, 12),
      totpEnabled: false,
      mfaEnrollmentStatus: 'NOT_ENROLLED',
      isMfaEnabled: true,
      mfaEnabled: true,
      sudo: true,
      passwordlessSudo: false,
      externallyManaged: false,
      ldapBindingUser: false,
      sambaServiceUser: false,
      isAdmin: false,
      employeeId: 'E000042',
      employeeType: 'full-time',
      jobTitle: 'Engineer',
      department: 'Engineering',
      company: 'Acme Corp',
      costCenter: 'CC-100',
      location: 'Berlin',
      createdOn: Date.UTC(2020, 2, 4, 5, 6, 7),
      webLink: `https://console.jumpcloud.com/#/users/${USER_ID}/details`,
      _rawData: [{ name: 'default', rawData: aUser().raw }],
    });
  });

  it('maps a user with no optional values to nulls, without undefined, leaving out what the schema types without null', () => {
    const entity = toUserEntity(aMinimalUser(), aMappingContext());
    expect(entity).toMatchObject({
      name: 'svc-backup',
      displayName: 'svc-backup',
      username: ['svc-backup'],
      email: null,
      emailDomain: null,
      shortLoginId: null,
      firstName: null,
      lastName: null,
      state: null,
      active: false,
      suspended: null,
      passwordExpiresOn: null,
      mfaExclusionUntilOn: null,
      isMfaEnabled: false,
      mfaEnabled: false,
      isAdmin: false,
      jobTitle: null,
    });
    expect(entity).not.toHaveProperty('employeeId');
    expect(entity).not.toHaveProperty('createdOn');
    expect(Object.values(entity)).not.toContain(undefined);
  });

  describe('name and displayName', () => {
    it('trims "firstname lastname"', () => {
      expect(toUserEntity(aUser({ firstName: ' Jane ', lastName: ' Doe ', displayName: null }), aMappingContext()).name).toBe('Jane Doe');
    });

    it('uses the one name part there is', () => {
      expect(toUserEntity(aUser({ firstName: null, lastName: 'Doe' }), aMappingContext()).name).toBe('Doe');
      expect(toUserEntity(aUser({ firstName: 'Jane', lastName: '' }), aMappingContext()).name).toBe('Jane');
    });

    it('falls back to the username when both name parts are empty', () => {
      expect(toUserEntity(aUser({ firstName: '', lastName: ' ' }), aMappingContext()).name).toBe('jane.doe');
    });

    it('uses name as displayName when displayname is empty', () => {
      expect(toUserEntity(aUser({ displayName: '' }), aMappingContext()).displayName).toBe('Jane Doe');
    });

    it('keeps unicode names as they are', () => {
      const entity = toUserEntity(aUser({ firstName: 'Zoë', lastName: 'Ångström', displayName: 'Rocket 🚀 Raccoon' }), aMappingContext());
      expect(entity.name).toBe('Zoë Ångström');
      expect(entity.displayName).toBe('Rocket 🚀 Raccoon');
    });

    it('turns empty first and last names into null', () => {
      const entity = toUserEntity(aUser({ firstName: '', lastName: '  ' }), aMappingContext());
      expect(entity.firstName).toBeNull();
      expect(entity.lastName).toBeNull();
    });
  });

  describe('active', () => {
    it.each([
      [{ state: 'ACTIVATED', suspended: false, activated: true }, true],
      [{ state: 'ACTIVATED', suspended: null, activated: true }, true],
      [{ state: 'ACTIVATED', suspended: true, activated: true }, false],
      [{ state: 'ACTIVATED', suspended: false, activated: false }, false],
      [{ state: 'ACTIVATED', suspended: false, activated: null }, false],
      [{ state: 'STAGED', suspended: false, activated: true }, false],
      [{ state: 'SUSPENDED', suspended: true, activated: true }, false],
    ] as const)('%j is active: %s', (fields, active) => {
      expect(toUserEntity(aUser(fields), aMappingContext()).active).toBe(active);
    });

    it('lower-cases the state', () => {
      expect(toUserEntity(aUser({ state: 'STAGED' }), aMappingContext()).state).toBe('staged');
    });
  });

  describe('isMfaEnabled and mfaEnabled', () => {
    const none = { mfaConfigured: false, totpEnabled: false, mfaEnrollmentStatus: 'NOT_ENROLLED' };
    it.each([
      [none, false],
      [{ ...none, mfaConfigured: true }, true],
      [{ ...none, totpEnabled: true }, true],
      [{ ...none, mfaEnrollmentStatus: 'ENROLLED' }, true],
      [{ ...none, mfaEnrollmentStatus: 'PENDING' }, false],
    ])('%j gives %s for both', (fields, enabled) => {
      const entity = toUserEntity(aUser(fields), aMappingContext());
      expect(entity.isMfaEnabled).toBe(enabled);
      expect(entity.mfaEnabled).toBe(enabled);
    });
  });

  describe('email', () => {
    it('splits the local part and the lower-cased domain', () => {
      const entity = toUserEntity(aUser({ email: 'first.last+tag@Sub.Example.ORG' }), aMappingContext());
      expect(entity.email).toEqual(['first.last+tag@Sub.Example.ORG']);
      expect(entity.shortLoginId).toEqual(['first.last+tag']);
      expect(entity.emailDomain).toEqual(['sub.example.org']);
    });

    it('treats an empty email as none', () => {
      const entity = toUserEntity(aUser({ email: '' }), aMappingContext());
      expect(entity.email).toBeNull();
      expect(entity.emailDomain).toBeNull();
      expect(entity.shortLoginId).toBeNull();
    });
  });

  it('sets isAdmin from the domain flag', () => {
    expect(toUserEntity(aUser({ isAdmin: true }), aMappingContext()).isAdmin).toBe(true);
  });

  it('names the console administrator role when there is one, and leaves it out otherwise', () => {
    expect(toUserEntity(aUser({ isAdmin: true, adminRoleName: 'Administrator With Billing' }), aMappingContext()).adminRoleName).toBe('Administrator With Billing');
    for (const adminRoleName of [undefined, null, '']) expect(toUserEntity(aUser({ isAdmin: true, adminRoleName }), aMappingContext())).not.toHaveProperty('adminRoleName');
  });

  it.each(['us', 'eu', 'in'] as const)('links to the user on the %s console', (region) => {
    const entity = toUserEntity(aUser(), aMappingContext({ consoleUrl: consoleUrlFor(region) }));
    expect(entity.webLink).toBe(`${consoleUrlFor(region)}/#/users/${USER_ID}/details`);
  });

  it('links to a custom console origin', () => {
    expect(toUserEntity(aUser(), aMappingContext({ consoleUrl: 'http://127.0.0.1:4010' })).webLink).toBe(`http://127.0.0.1:4010/#/users/${USER_ID}/details`);
  });

  it('tags the account name only when asked to', () => {
    expect(toUserEntity(aUser(), aMappingContext({ tagAccountName: true, accountName: 'Acme EU' }))['tag.AccountName']).toBe('Acme EU');
    expect(toUserEntity(aUser(), aMappingContext())).not.toHaveProperty('tag.AccountName');
  });

  describe('secrets', () => {
    const raw = {
      _id: USER_ID,
      username: 'jane.doe',
      password: 'hunter2-plaintext',
      apiKeyHash: { salt: 'salty', hash: 'hashed-api-key' },
      public_key: SSH_PUBLIC_KEY,
      ssh_keys: [{ _id: 'k1', name: 'laptop', public_key: SSH_PUBLIC_KEY, create_date: '2020-01-01' }],
    };

    it('stores no password, no API key hash and, by default, no SSH public key', () => {
      const entity = toUserEntity(aUser({ raw }), aMappingContext());
      const json = JSON.stringify(entity);
      expect(json).not.toContain('hunter2');
      expect(json).not.toContain('hashed-api-key');
      expect(json).not.toContain('apiKeyHash');
      expect(json).not.toContain('secretkeymaterial');
      expect(entity._rawData).toEqual([
        { name: 'default', rawData: { _id: USER_ID, username: 'jane.doe', ssh_keys: [{ _id: 'k1', name: 'laptop', create_date: '2020-01-01' }] } },
      ]);
    });

    it('keeps SSH public keys, and only those, when includeSshKeys is on', () => {
      const json = JSON.stringify(toUserEntity(aUser({ raw }), aMappingContext({ includeSshKeys: true })));
      expect(json.split('secretkeymaterial')).toHaveLength(3);
      expect(json).not.toContain('hunter2');
      expect(json).not.toContain('hashed-api-key');
    });

    it('leaves the domain object untouched', () => {
      const user = aUser({ raw });
      toUserEntity(user, aMappingContext());
      expect(user.raw).toHaveProperty('password', 'hunter2-plaintext');
    });
  });
});
