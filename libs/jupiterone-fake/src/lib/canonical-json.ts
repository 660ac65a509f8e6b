/**
 * JSON with object keys sorted at every depth, so that two objects with the same content compare
 * equal whatever order their properties were written in. Array order is kept: it is content.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    // JSON.stringify drops undefined members; dropping them here keeps {a: undefined} equal to {}.
    if (member !== undefined) sorted[key] = sortKeys(member);
  }
  return sorted;
}
