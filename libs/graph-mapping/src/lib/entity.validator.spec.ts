import { type Entity } from '@jumpcloud-graph/domain';
import { createEntityValidator } from './entity.validator';
import { toAccountEntity } from './account.converter';
import { toUserEntity } from './user.converter';
import { aMappingContext, anOrganization, aUser, ORG_ID, USER_ID } from './__fixtures__/domain.fixtures';

describe('createEntityValidator', () => {
  const validator = createEntityValidator();
  const user = (): Entity => toUserEntity(aUser(), aMappingContext());

  it('accepts a valid entity', () => {
    expect(validator.validate(user())).toEqual([]);
  });

  it('reports a property of the wrong type, naming type, key and path', () => {
    expect(validator.validate({ ...user(), email: 'jane@acme.example.com' })).toEqual([`jumpcloud_user ${USER_ID}: /email must be array`]);
  });

  it('reports a missing required property', () => {
    const { firstName: _firstName, ...withoutFirstName } = user();
    expect(validator.validate(withoutFirstName as Entity)).toEqual([`jumpcloud_user ${USER_ID}: must have required property 'firstName'`]);
  });

  it('reports every problem, one message each', () => {
    const problems = validator.validate({ ...user(), email: ['not an email'], createdOn: null, webLink: 'not a uri' });
    expect(problems).toEqual(
      expect.arrayContaining([
        `jumpcloud_user ${USER_ID}: /email/0 must match format "email"`,
        `jumpcloud_user ${USER_ID}: /createdOn must be number`,
        `jumpcloud_user ${USER_ID}: /webLink must match format "uri"`,
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('validates an entity against each of its classes', () => {
    const { vendor: _vendor, ...account } = toAccountEntity(anOrganization(), aMappingContext());
    expect(validator.validate(account as Entity)).toEqual([`jumpcloud_account ${ORG_ID}: must have required property 'vendor'`]);
    const asUserAndDevice: Entity = { ...user(), _class: ['User', 'Device'] };
    expect(validator.validate(asUserAndDevice)).toContain(`jumpcloud_user ${USER_ID}: must have required property 'hostname'`);
  });

  it('reports a problem shared by several classes once', () => {
    const { name: _name, ...account } = toAccountEntity(anOrganization(), aMappingContext());
    expect(validator.validate(account as Entity)).toEqual([`jumpcloud_account ${ORG_ID}: must have required property 'name'`]);
  });

  it('reports a class the data model does not have', () => {
    expect(validator.validate({ ...user(), _class: ['User', 'Wizard'] })).toEqual([`jumpcloud_user ${USER_ID}: unknown class "Wizard"`]);
  });

  it('validates classes outside the registry too', () => {
    const host: Entity = { _key: 'host-000001', _type: 'some_host', _class: ['Host'], name: 'h', displayName: 'h' };
    expect(validator.validate(host).length).toBeGreaterThan(0);
  });

  it('reports nested objects, undefined values and mixed arrays (docs/jupiterone.md property values)', () => {
    const entity = { ...user(), nested: { a: 1 }, missing: undefined, mixed: ['a', 1], holes: [null] } as unknown as Entity;
    expect(validator.validate(entity)).toEqual([
      `jumpcloud_user ${USER_ID}: /nested must be a string, number, boolean or null`,
      `jumpcloud_user ${USER_ID}: /missing is undefined (use null)`,
      `jumpcloud_user ${USER_ID}: /mixed must be an array of one primitive type`,
      `jumpcloud_user ${USER_ID}: /holes must be an array of one primitive type`,
    ]);
  });

  it('reports a key shorter than the data model allows', () => {
    expect(validator.validate({ ...user(), _key: 'short' })).toEqual(['jumpcloud_user short: /_key must NOT have fewer than 10 characters']);
  });

  it('can be reused for many entities with the same result', () => {
    const bad = { ...user(), email: 'x' };
    expect(validator.validate(bad)).toEqual(validator.validate(bad));
    expect(validator.validate(user())).toEqual([]);
  });
});
