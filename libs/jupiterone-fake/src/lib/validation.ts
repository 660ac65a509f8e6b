/** JupiterOne's bounds on `_key` length. */
export const MIN_KEY_LENGTH = 10;
export const MAX_KEY_LENGTH = 1024;

const DIRECTIONS = ['FORWARD', 'REVERSE'];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'a nested object' : `a ${typeof value}`;
}

/** Why `value` is not a flat property value (a primitive, or an array of one primitive type), else undefined. */
export function propertyValueProblem(value: unknown): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'is not a finite number';
  if (!Array.isArray(value)) return `is ${describe(value)}`;
  let kind: string | undefined;
  for (const [index, item] of value.entries()) {
    const itemKind = typeof item;
    if (item === null || (itemKind !== 'string' && itemKind !== 'number' && itemKind !== 'boolean')) {
      return `has ${describe(item)} at [${index}] (arrays hold strings, numbers or booleans only)`;
    }
    if (itemKind === 'number' && !Number.isFinite(item)) return `has a non-finite number at [${index}]`;
    if (kind !== undefined && itemKind !== kind) return `mixes ${kind}s and ${itemKind}s`;
    kind = itemKind;
  }
  return undefined;
}

function keyProblem(value: unknown, name: string): string | undefined {
  if (typeof value !== 'string') return `${name} must be a string, got ${describe(value)}`;
  if (value.length < MIN_KEY_LENGTH || value.length > MAX_KEY_LENGTH) {
    return `${name} must be ${MIN_KEY_LENGTH} to ${MAX_KEY_LENGTH} characters long, got ${value.length}`;
  }
  return undefined;
}

function envelopeProblem(object: Record<string, unknown>): string | undefined {
  const key = keyProblem(object['_key'], '_key');
  if (key) return key;
  const type = object['_type'];
  if (typeof type !== 'string' || type === '') return '_type must be a non-empty string';
  const klass = object['_class'];
  const classOk =
    (typeof klass === 'string' && klass !== '') ||
    (Array.isArray(klass) && klass.length > 0 && klass.every((item) => typeof item === 'string' && item !== ''));
  if (!classOk) return '_class must be a non-empty string or a non-empty array of non-empty strings';
  return undefined;
}

function rawDataProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return `_rawData must be an array, got ${describe(value)}`;
  const names = new Set<string>();
  for (const [index, entry] of value.entries()) {
    if (!isPlainObject(entry)) return `_rawData[${index}] must be an object`;
    const name = entry['name'];
    if (typeof name !== 'string' || name === '') return `_rawData[${index}].name must be a non-empty string`;
    if (!isPlainObject(entry['rawData'])) return `_rawData[${index}].rawData must be an object`;
    if (names.has(name)) return `_rawData has two entries named "${name}"`;
    names.add(name);
  }
  return undefined;
}

/** Every member besides the ones `skip` names must be a flat value; `_rawData` has its own rules. */
function propertiesProblem(object: Record<string, unknown>, skip: readonly string[]): string | undefined {
  for (const [name, value] of Object.entries(object)) {
    if (skip.includes(name) || value === undefined) continue;
    if (name === '_rawData') {
      const problem = rawDataProblem(value);
      if (problem) return problem;
      continue;
    }
    const problem = propertyValueProblem(value);
    if (problem) return `property "${name}" ${problem}`;
  }
  return undefined;
}

/** Why `value` is not an entity JupiterOne accepts, else undefined. */
export function entityProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return `must be an object, got ${describe(value)}`;
  return envelopeProblem(value) ?? propertiesProblem(value, ['_key', '_type', '_class']);
}

function mappingProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return `_mapping must be an object, got ${describe(value)}`;
  if (!DIRECTIONS.includes(value['relationshipDirection'] as string)) return '_mapping.relationshipDirection must be FORWARD or REVERSE';
  const source = value['sourceEntityKey'];
  if (typeof source !== 'string' || source === '') return '_mapping.sourceEntityKey must be a non-empty string';
  const filterKeys = value['targetFilterKeys'];
  const filterKeysOk =
    Array.isArray(filterKeys) &&
    filterKeys.length > 0 &&
    filterKeys.every((set) => Array.isArray(set) && set.length > 0 && set.every((key) => typeof key === 'string' && key !== ''));
  if (!filterKeysOk) return '_mapping.targetFilterKeys must be a non-empty array of non-empty arrays of property names';
  const target = value['targetEntity'];
  if (!isPlainObject(target)) return `_mapping.targetEntity must be an object, got ${describe(target)}`;
  for (const [name, property] of Object.entries(target)) {
    const problem = property === undefined ? undefined : propertyValueProblem(property);
    if (problem) return `_mapping.targetEntity property "${name}" ${problem}`;
  }
  const skip = value['skipTargetCreation'];
  if (skip !== undefined && typeof skip !== 'boolean') return '_mapping.skipTargetCreation must be a boolean';
  return undefined;
}

/** Why `value` is not a relationship (plain, or mapped with `_mapping`) JupiterOne accepts, else undefined. */
export function relationshipProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return `must be an object, got ${describe(value)}`;
  const envelope = envelopeProblem(value);
  if (envelope) return envelope;
  const hasMapping = value['_mapping'] !== undefined;
  const hasEnds = value['_fromEntityKey'] !== undefined || value['_toEntityKey'] !== undefined;
  if (hasMapping && hasEnds) return 'has both _mapping and _fromEntityKey/_toEntityKey';
  if (hasMapping) {
    const problem = mappingProblem(value['_mapping']);
    if (problem) return problem;
  } else {
    for (const end of ['_fromEntityKey', '_toEntityKey']) {
      const key = value[end];
      if (key === undefined) return `needs _fromEntityKey and _toEntityKey, or _mapping; ${end} is missing`;
      if (typeof key !== 'string' || key === '') return `${end} must be a non-empty string`;
    }
  }
  return propertiesProblem(value, ['_key', '_type', '_class', '_mapping', '_fromEntityKey', '_toEntityKey']);
}

export function isMapped(relationship: Record<string, unknown>): boolean {
  return relationship['_mapping'] !== undefined;
}
