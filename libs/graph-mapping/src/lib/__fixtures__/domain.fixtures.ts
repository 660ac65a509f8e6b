import {
  type Application,
  type Organization,
  type Policy,
  type System,
  type SystemGroup,
  type User,
  type UserGroup,
} from '@jumpcloud-graph/domain';
import { type MappingContext } from '../mapping-context';

// Small builders of domain objects as the JumpCloud client hands them over: the full variants
// fill every field (with a `raw` shaped like JumpCloud's JSON), the minimal ones leave every
// optional field null. Tests override what they are about.

export const ORG_ID = '5c2a1b3c4d5e6f7a8b9c0d1e';
export const USER_ID = '5c2a1b3c4d5e6f7a8b9c0d2f';
export const GROUP_ID = '5c2a1b3c4d5e6f7a8b9c0d3a';
export const APP_ID = '5c2a1b3c4d5e6f7a8b9c0d4b';
export const SYSTEM_ID = '5c2a1b3c4d5e6f7a8b9c0d5c';
export const SYSTEM_GROUP_ID = '5c2a1b3c4d5e6f7a8b9c0d6d';
export const POLICY_ID = '5c2a1b3c4d5e6f7a8b9c0d7e';

export const PRIVATE_KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
export const SSH_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIsecretkeymaterial jane@laptop';

export function aMappingContext(overrides: Partial<MappingContext> = {}): MappingContext {
  return { consoleUrl: 'https://console.jumpcloud.com', accountName: 'Acme Corp', tagAccountName: false, includeSshKeys: false, ...overrides };
}

export function anOrganization(overrides: Partial<Organization> = {}): Organization {
  return {
    id: ORG_ID,
    displayName: 'Acme Corp',
    accountType: 'production',
    created: '2019-01-15T10:20:30.000Z',
    requireAdminMfa: true,
    raw: {
      _id: ORG_ID,
      displayName: 'Acme Corp',
      accountType: 'production',
      created: '2019-01-15T10:20:30.000Z',
      settings: { requireAdminMFA: true, logo: null },
    },
    ...overrides,
  };
}

export function aMinimalOrganization(overrides: Partial<Organization> = {}): Organization {
  return { id: ORG_ID, displayName: null, accountType: null, created: null, requireAdminMfa: null, raw: { _id: ORG_ID }, ...overrides };
}

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: USER_ID,
    username: 'jane.doe',
    email: 'Jane.Doe@Acme.example.com',
    firstName: 'Jane',
    lastName: 'Doe',
    displayName: 'Janie D',
    state: 'ACTIVATED',
    activated: true,
    suspended: false,
    accountLocked: false,
    passwordExpired: false,
    passwordNeverExpires: false,
    passwordExpirationDate: '2025-06-01T00:00:00.000Z',
    mfaConfigured: true,
    mfaExclusion: false,
    mfaExclusionUntil: '2025-02-01T12:00:00.000Z',
    totpEnabled: false,
    mfaEnrollmentStatus: 'NOT_ENROLLED',
    sudo: true,
    passwordlessSudo: false,
    externallyManaged: false,
    ldapBindingUser: false,
    sambaServiceUser: false,
    isAdmin: false,
    employeeIdentifier: 'E000042',
    employeeType: 'full-time',
    jobTitle: 'Engineer',
    department: 'Engineering',
    company: 'Acme Corp',
    costCenter: 'CC-100',
    location: 'Berlin',
    created: '2020-03-04T05:06:07.000Z',
    raw: {
      _id: USER_ID,
      username: 'jane.doe',
      email: 'Jane.Doe@Acme.example.com',
      firstname: 'Jane',
      lastname: 'Doe',
      displayname: 'Janie D',
      state: 'ACTIVATED',
      mfa: { configured: true, exclusion: false, exclusionUntil: '2025-02-01T12:00:00.000Z' },
      ssh_keys: [],
      created: '2020-03-04T05:06:07.000Z',
    },
    ...overrides,
  };
}

export function aMinimalUser(overrides: Partial<User> = {}): User {
  return {
    id: USER_ID,
    username: 'svc-backup',
    email: null,
    firstName: null,
    lastName: null,
    displayName: null,
    state: null,
    activated: null,
    suspended: null,
    accountLocked: null,
    passwordExpired: null,
    passwordNeverExpires: null,
    passwordExpirationDate: null,
    mfaConfigured: null,
    mfaExclusion: null,
    mfaExclusionUntil: null,
    totpEnabled: null,
    mfaEnrollmentStatus: null,
    sudo: null,
    passwordlessSudo: null,
    externallyManaged: null,
    ldapBindingUser: null,
    sambaServiceUser: null,
    isAdmin: false,
    employeeIdentifier: null,
    employeeType: null,
    jobTitle: null,
    department: null,
    company: null,
    costCenter: null,
    location: null,
    created: null,
    raw: { _id: USER_ID, username: 'svc-backup' },
    ...overrides,
  };
}

export function aUserGroup(overrides: Partial<UserGroup> = {}): UserGroup {
  return {
    id: GROUP_ID,
    name: 'Engineering',
    description: 'Engineering team',
    email: 'engineering@acme.example.com',
    membershipMethod: 'STATIC',
    sudoEnabled: true,
    sudoWithoutPassword: false,
    sambaEnabled: false,
    raw: {
      id: GROUP_ID,
      name: 'Engineering',
      type: 'user_group',
      attributes: { sudo: { enabled: true, withoutPassword: false }, sambaEnabled: false },
    },
    ...overrides,
  };
}

export function aMinimalUserGroup(overrides: Partial<UserGroup> = {}): UserGroup {
  return {
    id: GROUP_ID,
    name: 'Everyone',
    description: null,
    email: null,
    membershipMethod: null,
    sudoEnabled: null,
    sudoWithoutPassword: null,
    sambaEnabled: null,
    raw: { id: GROUP_ID, name: 'Everyone' },
    ...overrides,
  };
}

export function anApplication(overrides: Partial<Application> = {}): Application {
  return {
    id: APP_ID,
    name: 'salesforce',
    displayName: 'Salesforce',
    displayLabel: 'Salesforce (production)',
    description: 'CRM single sign-on',
    active: true,
    ssoUrl: 'https://sso.jumpcloud.com/saml2/salesforce',
    ssoType: 'saml',
    idpCertExpirationAt: '2026-01-01T00:00:00.000Z',
    created: '2021-07-08T09:10:11.000Z',
    raw: {
      _id: APP_ID,
      name: 'salesforce',
      displayLabel: 'Salesforce (production)',
      sso: { type: 'saml', idpCertExpirationAt: '2026-01-01T00:00:00.000Z' },
      config: {
        acsUrl: { type: 'text', label: 'ACS URL', value: 'https://acme.my.salesforce.com/saml/acs' },
        idpPrivateKey: { type: 'file', label: 'IdP Private Key', value: PRIVATE_KEY_PEM },
      },
    },
    ...overrides,
  };
}

export function aMinimalApplication(overrides: Partial<Application> = {}): Application {
  return {
    id: APP_ID,
    name: 'bookmark',
    displayName: null,
    displayLabel: null,
    description: null,
    active: null,
    ssoUrl: null,
    ssoType: null,
    idpCertExpirationAt: null,
    created: null,
    raw: { _id: APP_ID, name: 'bookmark' },
    ...overrides,
  };
}

export function aSystem(overrides: Partial<System> = {}): System {
  return {
    id: SYSTEM_ID,
    displayName: 'Jane MacBook',
    hostname: 'jane-macbook-1.corp.example.com',
    os: 'Mac OS X',
    osFamily: 'darwin',
    version: '14.5',
    serialNumber: 'C02ABCDEF123',
    hwVendor: 'Apple Inc.',
    networkInterfaces: [
      { name: 'en0', address: '10.1.2.3', family: 'IPv4', internal: false },
      { name: 'en0', address: '2001:db8::1', family: 'IPv6', internal: false },
      { name: 'lo0', address: '127.0.0.1', family: 'IPv4', internal: true },
      { name: 'lo0', address: '::1', family: 'IPv6', internal: true },
    ],
    remoteIp: '203.0.113.7',
    lastContact: '2024-05-06T07:08:09.000Z',
    created: '2022-01-02T03:04:05.000Z',
    active: true,
    fdeActive: true,
    agentVersion: '1.170.0',
    allowSshRootLogin: false,
    allowSshPasswordAuthentication: true,
    allowMultiFactorAuthentication: false,
    raw: {
      _id: SYSTEM_ID,
      displayName: 'Jane MacBook',
      hostname: 'jane-macbook-1.corp.example.com',
      osFamily: 'darwin',
      fde: { active: true, keyPresent: true },
    },
    ...overrides,
  };
}

export function aMinimalSystem(overrides: Partial<System> = {}): System {
  return {
    id: SYSTEM_ID,
    displayName: null,
    hostname: null,
    os: null,
    osFamily: null,
    version: null,
    serialNumber: null,
    hwVendor: null,
    networkInterfaces: [],
    remoteIp: null,
    lastContact: null,
    created: null,
    active: null,
    fdeActive: null,
    agentVersion: null,
    allowSshRootLogin: null,
    allowSshPasswordAuthentication: null,
    allowMultiFactorAuthentication: null,
    raw: { _id: SYSTEM_ID },
    ...overrides,
  };
}

export function aSystemGroup(overrides: Partial<SystemGroup> = {}): SystemGroup {
  return {
    id: SYSTEM_GROUP_ID,
    name: 'Production Servers',
    description: 'Servers in production',
    email: 'prod@acme.example.com',
    membershipMethod: 'DYNAMIC_AUTOMATED',
    raw: { id: SYSTEM_GROUP_ID, name: 'Production Servers', type: 'system_group' },
    ...overrides,
  };
}

export function aMinimalSystemGroup(overrides: Partial<SystemGroup> = {}): SystemGroup {
  return { id: SYSTEM_GROUP_ID, name: 'Laptops', description: null, email: null, membershipMethod: null, raw: { id: SYSTEM_GROUP_ID, name: 'Laptops' }, ...overrides };
}

export function aPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    id: POLICY_ID,
    name: 'Mac FileVault',
    templateName: 'filevault_darwin',
    osFamily: 'darwin',
    raw: { id: POLICY_ID, name: 'Mac FileVault', template: { id: '5c2a1b3c4d5e6f7a8b9c0d8f', name: 'filevault_darwin', displayName: 'FileVault 2', osMetaFamily: 'darwin' } },
    ...overrides,
  };
}

export function aMinimalPolicy(overrides: Partial<Policy> = {}): Policy {
  return { id: POLICY_ID, name: '', templateName: null, osFamily: null, raw: { id: POLICY_ID }, ...overrides };
}
