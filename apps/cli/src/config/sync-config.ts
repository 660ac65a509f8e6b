import { STEPS, type StepId } from '@jumpcloud-graph/graph-mapping';
import { checkSecretUrl, InsecureUrlError } from '@jumpcloud-graph/http-retry';
import { jupiterOneBaseUrl } from '@jumpcloud-graph/jupiterone-publisher';
import { ConfigFileError, durationMs, readConfigFile as readYamlConfig } from '@jumpcloud-graph/runtime';
import { z } from 'zod';

/** A configuration problem: one line naming the flag or variable; exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** The step ids, from the data-model registry (the one list of steps). */
const STEP_IDS = STEPS.map((step) => step.id) as [StepId, ...StepId[]];

/** Where each setting comes from: flag, environment variable, config file key. */
interface Source {
  flag: string;
  env?: string;
  file: string;
}

export const SOURCES = {
  jumpcloudApiKey: { flag: '--jumpcloud-api-key', env: 'JUMPCLOUD_API_KEY', file: 'jumpcloudApiKey' },
  jumpcloudOrgId: { flag: '--jumpcloud-org-id', env: 'JUMPCLOUD_ORG_ID', file: 'jumpcloudOrgId' },
  jumpcloudBaseUrl: { flag: '--jumpcloud-base-url', env: 'JUMPCLOUD_BASE_URL', file: 'jumpcloudBaseUrl' },
  target: { flag: '--target', env: 'JUMPCLOUD_GRAPH_TARGET', file: 'target' },
  db: { flag: '--db', env: 'JUMPCLOUD_GRAPH_DB', file: 'db' },
  accountName: { flag: '--account-name', env: 'JUMPCLOUD_ACCOUNT_NAME', file: 'accountName' },
  tagAccountName: { flag: '--tag-account-name', file: 'tagAccountName' },
  includeSshKeys: { flag: '--include-ssh-keys', file: 'includeSshKeys' },
  allowInsecureHttp: { flag: '--allow-insecure-http', file: 'allowInsecureHttp' },
  steps: { flag: '--steps', file: 'steps' },
  concurrency: { flag: '--concurrency', env: 'JUMPCLOUD_CONCURRENCY', file: 'concurrency' },
  logLevel: { flag: '--log-level', env: 'LOG_LEVEL', file: 'logLevel' },
  jupiteroneApiKey: { flag: '--jupiterone-api-key', env: 'JUPITERONE_API_KEY', file: 'jupiteroneApiKey' },
  jupiteroneAccount: { flag: '--jupiterone-account', env: 'JUPITERONE_ACCOUNT', file: 'jupiteroneAccount' },
  jupiteroneRegion: { flag: '--jupiterone-region', env: 'JUPITERONE_REGION', file: 'jupiteroneRegion' },
  jupiteroneBaseUrl: { flag: '--jupiterone-base-url', env: 'JUPITERONE_API_BASE_URL', file: 'jupiteroneBaseUrl' },
  integrationInstanceId: { flag: '--integration-instance-id', env: 'JUPITERONE_INTEGRATION_INSTANCE_ID', file: 'integrationInstanceId' },
  scope: { flag: '--scope', env: 'JUPITERONE_SYNC_SCOPE', file: 'scope' },
  wait: { flag: '--wait', file: 'wait' },
  uploadBatchBytes: { flag: '--upload-batch-bytes', env: 'JUPITERONE_UPLOAD_BATCH_BYTES', file: 'uploadBatchBytes' },
  uploadConcurrency: { flag: '--upload-concurrency', env: 'JUPITERONE_UPLOAD_CONCURRENCY', file: 'uploadConcurrency' },
  rules: { flag: '--rules', env: 'JUMPCLOUD_GRAPH_RULES', file: 'rules' },
  mode: { flag: '--mode', env: 'JUMPCLOUD_SYNC_MODE', file: 'mode' },
  fullEvery: { flag: '--full-every', env: 'JUMPCLOUD_SYNC_FULL_EVERY', file: 'fullEvery' },
  maxUnresolved: { flag: '--max-unresolved', env: 'JUMPCLOUD_SYNC_MAX_UNRESOLVED', file: 'maxUnresolved' },
  lastLoginDays: { flag: '--last-login-days', env: 'JUMPCLOUD_LAST_LOGIN_DAYS', file: 'lastLoginDays' },
} satisfies Record<string, Source>;

type Key = keyof typeof SOURCES;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** How a sync reads JumpCloud (docs/cli.md, "Full and incremental syncs"). */
export const SYNC_MODES = ['full', 'incremental', 'auto'] as const;

const boolish = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

const schema = z.object({
  jumpcloudApiKey: z.string().min(1, 'is required').optional(),
  jumpcloudOrgId: z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hexadecimal organization id').optional(),
  jumpcloudBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://console.jumpcloud.com'),
  target: z.enum(['local', 'jupiterone'], { error: 'must be local or jupiterone' }).default('local'),
  db: z.string().min(1).default('.jumpcloud-graph/graph.db'),
  accountName: z.string().min(1).optional(),
  tagAccountName: boolish.default(false),
  includeSshKeys: boolish.default(false),
  allowInsecureHttp: boolish.default(false),
  steps: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(z.array(z.enum(STEP_IDS, { error: `must be a comma-separated list of: ${STEP_IDS.join(', ')}` })).min(1, 'names no step'))
    .optional(),
  concurrency: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(64, 'must be at most 64').default(8),
  logLevel: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  jupiteroneApiKey: z.string().min(1, 'is empty').optional(),
  jupiteroneAccount: z.string().min(1, 'is empty').optional(),
  jupiteroneRegion: z.enum(['us', 'eu'], { error: 'must be us or eu' }).optional(),
  jupiteroneBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  integrationInstanceId: z.string().min(1, 'is empty').optional(),
  scope: z.string().min(1, 'is empty').max(500, 'is longer than 500 characters').optional(),
  wait: boolish.default(false),
  uploadBatchBytes: z.coerce
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(10_000, 'must be at least 10000')
    .max(50_000_000, 'must be at most 50000000')
    .default(5_000_000),
  uploadConcurrency: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(32, 'must be at most 32').default(6),
  rules: z.string().min(1, 'is empty').optional(),
  mode: z.enum(SYNC_MODES, { error: 'must be full, incremental or auto' }).default('auto'),
  /** Milliseconds (parsed from `24h`...). */
  fullEvery: durationMs.prefault('24h'),
  maxUnresolved: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0').default(50),
  lastLoginDays: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(90, 'must be at most 90').default(30),
});

type Parsed = z.infer<typeof schema>;

/** The settings of a command; `jumpcloudApiKey` is checked by the commands that read JumpCloud. */
export type CommandConfig = Omit<Parsed, 'jupiteroneBaseUrl' | 'fullEvery'> & {
  /** The JupiterOne API origin: `--jupiterone-base-url`, else the region's, else the US one. */
  jupiteroneBaseUrl: string;
  /** `--full-every` in milliseconds: `auto` runs a full sync when the last one is older. */
  fullEveryMs: number;
  warnings: string[];
  /** Console origin for webLink when it is not the base URL's (the demo's simulator has a random port). */
  consoleUrl?: string;
  /**
   * With `--target jupiterone`: the local graph that keeps the state of incremental syncs, the
   * `--db` given explicitly (flag, variable or config file key; never the default). Undefined
   * otherwise: the JupiterOne target then keeps no state (`auto` runs full).
   */
  stateDb?: string;
};

/** The settings of a sync: a JumpCloud key is required. */
export type SyncConfig = CommandConfig & { jumpcloudApiKey: string };

/** The keys a config file may hold: the settings' names in camelCase. */
export const CONFIG_FILE_KEYS: readonly string[] = Object.values(SOURCES).map((source: Source) => source.file);

/** The nearest known key to a misspelt one (edit distance at most 3), for the error message. */
function nearestKey(key: string): string | undefined {
  const distance = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i += 1) {
      const current = [i];
      for (let j = 1; j <= b.length; j += 1) {
        current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      }
      previous = current;
    }
    return previous[b.length];
  };
  let best: { key: string; d: number } | undefined;
  for (const candidate of CONFIG_FILE_KEYS) {
    const d = distance(key, candidate);
    if (d <= 3 && (best === undefined || d < best.d)) best = { key: candidate, d };
  }
  return best?.key;
}

/** Reads a YAML or JSON config file (JSON is YAML); a bad file, or a key it does not know, is a usage error. */
export function readConfigFile(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = readYamlConfig(path);
  } catch (error) {
    if (error instanceof ConfigFileError) throw new UsageError(`--config: ${error.message}`);
    throw error;
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--config: ${path} must hold an object of settings`);
  for (const key of Object.keys(parsed)) {
    if (!CONFIG_FILE_KEYS.includes(key)) {
      const near = nearestKey(key);
      throw new UsageError(`--config: ${path} has an unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  }
  return parsed as Record<string, unknown>;
}

/**
 * Resolves the sync configuration: flag > environment variable > config file > default, and
 * validates it once. Errors name the flag or the variable the bad value came from.
 */
export function resolveSyncConfig(
  flags: Partial<Record<Key, unknown>>,
  env: Record<string, string | undefined>,
  file: Record<string, unknown> = {},
): SyncConfig {
  const config = resolveCommandConfig(flags, env, file);
  if (config.jumpcloudApiKey === undefined) throw new UsageError(`${describe('jumpcloudApiKey')} is required`);
  return { ...config, jumpcloudApiKey: config.jumpcloudApiKey };
}

const describe = (key: Key): string => {
  const source: Source = SOURCES[key];
  return source.env ? `${source.flag} (or ${source.env})` : source.flag;
};

/**
 * Resolves a command's configuration: flag > environment variable > config file > default, and
 * validates it once. Errors name the flag or the variable the bad value came from.
 */
export function resolveCommandConfig(
  flags: Partial<Record<Key, unknown>>,
  env: Record<string, string | undefined>,
  file: Record<string, unknown> = {},
): CommandConfig {
  const merged: Record<string, unknown> = {};
  const origin: Partial<Record<Key, string>> = {};
  for (const key of Object.keys(SOURCES) as Key[]) {
    const source: Source = SOURCES[key];
    const fromEnv = source.env ? env[source.env] : undefined;
    if (flags[key] !== undefined) {
      merged[key] = flags[key];
      origin[key] = source.flag;
    } else if (fromEnv !== undefined && fromEnv !== '') {
      merged[key] = fromEnv;
      origin[key] = source.env;
    } else if (file[source.file] !== undefined) {
      merged[key] = file[source.file];
      origin[key] = `config file key ${source.file}`;
    }
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue.path[0] as Key;
    throw new UsageError(`${origin[key] ?? describe(key)} ${issue.message}`);
  }
  const data = result.data;
  if (data.target === 'jupiterone') {
    for (const key of ['jupiteroneApiKey', 'jupiteroneAccount'] as const) {
      if (data[key] === undefined) throw new UsageError(`${describe(key)} is required for --target jupiterone`);
    }
    if (data.integrationInstanceId !== undefined && data.scope !== undefined) {
      throw new UsageError(`${origin.scope ?? describe('scope')} cannot be combined with ${origin.integrationInstanceId ?? describe('integrationInstanceId')}: a job has an integration instance or a scope`);
    }
  }
  if (data.mode === 'incremental' && data.steps !== undefined) {
    const sources = origin.mode === SOURCES.mode.flag && origin.steps === SOURCES.steps.flag ? '' : ` (mode from ${origin.mode}, steps from ${origin.steps})`;
    throw new UsageError(`--mode incremental reads what changed, not selected steps${sources}`);
  }
  // An explicit --db (not its default) is the state of a JupiterOne target's incremental syncs.
  const stateDb = data.target === 'jupiterone' && origin.db !== undefined ? data.db : undefined;
  if (data.mode === 'incremental' && data.target === 'jupiterone' && stateDb === undefined) {
    throw new UsageError(`${origin.mode} incremental with --target jupiterone needs --db: the local graph that keeps the state of incremental syncs`);
  }
  if (data.rules !== undefined && data.target !== 'local') {
    throw new UsageError(`${origin.rules ?? describe('rules')}: alert rules need the local graph target (their state lives in its database)`);
  }
  const warnings: string[] = [];
  for (const [key, variable] of [['jumpcloudApiKey', 'JUMPCLOUD_API_KEY'], ['jupiteroneApiKey', 'JUPITERONE_API_KEY']] as const) {
    const source: Source = SOURCES[key];
    if (origin[key] === source.flag) {
      warnings.push(`the ${source.flag} value was given on the command line, where other users and shell history can see it; prefer ${variable}`);
    }
    if (typeof file[source.file] === 'string') warnings.push(`the config file holds a literal ${source.file}; prefer ${variable}`);
  }
  const jupiteroneBaseUrl = data.jupiteroneBaseUrl ?? jupiterOneBaseUrl(data.jupiteroneRegion ?? 'us');
  // The one rule for URLs the keys travel to: https, or loopback, or --allow-insecure-http; never user:password@.
  const checkUrl = (key: 'jumpcloudBaseUrl' | 'jupiteroneBaseUrl', value: string, what: string) => {
    try {
      checkSecretUrl(value, { what, allowInsecureHttp: data.allowInsecureHttp });
    } catch (error) {
      if (!(error instanceof InsecureUrlError)) throw error;
      throw new UsageError(`${origin[key] ?? describe(key)}: ${error.message}`);
    }
  };
  checkUrl('jumpcloudBaseUrl', data.jumpcloudBaseUrl, 'the JumpCloud base URL');
  if (data.target === 'jupiterone' || data.jupiteroneBaseUrl !== undefined) checkUrl('jupiteroneBaseUrl', jupiteroneBaseUrl, 'the JupiterOne base URL');
  const { fullEvery, ...rest } = data;
  // a selection of steps is a full run of those steps: auto never reads it incrementally
  const mode = data.steps !== undefined && data.mode === 'auto' ? 'full' : data.mode;
  return { ...rest, mode, fullEveryMs: fullEvery, jupiteroneBaseUrl, warnings, ...(stateDb !== undefined ? { stateDb } : {}) };
}
