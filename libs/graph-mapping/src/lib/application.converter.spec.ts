import { toApplicationEntity } from './application.converter';
import { consoleUrlFor } from './mapping-context';
import { aMappingContext, aMinimalApplication, anApplication, APP_ID } from './__fixtures__/domain.fixtures';

describe('toApplicationEntity', () => {
  it('maps every property of docs/jupiterone.md jumpcloud_application', () => {
    const raw = anApplication().raw;
    expect(toApplicationEntity(anApplication(), aMappingContext())).toEqual({
      _key: APP_ID,
      _type: 'jumpcloud_application',
      _class: ['Application'],
      name: 'salesforce',
      displayName: 'Salesforce (production)',
      description: 'CRM single sign-on',
      active: true,
      ssoUrl: 'https://sso.jumpcloud.com/saml2/salesforce',
      ssoType: 'saml',
      idpCertExpiresOn: Date.UTC(2026, 0, 1),
      createdOn: Date.UTC(2021, 6, 8, 9, 10, 11),
      webLink: `https://console.jumpcloud.com/#/sso/${APP_ID}/details`,
      _rawData: [{ name: 'default', rawData: { _id: raw['_id'], name: raw['name'], displayLabel: raw['displayLabel'], sso: raw['sso'] } }],
    });
  });

  it.each([
    [{ displayLabel: 'Label', displayName: 'Display' }, 'Label'],
    [{ displayLabel: '', displayName: 'Display' }, 'Display'],
    [{ displayLabel: null, displayName: null }, 'salesforce'],
  ])('%j has displayName %s', (names, displayName) => {
    expect(toApplicationEntity(anApplication(names), aMappingContext()).displayName).toBe(displayName);
  });

  it('maps missing values to null and leaves out description, active and createdOn (typed without null)', () => {
    const entity = toApplicationEntity(aMinimalApplication(), aMappingContext());
    expect(entity).toMatchObject({ name: 'bookmark', displayName: 'bookmark', ssoUrl: null, ssoType: null, idpCertExpiresOn: null });
    expect(entity).not.toHaveProperty('description');
    expect(entity).not.toHaveProperty('active');
    expect(entity).not.toHaveProperty('createdOn');
    expect(Object.values(entity)).not.toContain(undefined);
  });

  it('keeps active false for an inactive application', () => {
    expect(toApplicationEntity(anApplication({ active: false }), aMappingContext()).active).toBe(false);
  });

  it('never stores a config value: a SAML private key does not appear anywhere', () => {
    const entity = toApplicationEntity(anApplication(), aMappingContext({ tagAccountName: true }));
    const json = JSON.stringify(entity);
    expect(json).not.toContain('PRIVATE KEY');
    expect(json).not.toContain('MIIEvQ');
    expect(json).not.toContain('acme.my.salesforce.com');
    expect(entity._rawData?.[0]?.rawData).not.toHaveProperty('config');
  });

  it('drops a config nested deeper in the source object too', () => {
    const app = anApplication({ raw: { _id: APP_ID, sso: { type: 'saml', config: { key: '-----BEGIN PRIVATE KEY-----' } } } });
    expect(JSON.stringify(toApplicationEntity(app, aMappingContext()))).not.toContain('PRIVATE KEY');
  });

  it.each(['us', 'eu', 'in'] as const)('links to the application on the %s console', (region) => {
    expect(toApplicationEntity(anApplication(), aMappingContext({ consoleUrl: consoleUrlFor(region) })).webLink).toBe(
      `${consoleUrlFor(region)}/#/sso/${APP_ID}/details`,
    );
  });

  it('tags the account name only when asked to', () => {
    expect(toApplicationEntity(anApplication(), aMappingContext({ tagAccountName: true }))['tag.AccountName']).toBe('Acme Corp');
    expect(toApplicationEntity(anApplication(), aMappingContext())).not.toHaveProperty('tag.AccountName');
  });
});
