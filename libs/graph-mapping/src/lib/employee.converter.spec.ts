import { employeeKey, toUserEmployeeMappedRelationship } from './employee.converter';
import { toUserEntity } from './user.converter';
import { aMappingContext, aMinimalUser, aUser, USER_ID } from './__fixtures__/domain.fixtures';

describe('employeeKey', () => {
  it('lower-cases the email', () => {
    expect(employeeKey('Jane.Doe@Acme.Example.com')).toBe('employee:jane.doe@acme.example.com');
  });
});

describe('toUserEmployeeMappedRelationship', () => {
  it('maps a user with an email exactly as docs/jupiterone.md says', () => {
    const user = toUserEntity(aUser(), aMappingContext({ tagAccountName: true }));
    expect(toUserEmployeeMappedRelationship(user)).toEqual({
      _key: `${USER_ID}|is|employee:jane.doe@acme.example.com`,
      _type: 'jumpcloud_user_is_employee',
      _class: 'IS',
      _mapping: {
        relationshipDirection: 'FORWARD',
        sourceEntityKey: USER_ID,
        targetFilterKeys: [['_class', 'email']],
        skipTargetCreation: false,
        targetEntity: {
          _class: 'Person',
          _type: 'employee',
          email: ['jane.doe@acme.example.com'],
          firstName: 'Jane',
          lastName: 'Doe',
          name: 'Jane Doe',
          displayName: 'Jane Doe',
        },
      },
    });
  });

  it("uses the user's name (not its displayName) for the person, and carries no account tag", () => {
    const user = toUserEntity(aUser({ displayName: 'JD' }), aMappingContext({ tagAccountName: true }));
    const target = toUserEmployeeMappedRelationship(user)?._mapping.targetEntity;
    expect(target?.['displayName']).toBe('Jane Doe');
    expect(target).not.toHaveProperty('tag.AccountName');
  });

  it('gives the person empty names when the user has none (Person requires strings)', () => {
    const user = toUserEntity(aMinimalUser({ email: 'svc@acme.example.com' }), aMappingContext());
    const target = toUserEmployeeMappedRelationship(user)?._mapping.targetEntity;
    expect(target).toMatchObject({ firstName: '', lastName: '', name: 'svc-backup', displayName: 'svc-backup' });
  });

  it('is undefined for a user without an email', () => {
    expect(toUserEmployeeMappedRelationship(toUserEntity(aMinimalUser(), aMappingContext()))).toBeUndefined();
    expect(toUserEmployeeMappedRelationship(toUserEntity(aUser({ email: '  ' }), aMappingContext()))).toBeUndefined();
  });

  it('gives two users with the same email (any case) the same person', () => {
    const a = toUserEmployeeMappedRelationship(toUserEntity(aUser({ id: 'aaaaaaaaaaaa', email: 'Pat@X.io' }), aMappingContext()));
    const b = toUserEmployeeMappedRelationship(toUserEntity(aUser({ id: 'bbbbbbbbbbbb', email: 'pat@x.io' }), aMappingContext()));
    expect(a?._key.split('|')[2]).toBe(b?._key.split('|')[2]);
    expect(a?._key).not.toBe(b?._key);
  });
});
