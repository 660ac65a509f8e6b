import { propertyChanges } from './local-graph-property-changes';

describe('propertyChanges', () => {
  it('reports an added property as from null and a removed one as to null', () => {
    expect(propertyChanges({ name: 'Ada' }, { name: 'Ada', jobTitle: 'Engineer' })).toEqual({ jobTitle: { from: null, to: 'Engineer' } });
    expect(propertyChanges({ name: 'Ada', department: 'R&D' }, { name: 'Ada' })).toEqual({ department: { from: 'R&D', to: null } });
  });

  it('reports a changed scalar, whatever its type', () => {
    expect(propertyChanges({ jobTitle: 'Engineer', active: true, logins: 3 }, { jobTitle: 'Manager', active: false, logins: 3 })).toEqual({
      active: { from: true, to: false },
      jobTitle: { from: 'Engineer', to: 'Manager' },
    });
    expect(propertyChanges({ mfa: '1' }, { mfa: 1 })).toEqual({ mfa: { from: '1', to: 1 } });
  });

  it('compares arrays element by element, so another order is a change', () => {
    expect(propertyChanges({ email: ['a@example.com', 'b@example.com'] }, { email: ['b@example.com', 'a@example.com'] })).toEqual({
      email: { from: ['a@example.com', 'b@example.com'], to: ['b@example.com', 'a@example.com'] },
    });
    expect(propertyChanges({ email: ['a'] }, { email: ['a', 'a'] })).toEqual({ email: { from: ['a'], to: ['a', 'a'] } });
    expect(propertyChanges({ email: ['a', 'b'] }, { email: ['a', 'b'] })).toEqual({});
  });

  it('finds equal nested objects equal whatever their key order, and tells a nested change', () => {
    const before = { settings: { mfa: { configured: true, exclusion: false }, tags: [{ id: 1, name: 'x' }] } };
    const reordered = { settings: { tags: [{ name: 'x', id: 1 }], mfa: { exclusion: false, configured: true } } };
    expect(propertyChanges(before, reordered)).toEqual({});
    const changed = { settings: { mfa: { configured: false, exclusion: false }, tags: [{ id: 1, name: 'x' }] } };
    expect(propertyChanges(before, changed)).toEqual({ settings: { from: before.settings, to: changed.settings } });
    expect(propertyChanges({ settings: { a: 1 } }, { settings: { a: 1, b: null } })).toEqual({ settings: { from: { a: 1 }, to: { a: 1, b: null } } });
    expect(propertyChanges({ settings: { a: 1 } }, { settings: [1] })).toEqual({ settings: { from: { a: 1 }, to: [1] } });
  });

  it('shows a changed _rawData as {} without its values, and an equal one not at all', () => {
    const raw = (state: string) => [{ name: 'default', rawData: { _id: 'u1', state } }];
    const changes = propertyChanges({ name: 'Ada', _rawData: raw('ACTIVATED') }, { name: 'Ada', _rawData: raw('SUSPENDED') });
    expect(changes).toEqual({ _rawData: {} });
    expect(JSON.stringify(changes)).not.toMatch(/ACTIVATED|SUSPENDED/);
    expect(propertyChanges({ _rawData: raw('ACTIVATED') }, {})).toEqual({ _rawData: {} });
    expect(propertyChanges({ _rawData: raw('ACTIVATED') }, { _rawData: raw('ACTIVATED') })).toEqual({});
  });

  it('lists properties in sorted (UTF-16 code unit) order', () => {
    const changes = propertyChanges({ b: 1, Z: 1, _rawData: 1, a: 1, é: 1 }, { b: 2, Z: 2, _rawData: 2, a: 2, é: 2 });
    expect(Object.keys(changes)).toEqual(['Z', '_rawData', 'a', 'b', 'é']);
  });

  it('counts absent, undefined and null as the same value, and reads own properties only', () => {
    expect(propertyChanges({ manager: null }, {})).toEqual({});
    expect(propertyChanges({ manager: undefined }, { manager: null })).toEqual({});
    expect(propertyChanges({}, { constructor: 'x' })).toEqual({ constructor: { from: null, to: 'x' } });
    const proto = propertyChanges({}, JSON.parse('{"__proto__":1}') as Record<string, unknown>);
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it('returns nothing for equal objects and changes neither input', () => {
    const before = { _key: 'u1', tags: ['a'], nested: { x: [1, { y: 2 }] } };
    const after = { _key: 'u1', tags: ['a'], nested: { x: [1, { y: 3 }] } };
    const copies = JSON.stringify([before, after]);
    expect(propertyChanges(before, structuredClone(before))).toEqual({});
    propertyChanges(before, after);
    expect(JSON.stringify([before, after])).toBe(copies);
  });
});
