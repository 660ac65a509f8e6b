/** The JumpCloud object kinds whose source JSON becomes `_rawData`. */
export type RawDataKind = 'organization' | 'user' | 'group' | 'application' | 'system' | 'system_group' | 'policy';

// Key names compared without case, '-' or '_', so `apiKey`, `api_key`, `API-KEY` and `x-api-key`
// are all caught wherever they sit: an API key must never leave the mapper, whatever JumpCloud
// calls the field.
const NEVER_STORED_ANYWHERE = new Set(['apikey', 'apikeyhash', 'xapikey', 'password']);

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function dropsKey(kind: RawDataKind, key: string, includeSshKeys: boolean): boolean {
  const normalized = normalizeKey(key);
  if (NEVER_STORED_ANYWHERE.has(normalized)) return true;
  // Application config holds the SAML IdP private key, certificates and attribute values: none
  // of it is ever stored, so the whole subtree goes, at any depth.
  if (kind === 'application' && key === 'config') return true;
  // Users' SSH public keys (top-level `public_key` and `ssh_keys[].public_key`) are opt-in.
  if (kind === 'user' && !includeSshKeys && key === 'public_key') return true;
  return false;
}

function scrubValue(kind: RawDataKind, value: unknown, includeSshKeys: boolean): unknown {
  if (Array.isArray(value)) {
    // JSON has no undefined: an undefined array slot becomes null, as JSON.stringify would write it.
    return value.map((item: unknown) => (item === undefined ? null : scrubValue(kind, item, includeSshKeys)));
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    const source = value as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      const item = source[key];
      if (item === undefined || dropsKey(kind, key, includeSshKeys)) continue;
      copy[key] = scrubValue(kind, item, includeSshKeys);
    }
    return copy;
  }
  return value;
}

/**
 * Removes what docs/jupiterone.md "Never stored" lists from a raw source object (deep copy, input
 * untouched): application `config`, any `apiKeyHash` / `apiKey` / `api_key` / `x-api-key`, any
 * `password`, and users' `ssh_keys[].public_key` and `public_key` unless `includeSshKeys`.
 * Properties whose value is `undefined` are left out, so the result is plain JSON.
 */
export function scrubRawData(
  kind: RawDataKind,
  raw: Readonly<Record<string, unknown>>,
  options: { includeSshKeys: boolean },
): Record<string, unknown> {
  return scrubValue(kind, raw, options.includeSshKeys) as Record<string, unknown>;
}
