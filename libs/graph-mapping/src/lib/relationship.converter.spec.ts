import { RELATIONSHIPS, type RelationshipTypeName } from './data-model.registry';
import { toRelationship } from './relationship.converter';

describe('toRelationship', () => {
  it.each([
    ['jumpcloud_account_has_user', 'HAS', 'has'],
    ['jumpcloud_account_has_group', 'HAS', 'has'],
    ['jumpcloud_group_has_user', 'HAS', 'has'],
    ['jumpcloud_account_has_application', 'HAS', 'has'],
    ['jumpcloud_user_assigned_application', 'ASSIGNED', 'assigned'],
    ['jumpcloud_group_assigned_application', 'ASSIGNED', 'assigned'],
    ['jumpcloud_account_has_device', 'HAS', 'has'],
    ['jumpcloud_device_group_has_device', 'HAS', 'has'],
    ['jumpcloud_user_uses_device', 'USES', 'uses'],
    ['jumpcloud_account_has_policy', 'HAS', 'has'],
    ['jumpcloud_policy_enforces_device', 'ENFORCES', 'enforces'],
    ['jumpcloud_policy_enforces_device_group', 'ENFORCES', 'enforces'],
  ] as const)('builds %s with _class %s and key from|%s|to, and nothing else', (type, relationshipClass, verb) => {
    expect(toRelationship(type, 'aaaaaaaaaaaa', 'bbbbbbbbbbbb')).toEqual({
      _key: `aaaaaaaaaaaa|${verb}|bbbbbbbbbbbb`,
      _type: type,
      _class: relationshipClass,
      _fromEntityKey: 'aaaaaaaaaaaa',
      _toEntityKey: 'bbbbbbbbbbbb',
    });
  });

  it('covers every direct relationship of the registry', () => {
    const direct = RELATIONSHIPS.filter((r) => !r.mapped);
    expect(direct).toHaveLength(12);
    for (const definition of direct) {
      expect(toRelationship(definition._type, 'from-key-01', 'to-key-0001')._class).toBe(definition._class);
    }
  });

  it('carries the edge\'s own properties, which cannot replace its key, type, class or ends', () => {
    expect(toRelationship('jumpcloud_user_uses_device', 'u1-xxxxxxxx', 's1-xxxxxxxx', { sudo: true, sudoWithoutPassword: false, _key: 'other' })).toEqual({
      _key: 'u1-xxxxxxxx|uses|s1-xxxxxxxx',
      _type: 'jumpcloud_user_uses_device',
      _class: 'USES',
      _fromEntityKey: 'u1-xxxxxxxx',
      _toEntityKey: 's1-xxxxxxxx',
      sudo: true,
      sudoWithoutPassword: false,
    });
  });

  it('gives different keys to different pairs and directions', () => {
    const keys = new Set([
      toRelationship('jumpcloud_group_has_user', 'g1-xxxxxxxx', 'u1-xxxxxxxx')._key,
      toRelationship('jumpcloud_group_has_user', 'g1-xxxxxxxx', 'u2-xxxxxxxx')._key,
      toRelationship('jumpcloud_group_has_user', 'u1-xxxxxxxx', 'g1-xxxxxxxx')._key,
      toRelationship('jumpcloud_group_assigned_application', 'g1-xxxxxxxx', 'u1-xxxxxxxx')._key,
    ]);
    expect(keys.size).toBe(4);
  });

  it('refuses a type outside the registry (jumpcloud_account_has_device_group is not emitted)', () => {
    expect(() => toRelationship('jumpcloud_account_has_device_group' as RelationshipTypeName, 'a', 'b')).toThrow(/Unknown relationship type/);
  });
});
