// Consumer scenario 2: map a domain User to a JupiterOne entity with graph-mapping and validate it
// against @jupiterone/data-model (which the package brings as its own dependency).
import assert from 'node:assert/strict';
import { type Entity, type User } from '@jumpcloud-graph/domain';
import { consoleUrlFor, createEntityValidator, type MappingContext, toUserEntity } from '@jumpcloud-graph/graph-mapping';

const user: User = {
  id: '5c3f7e9a1b2c3d4e5f601234',
  username: 'ada.lovelace',
  email: 'Ada@Example.COM',
  firstName: 'Ada',
  lastName: 'Lovelace',
  displayName: null,
  state: 'ACTIVATED',
  activated: true,
  suspended: false,
  accountLocked: false,
  passwordExpired: false,
  passwordNeverExpires: false,
  passwordExpirationDate: null,
  mfaConfigured: true,
  mfaExclusion: false,
  mfaExclusionUntil: null,
  totpEnabled: true,
  mfaEnrollmentStatus: 'ENROLLED',
  sudo: false,
  passwordlessSudo: false,
  externallyManaged: false,
  ldapBindingUser: false,
  sambaServiceUser: false,
  isAdmin: false,
  employeeIdentifier: 'E-1815',
  employeeType: 'full-time',
  jobTitle: 'Analyst',
  department: 'Engines',
  company: 'Acme',
  costCenter: null,
  location: 'London',
  created: '2024-01-02T03:04:05.000Z',
  raw: { _id: '5c3f7e9a1b2c3d4e5f601234', username: 'ada.lovelace', ssh_keys: [{ name: 'laptop', public_key: 'ssh-ed25519 AAAA...' }] },
};
const context: MappingContext = { consoleUrl: consoleUrlFor('eu'), accountName: 'Acme', tagAccountName: true, includeSshKeys: false };

const entity: Entity = toUserEntity(user, context);
assert.equal(entity._type, 'jumpcloud_user');
assert.equal(entity._key, user.id);
assert.deepEqual(entity._class, ['User']);
assert.deepEqual(entity['email'], ['Ada@Example.COM']);
assert.deepEqual(entity['emailDomain'], ['example.com']);
assert.equal(entity['tag.AccountName'], 'Acme');
assert.ok(String(entity['webLink']).startsWith('https://console.eu.jumpcloud.com/'), `webLink ${String(entity['webLink'])}`);
assert.ok(!JSON.stringify(entity._rawData).includes('ssh-ed25519'), 'public SSH keys are scrubbed from _rawData');

const validator = createEntityValidator();
assert.deepEqual(validator.validate(entity), [], 'the mapped user is a valid User entity');
assert.notDeepEqual(validator.validate({ ...entity, active: 'yes' }), [], 'the validator reports a wrong property type');
console.log(`mapped ${user.username} to ${entity._type} ${entity._key}, valid`);
