import { toAccountEntity } from './account.converter';
import { consoleUrlFor } from './mapping-context';
import { aMappingContext, aMinimalOrganization, anOrganization, ORG_ID } from './__fixtures__/domain.fixtures';

describe('toAccountEntity', () => {
  it('maps every property of docs/jupiterone.md jumpcloud_account', () => {
    const entity = toAccountEntity(anOrganization(), aMappingContext());
    expect(entity).toEqual({
      _key: ORG_ID,
      _type: 'jumpcloud_account',
      _class: ['Account', 'Organization'],
      name: 'Acme Corp',
      displayName: 'Acme Corp',
      vendor: 'JumpCloud',
      accountType: 'production',
      createdOn: Date.UTC(2019, 0, 15, 10, 20, 30),
      mfaEnabled: true,
      webLink: 'https://console.jumpcloud.com/',
      _rawData: [{ name: 'default', rawData: anOrganization().raw }],
    });
  });

  it('names the account by its id when the organization has no display name', () => {
    const entity = toAccountEntity(aMinimalOrganization({ displayName: '  ' }), aMappingContext());
    expect(entity.name).toBe(ORG_ID);
    expect(entity.displayName).toBe(ORG_ID);
  });

  it('leaves out mfaEnabled and createdOn when JumpCloud has no value (the schema types them without null)', () => {
    const entity = toAccountEntity(aMinimalOrganization(), aMappingContext());
    expect(entity).not.toHaveProperty('mfaEnabled');
    expect(entity).not.toHaveProperty('createdOn');
    expect(entity.accountType).toBeNull();
    expect(Object.values(entity)).not.toContain(undefined);
  });

  it('keeps mfaEnabled false when admin MFA is not required', () => {
    expect(toAccountEntity(anOrganization({ requireAdminMfa: false }), aMappingContext()).mfaEnabled).toBe(false);
  });

  it('leaves out createdOn when the timestamp cannot be parsed', () => {
    expect(toAccountEntity(anOrganization({ created: 'not a date' }), aMappingContext())).not.toHaveProperty('createdOn');
  });

  it.each(['us', 'eu', 'in'] as const)('links to the root of the %s console', (region) => {
    const entity = toAccountEntity(anOrganization(), aMappingContext({ consoleUrl: consoleUrlFor(region) }));
    expect(entity.webLink).toBe(`${consoleUrlFor(region)}/`);
  });

  it('tags the account name only when asked to', () => {
    expect(toAccountEntity(anOrganization(), aMappingContext({ tagAccountName: true, accountName: 'Acme' }))['tag.AccountName']).toBe('Acme');
    expect(toAccountEntity(anOrganization(), aMappingContext({ tagAccountName: false }))).not.toHaveProperty('tag.AccountName');
  });

  it('stores no API key of an administrator found in the source object', () => {
    const org = anOrganization({ raw: { _id: ORG_ID, admins: [{ email: 'a@b.c', apiKeyHash: { salt: 's', hash: 'h' }, apiKey: 'k-123' }] } });
    const json = JSON.stringify(toAccountEntity(org, aMappingContext()));
    expect(json).not.toContain('apiKey');
    expect(json).not.toContain('k-123');
    expect(json).toContain('a@b.c');
  });
});
