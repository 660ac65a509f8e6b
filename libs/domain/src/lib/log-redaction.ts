/**
 * What never reaches a log line, for every app's logger: one list, one place. The clients keep
 * keys out of their own messages; this is the second line, for a field that holds a secret
 * wherever it appears (a configuration object logged whole, a header map, an error's options).
 */

/** Field names whose value is a secret, compared without case, `-` or `_`. */
export const SECRET_FIELD_NAMES: readonly string[] = [
  'apiKey',
  'jumpcloudApiKey',
  'jupiteroneApiKey',
  'x-api-key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'token',
  'accessToken',
  'adminToken',
  'redisUrl',
  'WORKER_ADMIN_TOKEN',
  'JUMPCLOUD_API_KEY',
  'JUPITERONE_API_KEY',
];

export const REDACTED = '[REDACTED]';

const normalize = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
const SECRET_NAMES = new Set(SECRET_FIELD_NAMES.map(normalize));

/** `scheme://user:password@` in any string: the userinfo is replaced. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]*@/gi;

export function isSecretFieldName(name: string): boolean {
  return SECRET_NAMES.has(normalize(name));
}

/**
 * A copy of `value` with every secret field's value replaced by `[REDACTED]`, at any depth, and
 * the userinfo of URLs in strings removed. Errors become `{ type, message, code?, stack? }`
 * (their messages scrubbed too). Cycles are cut. For log lines: small objects, not graphs.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value, new WeakSet<object>(), 0) as T;
}

function walk(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return value.replace(URL_USERINFO, `$1${REDACTED}@`);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value) || depth > 12) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const error = value as Error & { code?: unknown };
    return {
      type: error.name,
      message: walk(error.message, seen, depth + 1),
      ...(error.code !== undefined ? { code: error.code } : {}),
      ...(error.stack !== undefined ? { stack: walk(error.stack, seen, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => walk(item, seen, depth + 1));
  if (value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretFieldName(key) && item !== undefined && item !== null ? REDACTED : walk(item, seen, depth + 1);
  }
  return copy;
}
