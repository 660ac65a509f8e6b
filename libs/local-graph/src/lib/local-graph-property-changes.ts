import { type PropertyChanges } from './local-graph-types';

/** Shown as changed without its values: it repeats the source's whole record, and is not a graph property. */
const RAW_DATA = '_rawData';

/**
 * The top-level properties whose values differ between two versions of an object, each as
 * `{ from, to }` (`diff`'s `updatedDetails`). Values are compared as JSON: arrays element by
 * element in order, objects whatever their key order. A property that is absent (or `undefined`)
 * on one side is `null` on that side, so absent and `null` count as equal. `_rawData`, if it
 * differs, is `{}`: that it changed, never its values. Properties come in sorted (UTF-16 code
 * unit) order, except that JavaScript lists integer-like names (`"7"`) first in any object.
 *
 * Pure: the inputs are not changed, and the `from`/`to` values are theirs, not copies.
 */
export function propertyChanges(before: Record<string, unknown>, after: Record<string, unknown>): PropertyChanges {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: [string, PropertyChanges[string]][] = [];
  for (const name of names) {
    const from = valueOf(before, name);
    const to = valueOf(after, name);
    if (!jsonEqual(from, to)) {
      changes.push([name, name === RAW_DATA ? {} : { from, to }]);
    }
  }
  // fromEntries defines own properties: a property named `__proto__` stays a property.
  return Object.fromEntries(changes);
}

function valueOf(object: Record<string, unknown>, name: string): unknown {
  // Own properties only: an absent `constructor` must not read as Object's.
  return Object.hasOwn(object, name) && object[name] !== undefined ? object[name] : null;
}

/** Deep equality of JSON values (what JSON.parse returns); an object's `undefined` properties count as absent, as in JSON. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return false;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item: unknown, index) => jsonEqual(item ?? null, b[index] ?? null));
  }
  const left = definedEntries(a);
  const right = b as Record<string, unknown>;
  return left.length === definedEntries(b).length && left.every(([name, value]) => Object.hasOwn(right, name) && jsonEqual(value, right[name]));
}

function definedEntries(object: object): [string, unknown][] {
  return Object.entries(object).filter(([, value]) => value !== undefined);
}
