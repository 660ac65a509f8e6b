import { type Entity } from '@jumpcloud-graph/domain';
import { toAccountEntity } from './account.converter';
import { toApplicationEntity } from './application.converter';
import { toDeviceEntity } from './device.converter';
import { toDeviceGroupEntity } from './device-group.converter';
import { employeeKey, toUserEmployeeMappedRelationship } from './employee.converter';
import { createEntityValidator } from './entity.validator';
import { toGroupEntity } from './group.converter';
import { toPolicyEntity } from './policy.converter';
import { consoleUrlFor, type MappingContext } from './mapping-context';
import { toUserEntity } from './user.converter';
import {
  aMappingContext,
  aMinimalApplication,
  aMinimalOrganization,
  aMinimalPolicy,
  aMinimalSystem,
  aMinimalSystemGroup,
  aMinimalUser,
  aMinimalUserGroup,
  anApplication,
  anOrganization,
  aPolicy,
  aSystem,
  aSystemGroup,
  aUser,
  aUserGroup,
} from './__fixtures__/domain.fixtures';

// Every converter's output, for a spread of inputs and contexts, must pass the data-model with
// zero problems: JupiterOne rejects or mis-indexes what does not.
const contexts: [string, MappingContext][] = [
  ['us, untagged', aMappingContext()],
  ['eu, tagged', aMappingContext({ consoleUrl: consoleUrlFor('eu'), tagAccountName: true, accountName: 'Acme EU' })],
  ['in, tagged with an empty name, with SSH keys', aMappingContext({ consoleUrl: consoleUrlFor('in'), tagAccountName: true, accountName: '', includeSshKeys: true })],
  ['custom origin', aMappingContext({ consoleUrl: 'http://127.0.0.1:43123/' })],
];

function entitiesFor(ctx: MappingContext): [string, Entity][] {
  return [
    ['full organization', toAccountEntity(anOrganization(), ctx)],
    ['minimal organization', toAccountEntity(aMinimalOrganization(), ctx)],
    ['organization with an unparsable date', toAccountEntity(anOrganization({ created: 'yesterday' }), ctx)],
    ['full user', toUserEntity(aUser(), ctx)],
    ['minimal user', toUserEntity(aMinimalUser(), ctx)],
    ['unicode user', toUserEntity(aUser({ firstName: 'Zoë', lastName: 'Ångström', displayName: 'Rocket 🚀 Raccoon' }), ctx)],
    ['CJK user', toUserEntity(aUser({ firstName: '小龍', lastName: '李', displayName: '李 小龍', email: 'li.xiaolong@acme.example.com' }), ctx)],
    ['staged admin user with empty names', toUserEntity(aUser({ state: 'STAGED', activated: false, isAdmin: true, firstName: '', lastName: '', displayName: '' }), ctx)],
    ['user with an empty email', toUserEntity(aUser({ email: '' }), ctx)],
    ['console administrator with a role', toUserEntity(aUser({ isAdmin: true, adminRoleName: 'Administrator With Billing' }), ctx)],
    ['user with secrets in raw', toUserEntity(aUser({ raw: { _id: 'x', password: 'p', public_key: 'k', ssh_keys: [{ public_key: 'k' }], apiKeyHash: { hash: 'h' } } }), ctx)],
    ['full user group', toGroupEntity(aUserGroup(), ctx)],
    ['minimal user group', toGroupEntity(aMinimalUserGroup(), ctx)],
    ['unicode user group', toGroupEntity(aUserGroup({ name: 'Équipe Δ 🚀', description: '' }), ctx)],
    ['full application', toApplicationEntity(anApplication(), ctx)],
    ['minimal application', toApplicationEntity(aMinimalApplication(), ctx)],
    ['inactive unicode application', toApplicationEntity(anApplication({ active: false, displayLabel: 'Ünïcødé SSO', idpCertExpirationAt: 'never' }), ctx)],
    ['full device', toDeviceEntity(aSystem(), ctx)],
    ['minimal device', toDeviceEntity(aMinimalSystem(), ctx)],
    ['device with an odd hostname', toDeviceEntity(aSystem({ hostname: "Bob's MacBook_Pro (2)", displayName: "Bob's MacBook_Pro (2)" }), ctx)],
    ['device with a one-letter hostname', toDeviceEntity(aSystem({ hostname: 'a', displayName: null }), ctx)],
    ['device with an IP as hostname', toDeviceEntity(aSystem({ hostname: '10.0.0.5' }), ctx)],
    ['device with a trailing-dot hostname', toDeviceEntity(aSystem({ hostname: 'host.example.com.' }), ctx)],
    ['device with a unicode hostname', toDeviceEntity(aSystem({ hostname: 'bücher-pc.local', displayName: 'Bücher PC' }), ctx)],
    ['Windows device', toDeviceEntity(aSystem({ hostname: 'DESKTOP-AB12CD3', osFamily: 'windows', os: 'Windows', version: '11 Pro 23H2' }), ctx)],
    ['device of an unknown OS family', toDeviceEntity(aSystem({ osFamily: 'plan9' }), ctx)],
    [
      'device with odd interfaces',
      toDeviceEntity(
        aSystem({
          remoteIp: 'not-an-ip',
          networkInterfaces: [
            { name: 'en0', address: 'fe80::1%en0', family: 'IPv6', internal: false },
            { name: 'en0', address: '10.0.0.1', family: 'IPv4', internal: false },
            { name: 'en1', address: '10.0.0.1', family: 'IPv4', internal: false },
            { name: 'en2', address: '300.1.1.1', family: 'IPv4', internal: false },
            { name: 'en3', address: '::ffff:10.0.0.2', family: null, internal: false },
          ],
        }),
        ctx,
      ),
    ],
    ['device without fde', toDeviceEntity(aSystem({ fdeActive: null, lastContact: 'garbage' }), ctx)],
    ['encrypted device with System Insights', toDeviceEntity(aSystem(), ctx, { encrypted: true, encryptionStatus: 'encrypted', osBuild: '23F79', osPatchLevel: 5, systemInsightsOn: 1_748_563_200_000 })],
    ['unencrypted device with System Insights', toDeviceEntity(aMinimalSystem(), ctx, { encrypted: false, encryptionStatus: 'undefined' })],
    ['full policy', toPolicyEntity(aPolicy(), ctx)],
    ['minimal policy', toPolicyEntity(aMinimalPolicy(), ctx)],
    ['universal policy with a unicode name', toPolicyEntity(aPolicy({ name: 'Écran verrouillé 🔒', osFamily: 'universal' }), ctx)],
    ['full device group', toDeviceGroupEntity(aSystemGroup(), ctx)],
    ['minimal device group', toDeviceGroupEntity(aMinimalSystemGroup({ email: '' }), ctx)],
  ];
}

describe('converter output against @jupiterone/data-model', () => {
  const validator = createEntityValidator();

  describe.each(contexts)('with context %s', (_label, ctx) => {
    it.each(entitiesFor(ctx))('%s has no problems', (_name, entity) => {
      expect(validator.validate(entity)).toEqual([]);
    });
  });

  it.each([
    ['a full user', aUser()],
    ['a user without names', aMinimalUser({ email: 'SVC@Acme.example.com' })],
    ['a unicode user', aUser({ firstName: 'Zoë', lastName: 'Ångström' })],
  ])('the employee Person of %s, as the local store creates it, has no problems', (_name, domainUser) => {
    const mapped = toUserEmployeeMappedRelationship(toUserEntity(domainUser, aMappingContext()));
    if (!mapped) throw new Error('expected a mapped relationship');
    const { _class, _type, ...properties } = mapped._mapping.targetEntity;
    const email = (properties['email'] as string[])[0] ?? '';
    const person: Entity = { _key: employeeKey(email), _type: String(_type), _class: [String(_class)], ...properties };
    expect(validator.validate(person)).toEqual([]);
  });
});
