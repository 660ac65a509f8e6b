import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('gives the same text for equal objects whatever order their keys were set in, at any depth', () => {
    const a = { _key: 'k', name: 'n', _rawData: [{ name: 'default', rawData: { b: 1, a: { y: true, x: null } } }] };
    const b = { _rawData: [{ rawData: { a: { x: null, y: true }, b: 1 }, name: 'default' }], name: 'n', _key: 'k' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('sorts keys and keeps array order, which is meaningful', () => {
    expect(canonicalJson({ b: [3, 1, 2], a: 'x' })).toBe('{"a":"x","b":[3,1,2]}');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('parses back to the same value', () => {
    const value = { s: 'quote " and \u00e9', n: -1.5, t: true, f: false, z: null, list: ['a', 'b'], nested: { deep: [{ k: 1 }] } };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it('follows JSON.stringify for values JSON cannot hold', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, Number.NaN, Infinity])).toBe('[null,null,null]');
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
  });

  it('refuses a cycle with a clear error instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/nested deeper/);
  });

  it('gives different objects different text', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});
