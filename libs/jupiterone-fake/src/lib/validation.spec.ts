import { entityProblem, propertyValueProblem, relationshipProblem } from './validation';

const entity = { _key: 'test_entity:1', _type: 'test_entity', _class: ['Record'] };
const mapping = { relationshipDirection: 'REVERSE', sourceEntityKey: 'test_entity:1', targetFilterKeys: [['_type', 'name']], targetEntity: { _type: 't', name: 'n' } };

describe('propertyValueProblem', () => {
  it.each([['s'], [1], [true], [null], [[]], [['a', 'b']], [[1, 2]], [[false]]])('accepts %j', (value) => {
    expect(propertyValueProblem(value)).toBeUndefined();
  });

  it.each([
    [{ a: 1 }, 'is a nested object'],
    [[1, 'a'], 'mixes numbers and strings'],
    [[null], 'has null at [0]'],
    [[[1]], 'has an array at [0]'],
    [Infinity, 'is not a finite number'],
  ])('rejects %j', (value, problem) => {
    expect(propertyValueProblem(value)).toContain(problem);
  });
});

describe('entityProblem', () => {
  it('accepts a minimal entity and one with _rawData', () => {
    expect(entityProblem(entity)).toBeUndefined();
    expect(entityProblem({ ...entity, _class: 'Record', _rawData: [{ name: 'default', rawData: { deep: { x: [1] } } }] })).toBeUndefined();
  });

  it('bounds _key length at 10 and 1024', () => {
    expect(entityProblem({ ...entity, _key: 'k'.repeat(10) })).toBeUndefined();
    expect(entityProblem({ ...entity, _key: 'k'.repeat(9) })).toMatch(/_key/);
    expect(entityProblem({ ...entity, _key: 'k'.repeat(1024) })).toBeUndefined();
    expect(entityProblem({ ...entity, _key: 'k'.repeat(1025) })).toMatch(/_key/);
  });

  it('rejects non-objects and bad raw data entries', () => {
    expect(entityProblem([entity])).toMatch(/must be an object/);
    expect(entityProblem({ ...entity, _rawData: [{ name: 'default', rawData: [] }] })).toMatch(/rawData must be an object/);
    expect(entityProblem({ ...entity, _class: ['Record', ''] })).toMatch(/_class/);
  });
});

describe('relationshipProblem', () => {
  const plain = { _key: 'relationship:1', _type: 't', _class: 'HAS', _fromEntityKey: 'a', _toEntityKey: 'b' };

  it('accepts a plain and a mapped relationship', () => {
    expect(relationshipProblem(plain)).toBeUndefined();
    expect(relationshipProblem({ _key: 'relationship:2', _type: 't', _class: 'IS', _mapping: mapping })).toBeUndefined();
  });

  it.each([
    [{ ...mapping, targetFilterKeys: [] }, /targetFilterKeys/],
    [{ ...mapping, targetFilterKeys: [['a', 1]] }, /targetFilterKeys/],
    [{ ...mapping, sourceEntityKey: '' }, /sourceEntityKey/],
    [{ ...mapping, targetEntity: null }, /targetEntity must be an object/],
    [{ ...mapping, targetEntity: { nested: { a: 1 } } }, /targetEntity property "nested"/],
    [{ ...mapping, skipTargetCreation: 'yes' }, /skipTargetCreation/],
  ])('rejects a bad _mapping (%#)', (bad, problem) => {
    expect(relationshipProblem({ _key: 'relationship:2', _type: 't', _class: 'IS', _mapping: bad })).toMatch(problem);
  });

  it('rejects an empty end key', () => {
    expect(relationshipProblem({ ...plain, _fromEntityKey: '' })).toMatch(/_fromEntityKey/);
  });
});
