import { toGroupEntity } from './group.converter';
import { consoleUrlFor } from './mapping-context';
import { aMappingContext, aMinimalUserGroup, aUserGroup, GROUP_ID } from './__fixtures__/domain.fixtures';

describe('toGroupEntity', () => {
  it('maps every property of docs/jupiterone.md jumpcloud_group', () => {
    expect(toGroupEntity(aUserGroup(), aMappingContext())).toEqual({
      _key: GROUP_ID,
      _type: 'jumpcloud_group',
      _class: ['Group'],
      name: 'Engineering',
      displayName: 'Engineering',
      description: 'Engineering team',
      email: 'engineering@acme.example.com',
      membershipMethod: 'STATIC',
      sudoEnabled: true,
      sudoWithoutPassword: false,
      sambaEnabled: false,
      webLink: `https://console.jumpcloud.com/#/groups/user/${GROUP_ID}/details`,
      _rawData: [{ name: 'default', rawData: aUserGroup().raw }],
    });
  });

  it('maps missing values to null and leaves out a missing description (Entity.description is a string)', () => {
    const entity = toGroupEntity(aMinimalUserGroup({ email: '' }), aMappingContext());
    expect(entity).toMatchObject({ email: null, membershipMethod: null, sudoEnabled: null, sudoWithoutPassword: null, sambaEnabled: null });
    expect(entity).not.toHaveProperty('description');
    expect(Object.values(entity)).not.toContain(undefined);
  });

  it.each(['us', 'eu', 'in'] as const)('links to the user group on the %s console', (region) => {
    expect(toGroupEntity(aUserGroup(), aMappingContext({ consoleUrl: consoleUrlFor(region) })).webLink).toBe(
      `${consoleUrlFor(region)}/#/groups/user/${GROUP_ID}/details`,
    );
  });

  it('tags the account name only when asked to', () => {
    expect(toGroupEntity(aUserGroup(), aMappingContext({ tagAccountName: true }))['tag.AccountName']).toBe('Acme Corp');
    expect(toGroupEntity(aUserGroup(), aMappingContext())).not.toHaveProperty('tag.AccountName');
  });

  it('stores no API key found in the source object', () => {
    const json = JSON.stringify(toGroupEntity(aUserGroup({ raw: { id: GROUP_ID, name: 'x', attributes: { api_key: 'leak-me' } } }), aMappingContext()));
    expect(json).not.toContain('leak-me');
  });
});
