import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlertRulesError } from '@jumpcloud-graph/alerting';
import { builtInQuestions, type Question } from '@jumpcloud-graph/graph-query';
import { checkSecretUrl, InsecureUrlError } from '@jumpcloud-graph/http-retry';
import { type SyncModeOption } from '@jumpcloud-graph/ingestion-core';
import { jupiterOneBaseUrl } from '@jumpcloud-graph/jupiterone-publisher';
import {
  ConfigFileError,
  durationMs,
  type JumpCloudSettings,
  type JupiterOneTargetSettings,
  loadAlertRules,
  type LoadedAlertRules,
  type LocalTargetSettings,
  readConfigFile,
} from '@jumpcloud-graph/runtime';
import { z } from 'zod';

/** A bad worker configuration: one line naming the file and the setting; exit code 2. */
export class WorkerConfigError extends Error {
  readonly exitCode = 2;
}

/** JupiterOne's polling intervals, in seconds (null: no scheduled runs, only triggered ones). */
export const POLLING_INTERVALS = {
  DISABLED: null,
  THIRTY_MINUTES: 30 * 60,
  ONE_HOUR: 60 * 60,
  FOUR_HOURS: 4 * 60 * 60,
  EIGHT_HOURS: 8 * 60 * 60,
  TWELVE_HOURS: 12 * 60 * 60,
  ONE_DAY: 24 * 60 * 60,
  ONE_WEEK: 7 * 24 * 60 * 60,
} as const;

type PollingInterval = keyof typeof POLLING_INTERVALS;
const POLLING_NAMES = Object.keys(POLLING_INTERVALS) as [PollingInterval, ...PollingInterval[]];

/** How a run reads JumpCloud (docs/cli.md, "Full and incremental syncs"). */
const SYNC_MODES = ['full', 'incremental', 'auto'] as const;
const modeSchema = z.enum(SYNC_MODES, { error: 'must be full, incremental or auto' });
const maxUnresolvedSchema = z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0');
const lastLoginDaysSchema = z.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(90, 'must be at most 90');

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const jumpcloudSchema = z
  .object({
    apiKeyEnv: envName.optional(),
    apiKey: z.string().min(1).optional(),
    orgId: z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hexadecimal organization id').nullable().optional(),
    baseUrl: httpUrl.default('https://console.jumpcloud.com'),
    allowInsecureHttp: z.boolean().default(false),
    concurrency: z.number().int().min(1).max(64).default(8),
    /** The key's budget across every replica (distributed mode): requests a second, and in flight. */
    requestsPerSecond: z.number().int().min(1).max(1000).default(20),
    maxInFlight: z.number().int().min(1).max(64).default(8),
    /** Runs of this key at once across every replica (fairness between the organizations of one key). */
    maxConcurrentRunsPerKey: z.number().int().min(1).max(64).default(2),
  })
  .strict();

/** The placeholder of a multi-tenant instance's per-organization target names. */
export const ORG_ID_PLACEHOLDER = '{orgId}';

const localTarget = z.object({ type: z.literal('local'), db: z.string().min(1) }).strict();
const jupiteroneTarget = z
  .object({
    type: z.literal('jupiterone'),
    accountEnv: envName.optional(),
    account: z.string().min(1).optional(),
    apiKeyEnv: envName.optional(),
    apiKey: z.string().min(1).optional(),
    region: z.enum(['us', 'eu']).default('us'),
    baseUrl: httpUrl.optional(),
    allowInsecureHttp: z.boolean().default(false),
    integrationInstanceId: z.string().min(1).optional(),
    scope: z.string().min(1).max(500).optional(),
    wait: z.boolean().default(false),
    /** The local graph that keeps the state of incremental syncs (without it: no state, `auto` runs full). */
    stateDb: z.string().min(1).optional(),
  })
  .strict();

const instanceSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"'),
    accountName: z.string().min(1).optional(),
    description: z.string().optional(),
    tagAccountName: z.boolean().default(false),
    pollingInterval: z.enum(POLLING_NAMES, { error: `must be one of ${POLLING_NAMES.join(', ')}` }).default('ONE_DAY'),
    intervalSeconds: z.number().int().min(1).optional(),
    includeSshKeys: z.boolean().default(false),
    /** `all`: one run per organization the key lists, each with its own target (a multi-tenant key). */
    organizations: z
      .union([z.literal('all'), z.array(z.string().regex(/^[0-9a-f]{24}$/i)).min(1)], { error: 'must be "all" or a list of 24-character hexadecimal organization ids (or left out)' })
      .optional(),
    discoveryIntervalSeconds: z.number().int().min(1).default(3600),
    removeAfterMissingRuns: z.number().int().min(1).max(1000).default(3),
    jumpcloud: jumpcloudSchema,
    /** This instance's alert rules file, winning over the top-level one; null: none for this instance. */
    rules: z.string().min(1).nullable().optional(),
    /** This instance's sync mode and its tuning, winning over the top-level ones. */
    mode: modeSchema.optional(),
    fullEvery: durationMs.optional(),
    maxUnresolved: maxUnresolvedSchema.optional(),
    lastLoginDays: lastLoginDaysSchema.optional(),
    target: z.discriminatedUnion('type', [localTarget, jupiteroneTarget], { error: 'must be {"type":"local",...} or {"type":"jupiterone",...}' }),
  })
  .strict();

const schema = z
  .object({
    http: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8080) })
      .strict()
      .default({ host: '127.0.0.1', port: 8080 }),
    redisUrl: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    concurrency: z.number().int().min(1).max(64).default(1),
    /** Distributed mode only: how long a run's claim lasts without renewal, and how often stalled runs are looked for. */
    queue: z
      .object({
        name: z.string().regex(/^[A-Za-z0-9_-]+$/).default('jumpcloud-graph-sync'),
        lockDurationMs: z.number().int().min(1000).default(30_000),
        stalledIntervalMs: z.number().int().min(500).default(30_000),
        retryDelayMs: z.number().int().min(100).default(30_000),
      })
      .strict()
      .default({ name: 'jumpcloud-graph-sync', lockDurationMs: 30_000, stalledIntervalMs: 30_000, retryDelayMs: 30_000 }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The web console at /console/ (behind WORKER_VIEWER_TOKEN or WORKER_ADMIN_TOKEN). */
    console: z.boolean().default(true),
    /** An alert rules file for every instance with a local target (an instance's own `rules` wins). */
    rules: z.string().min(1).optional(),
    /** The sync mode and its tuning of every instance (an instance's own keys win). */
    mode: modeSchema.default('auto'),
    fullEvery: durationMs.prefault('24h'),
    maxUnresolved: maxUnresolvedSchema.default(50),
    lastLoginDays: lastLoginDaysSchema.default(30),
    instances: z.array(instanceSchema).min(1, 'must list at least one instance'),
  })
  .strict();

/** The schema of the configuration file (its docs are checked against it). */
export const WORKER_CONFIG_SCHEMA = schema;

type RawInstance = z.infer<typeof instanceSchema>;

/** An instance's alert rules (docs/alerts.md): parsed and checked at start-up, with the signing secrets they name. */
export type InstanceRules = LoadedAlertRules;

/** The questions a rule may name (`question: <id>`), or a loader called only when some rules file is read. */
export type QuestionSource = readonly Question[] | (() => readonly Question[]);

/** One instance, its secrets read from the environment. */
export interface InstanceConfig {
  id: string;
  accountName?: string;
  description?: string;
  tagAccountName: boolean;
  includeSshKeys: boolean;
  /** Seconds between scheduled runs; null: runs only when triggered. */
  intervalSeconds: number | null;
  jumpcloud: JumpCloudSettings;
  /**
   * The key's request budget shared by every replica on Redis (distributed mode only): instances
   * sharing one key share one budget, the strictest settings winning.
   */
  budget: { requestsPerSecond: number; maxInFlight: number; maxConcurrentRuns: number };
  /**
   * A multi-tenant instance (`organizations: all`, or a list of ids): the organizations its key
   * lists (those of the list only, with `only`) are read again every `discoveryIntervalSeconds`,
   * and each runs on its own, with `{orgId}` in its target replaced (see `organizationUnit`). One
   * missing from `removeAfterMissingRuns` discoveries in a row is uninstalled.
   */
  tenants?: { discoveryIntervalSeconds: number; removeAfterMissingRuns: number; only?: string[] };
  /** The organization this configuration runs (a unit of a multi-tenant instance, never in the file). */
  organization?: { id: string; name: string };
  /** The run's target, as the runtime takes it (the worker keeps JupiterOne's upload defaults). */
  target: LocalTargetSettings | Omit<JupiterOneTargetSettings, 'uploadBatchBytes' | 'uploadConcurrency'>;
  /** Alert rules evaluated after each successful or partial run (local targets only). */
  rules?: InstanceRules;
  /** How each run reads JumpCloud: full, incremental or auto. */
  mode: SyncModeOption;
  /** `auto` runs a full sync when the last one is older than this, in milliseconds. */
  fullEveryMs: number;
  /** More unresolved Directory Insights events than this make an incremental run a full one. */
  maxUnresolved: number;
  /** Days of logins a full sync without a previous watermark reads. */
  lastLoginDays: number;
}

export interface WorkerConfig {
  http: { host: string; port: number };
  redisUrl?: string;
  concurrency: number;
  queue: { name: string; lockDurationMs: number; stalledIntervalMs: number; retryDelayMs: number };
  logLevel: string;
  /** Serve the web console (docs/console.md) on the HTTP server. */
  console: boolean;
  instances: InstanceConfig[];
  /** Secrets found written in the file, and the like: logged at start-up. */
  warnings: string[];
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/**
 * A secret from `<name>Env` (an environment variable) or, with a warning, a literal `<name>`.
 * Exactly one of the two must be given.
 */
function secret(
  where: string,
  name: string,
  fromEnv: string | undefined,
  literal: string | undefined,
  env: Record<string, string | undefined>,
  warnings: string[],
): string {
  if (fromEnv !== undefined && literal !== undefined) throw new WorkerConfigError(`${where}: give ${name}Env or ${name}, not both`);
  if (literal !== undefined) {
    warnings.push(`${where}.${name} is written in the configuration file; prefer ${name}Env`);
    return literal;
  }
  if (fromEnv === undefined) throw new WorkerConfigError(`${where}.${name}Env is required`);
  const value = env[fromEnv];
  if (value === undefined || value === '') throw new WorkerConfigError(`${where}.${name}Env: the environment variable ${fromEnv} is not set`);
  return value;
}

/** The one rule for URLs a key travels to: https, or loopback, or allowInsecureHttp; never user:password@. */
function checkUrl(where: string, url: string, what: string, allowInsecureHttp: boolean): void {
  try {
    checkSecretUrl(url, { what, allowInsecureHttp });
  } catch (error) {
    if (!(error instanceof InsecureUrlError)) throw error;
    throw new WorkerConfigError(`${where}: ${error.message}`);
  }
}

/**
 * Reads and checks a rules file, and the signing secrets its webhooks name: a file that cannot be
 * read or parsed (an unknown question, a query outside the subset, a webhook URL that is not
 * https) or a `secretEnv` whose variable is unset is a configuration error naming `where`.
 */
function loadRules(where: string, file: string, env: Record<string, string | undefined>, questions: () => readonly Question[]): InstanceRules {
  try {
    return loadAlertRules(file, env, questions());
  } catch (error) {
    if (error instanceof AlertRulesError) throw new WorkerConfigError(`${where}: ${error.message}`);
    throw error;
  }
}

/** Rules files, each read once however many instances name it. */
type RulesLoader = (where: string, file: string) => InstanceRules;

/**
 * An instance's rules: its own `rules` (a file, or null for none), else the top-level ones, which
 * apply to local targets only. Rules run on the local graph, so an instance that names a rules
 * file of its own with a JupiterOne target is an error.
 */
function rulesOf(raw: RawInstance, where: string, topLevel: InstanceRules | undefined, load: RulesLoader): InstanceRules | undefined {
  if (raw.rules === null) return undefined;
  if (raw.rules === undefined) return raw.target.type === 'local' ? topLevel : undefined;
  if (raw.target.type !== 'local') throw new WorkerConfigError(`${where}.rules: alert rules run on the local graph; an instance with a ${raw.target.type} target cannot have them`);
  return load(`${where}.rules`, raw.rules);
}

/** The sync settings every instance takes unless it has its own. */
interface SyncDefaults {
  mode: SyncModeOption;
  fullEveryMs: number;
  maxUnresolved: number;
  lastLoginDays: number;
}

/**
 * An instance's mode and tuning: its own keys, else the top-level ones. Incremental runs keep
 * their state in a local graph: the target's own, or a JupiterOne target's `stateDb`; so
 * `incremental` with a JupiterOne target without `stateDb` is an error (`auto` is fine: it runs
 * full there).
 */
function syncSettingsOf(raw: RawInstance, where: string, defaults: SyncDefaults): SyncDefaults {
  const mode = raw.mode ?? defaults.mode;
  if (mode === 'incremental' && raw.target.type === 'jupiterone' && raw.target.stateDb === undefined) {
    const from = raw.mode === undefined ? ' (the top-level mode)' : '';
    throw new WorkerConfigError(
      `${where}.mode: incremental${from} with a jupiterone target needs target.stateDb (the local graph that keeps the state of incremental syncs); without it, use mode full or auto (which runs full)`,
    );
  }
  return {
    mode,
    fullEveryMs: raw.fullEvery ?? defaults.fullEveryMs,
    maxUnresolved: raw.maxUnresolved ?? defaults.maxUnresolved,
    lastLoginDays: raw.lastLoginDays ?? defaults.lastLoginDays,
  };
}

/**
 * A multi-tenant instance's settings, after checking that each organization gets its own target:
 * `{orgId}` in a local target's `db` (and a JupiterOne target's `stateDb`, and its `scope` when
 * one is given; without one, each organization has its default scope `jumpcloud-graph:<orgId>`).
 * `{orgId}` anywhere in an instance that is not multi-tenant is an error too: it would never be
 * replaced.
 */
function tenantsOf(raw: RawInstance, where: string): InstanceConfig['tenants'] {
  const t = raw.target;
  const named: Array<[string, string | undefined]> =
    t.type === 'local' ? [['target.db', t.db]] : [['target.scope', t.scope], ['target.stateDb', t.stateDb]];
  if (raw.organizations === undefined) {
    for (const [key, value] of named) {
      if (value?.includes(ORG_ID_PLACEHOLDER)) throw new WorkerConfigError(`${where}.${key}: ${ORG_ID_PLACEHOLDER} is replaced only with organizations (all or a list)`);
    }
    return undefined;
  }
  if (raw.jumpcloud.orgId) throw new WorkerConfigError(`${where}.jumpcloud.orgId: organizations: all runs every organization the key lists; remove orgId`);
  if (t.type === 'jupiterone' && t.integrationInstanceId !== undefined) {
    throw new WorkerConfigError(`${where}.target.integrationInstanceId: organizations: all publishes each organization under its own scope; use scope with ${ORG_ID_PLACEHOLDER}, or neither`);
  }
  for (const [key, value] of named) {
    if (value !== undefined && !value.includes(ORG_ID_PLACEHOLDER)) {
      throw new WorkerConfigError(`${where}.${key}: must contain ${ORG_ID_PLACEHOLDER} with organizations: all (each organization has its own ${key === 'target.scope' ? 'scope' : 'database'})`);
    }
  }
  const tenants = { discoveryIntervalSeconds: raw.discoveryIntervalSeconds, removeAfterMissingRuns: raw.removeAfterMissingRuns };
  return raw.organizations === 'all' ? tenants : { ...tenants, only: [...new Set(raw.organizations.map((id) => id.toLowerCase()))] };
}

function resolveInstance(
  raw: RawInstance,
  index: number,
  env: Record<string, string | undefined>,
  warnings: string[],
  rules: (raw: RawInstance, where: string) => InstanceRules | undefined,
  defaults: SyncDefaults,
): InstanceConfig {
  const where = `instances[${index}] (${raw.id})`;
  const sync = syncSettingsOf(raw, where, defaults);
  checkUrl(`${where}.jumpcloud.baseUrl`, raw.jumpcloud.baseUrl, 'the JumpCloud base URL', raw.jumpcloud.allowInsecureHttp);
  const intervalSeconds = raw.intervalSeconds ?? POLLING_INTERVALS[raw.pollingInterval];
  const jumpcloud = {
    apiKey: secret(`${where}.jumpcloud`, 'apiKey', raw.jumpcloud.apiKeyEnv, raw.jumpcloud.apiKey, env, warnings),
    ...(raw.jumpcloud.orgId ? { orgId: raw.jumpcloud.orgId } : {}),
    baseUrl: raw.jumpcloud.baseUrl,
    allowInsecureHttp: raw.jumpcloud.allowInsecureHttp,
    concurrency: raw.jumpcloud.concurrency,
  };
  const budget = {
    requestsPerSecond: raw.jumpcloud.requestsPerSecond,
    maxInFlight: raw.jumpcloud.maxInFlight,
    maxConcurrentRuns: raw.jumpcloud.maxConcurrentRunsPerKey,
  };
  const tenants = tenantsOf(raw, where);
  const t = raw.target;
  if (t.type === 'local') {
    const instanceRules = rules(raw, where);
    return {
      ...common(raw, intervalSeconds, tenants),
      ...sync,
      jumpcloud,
      budget,
      target: t,
      ...(instanceRules ? { rules: instanceRules } : {}),
    };
  }
  rules(raw, where);
  if (t.integrationInstanceId !== undefined && t.scope !== undefined) {
    throw new WorkerConfigError(`${where}.target: give integrationInstanceId or scope, not both`);
  }
  const baseUrl = t.baseUrl ?? jupiterOneBaseUrl(t.region);
  checkUrl(`${where}.target.baseUrl`, baseUrl, 'the JupiterOne base URL', t.allowInsecureHttp);
  return {
    ...common(raw, intervalSeconds, tenants),
    ...sync,
    jumpcloud,
    budget,
    target: {
      type: 'jupiterone',
      apiKey: secret(`${where}.target`, 'apiKey', t.apiKeyEnv, t.apiKey, env, warnings),
      account: secret(`${where}.target`, 'account', t.accountEnv, t.account, env, []),
      baseUrl,
      allowInsecureHttp: t.allowInsecureHttp,
      ...(t.integrationInstanceId !== undefined ? { integrationInstanceId: t.integrationInstanceId } : {}),
      ...(t.scope !== undefined ? { scope: t.scope } : {}),
      wait: t.wait,
      ...(t.stateDb !== undefined ? { stateDb: t.stateDb } : {}),
    },
  };
}

function common(raw: RawInstance, intervalSeconds: number | null, tenants: InstanceConfig['tenants']) {
  return {
    id: raw.id,
    ...(tenants ? { tenants } : {}),
    ...(raw.accountName !== undefined ? { accountName: raw.accountName } : {}),
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    tagAccountName: raw.tagAccountName,
    includeSshKeys: raw.includeSshKeys,
    intervalSeconds,
  };
}

/**
 * Validates a parsed configuration and reads its secrets from `env` and its rules files.
 * `questions` are those a rule may name; a loader is called only when a rules file is read.
 */
export function resolveWorkerConfig(parsed: unknown, env: Record<string, string | undefined>, source = 'configuration', questions: QuestionSource = []): WorkerConfig {
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = pathOf(issue.path);
    throw new WorkerConfigError(`${source}: ${at === '' ? '' : `${at} `}${issue.message}`);
  }
  const data = result.data;
  const seen = new Set<string>();
  for (const instance of data.instances) {
    if (seen.has(instance.id)) throw new WorkerConfigError(`${source}: instance id ${instance.id} is used twice`);
    seen.add(instance.id);
  }
  const warnings: string[] = [];
  let loadedQuestions: readonly Question[] | undefined;
  const questionsNow = () => (loadedQuestions ??= typeof questions === 'function' ? questions() : questions);
  const files = new Map<string, InstanceRules>();
  const load: RulesLoader = (where, file) => {
    const loaded = files.get(file) ?? loadRules(where, file, env, questionsNow);
    files.set(file, loaded);
    return loaded;
  };
  // Read even when every instance overrides it: a broken file is found at start-up, not later.
  const topLevel = data.rules === undefined ? undefined : load('rules', data.rules);
  const defaults: SyncDefaults = { mode: data.mode, fullEveryMs: data.fullEvery, maxUnresolved: data.maxUnresolved, lastLoginDays: data.lastLoginDays };
  const instances = data.instances.map((raw, i) => resolveInstance(raw, i, env, warnings, (r, where) => rulesOf(r, where, topLevel, load), defaults));
  return {
    http: data.http,
    ...(data.redisUrl !== undefined ? { redisUrl: data.redisUrl } : {}),
    concurrency: data.concurrency,
    queue: data.queue,
    logLevel: data.logLevel,
    console: data.console,
    instances,
    warnings,
  };
}

/**
 * The built-in questions, shipped beside the bundle (dist/apps/worker/questions, see the build's
 * assets). Run from source (the specs), there is no such folder: the library finds its own.
 */
export function loadBuiltInQuestions(): Question[] {
  const shipped = join(__dirname, 'questions');
  return builtInQuestions(existsSync(shipped) ? shipped : undefined);
}

/** Reads the YAML or JSON file `path` and resolves it; rules may name the built-in questions. */
export function loadWorkerConfig(path: string, env: Record<string, string | undefined>, questions: QuestionSource = loadBuiltInQuestions): WorkerConfig {
  let parsed: unknown;
  try {
    parsed = readConfigFile(path);
  } catch (error) {
    if (error instanceof ConfigFileError) throw new WorkerConfigError(error.reason === 'unreadable' ? `cannot read the configuration file ${path}: ${error.message.replace(`cannot read ${path}: `, '')}` : error.message);
    throw error;
  }
  return resolveWorkerConfig(parsed, env, path, questions);
}
