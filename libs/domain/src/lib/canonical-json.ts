/**
 * Nesting deeper than this is certainly a cycle or a bug: graph objects are flat and `_rawData`
 * is a parsed API response. Failing with a clear error beats a stack overflow.
 */
const MAX_DEPTH = 64;

/**
 * The JSON text of `value` with object keys sorted (recursively, by UTF-16 code units, like
 * `Array.prototype.sort`), so two equal objects give byte-identical text whatever order their
 * keys were set in. That is what lets `diff` compare runs by their text. Otherwise it follows
 * `JSON.stringify`: `undefined`/functions are left out of objects and become `null` in arrays,
 * non-finite numbers become `null`, and `toJSON` (Dates) is honoured.
 */
export function canonicalJson(value: unknown): string {
  const text = serialize(value, 0);
  if (text === undefined) {
    throw new TypeError('canonicalJson: the value has no JSON representation');
  }
  return text;
}

// Quoted object keys, memoised: graph objects repeat a few hundred property names millions of
// times. Bounded, so odd data cannot grow it without limit.
const quotedKeys = new Map<string, string>();
function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

// Builds the text by concatenation (no intermediate arrays): this runs for every object a sync
// writes, and was the store's hottest function.
function serialize(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a bigint has no JSON representation');
    case 'object':
      break;
    default:
      // undefined, function, symbol: left out, as JSON.stringify does
      return undefined;
  }
  if (value === null) {
    return 'null';
  }
  if (depth >= MAX_DEPTH) {
    throw new TypeError(`canonicalJson: nested deeper than ${MAX_DEPTH} levels (a cycle?)`);
  }
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    return serialize((withToJson.toJSON as () => unknown).call(value), depth + 1);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      out += (i === 0 ? '' : ',') + (serialize(value[i], depth + 1) ?? 'null');
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const text = serialize(record[key], depth + 1);
    if (text === undefined) continue;
    out += (first ? '' : ',') + quoteKey(key) + ':' + text;
    first = false;
  }
  return `${out}}`;
}
