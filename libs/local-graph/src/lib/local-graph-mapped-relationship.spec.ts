import { type MappedRelationship } from '@jumpcloud-graph/domain';
import { id, isEmployee } from './__fixtures__/local-graph-fixtures';
import { resolveMappedRelationship } from './local-graph-mapped-relationship';
import { LocalGraphStoreError } from './local-graph-store.errors';

describe('resolveMappedRelationship', () => {
  it('makes the Person employee:<lower-case email> from the target entity, and a plain relationship to it', () => {
    const mapped = isEmployee(id(1), 'Ada@Example.COM');
    mapped._mapping.targetEntity['email'] = ['Ada@Example.COM'];
    const { person, relationship } = resolveMappedRelationship(mapped);

    expect(person).toEqual({
      _key: 'employee:ada@example.com',
      _type: 'employee',
      _class: ['Person'],
      email: ['Ada@Example.COM'],
      firstName: 'Ada',
      lastName: 'Lovelace',
      name: 'Ada Lovelace',
      displayName: 'Ada Lovelace',
    });
    expect(relationship).toEqual({
      _key: mapped._key,
      _type: 'jumpcloud_user_is_employee',
      _class: 'IS',
      _fromEntityKey: id(1),
      _toEntityKey: 'employee:ada@example.com',
    });
    expect(relationship).not.toHaveProperty('_mapping');
  });

  it('keeps the relationship properties that are not underscored', () => {
    const mapped: MappedRelationship = { ...isEmployee(id(1), 'a@example.com'), since: 5, _extra: 'envelope' };
    const { relationship } = resolveMappedRelationship(mapped);
    expect(relationship['since']).toBe(5);
    expect(relationship).not.toHaveProperty('_extra');
  });

  it('points a REVERSE mapping from the Person to the source', () => {
    const mapped = isEmployee(id(1), 'a@example.com');
    mapped._mapping.relationshipDirection = 'REVERSE';
    const { relationship } = resolveMappedRelationship(mapped);
    expect(relationship._fromEntityKey).toBe('employee:a@example.com');
    expect(relationship._toEntityKey).toBe(id(1));
  });

  it('accepts a single email string as well as the email array', () => {
    const mapped = isEmployee(id(1), 'a@example.com');
    mapped._mapping.targetEntity['email'] = 'B@example.com';
    expect(resolveMappedRelationship(mapped).person._key).toBe('employee:b@example.com');
  });

  it('refuses a target without an email, as a non-fatal invalid object', () => {
    const mapped = isEmployee(id(1), 'a@example.com');
    mapped._mapping.targetEntity['email'] = [];
    let thrown: unknown;
    try {
      resolveMappedRelationship(mapped);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LocalGraphStoreError);
    expect(thrown).toMatchObject({ code: 'LOCAL_GRAPH_INVALID_OBJECT', fatal: false });
  });
});
