import { toDeviceGroupEntity } from './device-group.converter';
import { consoleUrlFor } from './mapping-context';
import { aMappingContext, aMinimalSystemGroup, aSystemGroup, SYSTEM_GROUP_ID } from './__fixtures__/domain.fixtures';

describe('toDeviceGroupEntity', () => {
  it('maps every property of docs/jupiterone.md jumpcloud_device_group', () => {
    expect(toDeviceGroupEntity(aSystemGroup(), aMappingContext())).toEqual({
      _key: SYSTEM_GROUP_ID,
      _type: 'jumpcloud_device_group',
      _class: ['Group'],
      name: 'Production Servers',
      displayName: 'Production Servers',
      description: 'Servers in production',
      email: 'prod@acme.example.com',
      membershipMethod: 'DYNAMIC_AUTOMATED',
      webLink: `https://console.jumpcloud.com/#/groups/system/${SYSTEM_GROUP_ID}/details`,
      _rawData: [{ name: 'default', rawData: aSystemGroup().raw }],
    });
  });

  it('maps missing values to null (JumpCloud sends "" for no email) and leaves out a missing description', () => {
    const entity = toDeviceGroupEntity(aMinimalSystemGroup({ email: '', description: '' }), aMappingContext());
    expect(entity).toMatchObject({ email: null, membershipMethod: null });
    expect(entity).not.toHaveProperty('description');
    expect(Object.values(entity)).not.toContain(undefined);
  });

  it.each(['us', 'eu', 'in'] as const)('links to the system group on the %s console', (region) => {
    expect(toDeviceGroupEntity(aSystemGroup(), aMappingContext({ consoleUrl: consoleUrlFor(region) })).webLink).toBe(
      `${consoleUrlFor(region)}/#/groups/system/${SYSTEM_GROUP_ID}/details`,
    );
  });

  it('tags the account name only when asked to', () => {
    expect(toDeviceGroupEntity(aSystemGroup(), aMappingContext({ tagAccountName: true }))['tag.AccountName']).toBe('Acme Corp');
    expect(toDeviceGroupEntity(aSystemGroup(), aMappingContext())).not.toHaveProperty('tag.AccountName');
  });
});
