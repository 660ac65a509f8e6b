// container.ts loads tsyringe, which needs the reflect polyfill first (as main.ts does).
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSettingsOf } from '../container';
import { readConfigFile, resolveCommandConfig, resolveSyncConfig, UsageError } from './sync-config';

const KEY = { JUMPCLOUD_API_KEY: 'jc-key' };
const J1 = { JUPITERONE_API_KEY: 'j1-key', JUPITERONE_ACCOUNT: 'acct-1' };

function usage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('no usage error');
}

describe('resolveSyncConfig', () => {
  it('takes a flag over the environment, the environment over the file, the file over the default', () => {
    expect(resolveSyncConfig({ concurrency: '3' }, { ...KEY, JUMPCLOUD_CONCURRENCY: '5' }, { concurrency: 7 }).concurrency).toBe(3);
    expect(resolveSyncConfig({}, { ...KEY, JUMPCLOUD_CONCURRENCY: '5' }, { concurrency: 7 }).concurrency).toBe(5);
    expect(resolveSyncConfig({}, KEY, { concurrency: 7 }).concurrency).toBe(7);
    expect(resolveSyncConfig({}, KEY).concurrency).toBe(8);
  });

  it('names the flag or variable a bad or missing value came from', () => {
    expect(usage(() => resolveSyncConfig({}, {}))).toBe('--jumpcloud-api-key (or JUMPCLOUD_API_KEY) is required');
    expect(usage(() => resolveSyncConfig({}, { ...KEY, JUMPCLOUD_CONCURRENCY: 'many' }))).toBe('JUMPCLOUD_CONCURRENCY must be a number');
    expect(usage(() => resolveSyncConfig({ steps: 'users,nope' }, KEY))).toContain('--steps must be a comma-separated list of');
  });

  it('needs the JupiterOne key and account for --target jupiterone, and one of instance or scope', () => {
    expect(usage(() => resolveSyncConfig({ target: 'jupiterone' }, KEY))).toBe('--jupiterone-api-key (or JUPITERONE_API_KEY) is required for --target jupiterone');
    expect(usage(() => resolveSyncConfig({ target: 'jupiterone' }, { ...KEY, JUPITERONE_API_KEY: 'k' }))).toBe(
      '--jupiterone-account (or JUPITERONE_ACCOUNT) is required for --target jupiterone',
    );
    expect(usage(() => resolveSyncConfig({ target: 'jupiterone', scope: 's', integrationInstanceId: 'i' }, { ...KEY, ...J1 }))).toContain('cannot be combined');
    // the local target needs none of them
    expect(resolveSyncConfig({}, KEY).target).toBe('local');
  });

  it('resolves the JupiterOne host from the base URL, else the region, else the US', () => {
    const env = { ...KEY, ...J1, JUMPCLOUD_GRAPH_TARGET: 'jupiterone' };
    expect(resolveSyncConfig({}, env).jupiteroneBaseUrl).toBe('https://api.us.jupiterone.io');
    expect(resolveSyncConfig({ jupiteroneRegion: 'eu' }, env).jupiteroneBaseUrl).toBe('https://api.eu.jupiterone.io');
    expect(resolveSyncConfig({ jupiteroneRegion: 'eu' }, { ...env, JUPITERONE_API_BASE_URL: 'https://j1.example.com' }).jupiteroneBaseUrl).toBe('https://j1.example.com');
    expect(usage(() => resolveSyncConfig({ jupiteroneRegion: 'apac' }, env))).toBe('--jupiterone-region must be us or eu');
  });

  it('bounds the upload batch size and concurrency, with JupiterOne defaults', () => {
    const config = resolveSyncConfig({}, KEY);
    expect([config.uploadBatchBytes, config.uploadConcurrency, config.wait]).toEqual([5_000_000, 6, false]);
    expect(usage(() => resolveSyncConfig({ uploadBatchBytes: '100' }, KEY))).toBe('--upload-batch-bytes must be at least 10000');
    expect(usage(() => resolveSyncConfig({}, { ...KEY, JUPITERONE_UPLOAD_CONCURRENCY: '0' }))).toBe('JUPITERONE_UPLOAD_CONCURRENCY must be at least 1');
  });

  it('warns about keys given on the command line or written in the config file', () => {
    const warnings = resolveSyncConfig({ jumpcloudApiKey: 'k', jupiteroneApiKey: 'j' }, {}, {}).warnings;
    expect(warnings).toHaveLength(2);
    expect(warnings.join(' ')).toContain('prefer JUPITERONE_API_KEY');
    expect(resolveSyncConfig({}, {}, { jumpcloudApiKey: 'k' }).warnings[0]).toContain('config file holds a literal jumpcloudApiKey');
  });

  it('refuses http:// URLs that are not loopback unless --allow-insecure-http, and credentials in any URL', () => {
    const env = { ...KEY, ...J1, JUMPCLOUD_GRAPH_TARGET: 'jupiterone' };
    expect(usage(() => resolveSyncConfig({ jupiteroneBaseUrl: 'http://j1.example.com' }, env))).toMatch(/^--jupiterone-base-url: the JupiterOne base URL is http:\/\/ to j1\.example\.com/);
    expect(usage(() => resolveSyncConfig({}, { ...env, JUMPCLOUD_BASE_URL: 'http://jc.example.com' }))).toMatch(/^JUMPCLOUD_BASE_URL: the JumpCloud base URL is http:\/\//);
    expect(resolveSyncConfig({ jupiteroneBaseUrl: 'http://j1.example.com', allowInsecureHttp: true }, env).jupiteroneBaseUrl).toBe('http://j1.example.com');
    expect(resolveSyncConfig({ jupiteroneBaseUrl: 'http://127.0.0.1:4000' }, env).jupiteroneBaseUrl).toBe('http://127.0.0.1:4000');
    const withUserinfo = usage(() => resolveSyncConfig({ jupiteroneBaseUrl: 'https://me:hunter2@j1.example.com', allowInsecureHttp: true }, env));
    expect(withUserinfo).toMatch(/must not carry credentials/);
    expect(withUserinfo).not.toContain('hunter2');
  });

  it('refuses a config file key it does not know, naming the nearest one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcg-config-'));
    try {
      const path = join(dir, 'settings.yaml');
      writeFileSync(path, 'jumpcloudBaseUrl: https://console.eu.jumpcloud.com\nconcurency: 4\n');
      expect(usage(() => readConfigFile(path))).toBe(`--config: ${path} has an unknown key "concurency" (did you mean "concurrency"?)`);
      writeFileSync(path, 'somethingElse: 1\n');
      expect(usage(() => readConfigFile(path))).toBe(`--config: ${path} has an unknown key "somethingElse"`);
      writeFileSync(path, 'concurrency: 4\nsteps: [users]\n');
      expect(readConfigFile(path)).toEqual({ concurrency: 4, steps: ['users'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the sync mode and its tuning with their defaults: auto, 24h, 50, 30', () => {
    const config = resolveSyncConfig({}, KEY);
    expect([config.mode, config.fullEveryMs, config.maxUnresolved, config.lastLoginDays]).toEqual(['auto', 86_400_000, 50, 30]);
    const fromFlags = resolveSyncConfig({ mode: 'incremental', fullEvery: '6h', maxUnresolved: '0', lastLoginDays: '90' }, KEY);
    expect([fromFlags.mode, fromFlags.fullEveryMs, fromFlags.maxUnresolved, fromFlags.lastLoginDays]).toEqual(['incremental', 21_600_000, 0, 90]);
    const fromEnv = resolveSyncConfig(
      {},
      { ...KEY, JUMPCLOUD_SYNC_MODE: 'full', JUMPCLOUD_SYNC_FULL_EVERY: '30m', JUMPCLOUD_SYNC_MAX_UNRESOLVED: '7', JUMPCLOUD_LAST_LOGIN_DAYS: '1' },
    );
    expect([fromEnv.mode, fromEnv.fullEveryMs, fromEnv.maxUnresolved, fromEnv.lastLoginDays]).toEqual(['full', 1_800_000, 7, 1]);
    const fromFile = resolveSyncConfig({}, KEY, { mode: 'incremental', fullEvery: '2d', maxUnresolved: 500, lastLoginDays: 14 });
    expect([fromFile.mode, fromFile.fullEveryMs, fromFile.maxUnresolved, fromFile.lastLoginDays]).toEqual(['incremental', 172_800_000, 500, 14]);
    expect(resolveSyncConfig({ fullEvery: '80d' }, KEY).fullEveryMs).toBe(80 * 86_400_000);
    expect(resolveSyncConfig({ fullEvery: '90s' }, KEY).fullEveryMs).toBe(90_000);
  });

  it('names the flag, variable or config-file key of a bad mode, duration or count, in one line', () => {
    const messages = [
      usage(() => resolveSyncConfig({ mode: 'delta' }, KEY)),
      usage(() => resolveSyncConfig({}, { ...KEY, JUMPCLOUD_SYNC_MODE: 'Full' })),
      usage(() => resolveSyncConfig({}, KEY, { mode: 'sometimes' })),
      usage(() => resolveSyncConfig({ fullEvery: '24' }, KEY)),
      usage(() => resolveSyncConfig({ fullEvery: '1.5h' }, KEY)),
      usage(() => resolveSyncConfig({}, { ...KEY, JUMPCLOUD_SYNC_FULL_EVERY: '0h' })),
      usage(() => resolveSyncConfig({}, KEY, { fullEvery: '81d' })),
      usage(() => resolveSyncConfig({}, KEY, { fullEvery: 86_400 })),
      usage(() => resolveSyncConfig({ maxUnresolved: '-1' }, KEY)),
      usage(() => resolveSyncConfig({}, { ...KEY, JUMPCLOUD_SYNC_MAX_UNRESOLVED: 'lots' })),
      usage(() => resolveSyncConfig({}, KEY, { maxUnresolved: 2.5 })),
      usage(() => resolveSyncConfig({ lastLoginDays: '0' }, KEY)),
      usage(() => resolveSyncConfig({}, { ...KEY, JUMPCLOUD_LAST_LOGIN_DAYS: '91' })),
      usage(() => resolveSyncConfig({}, KEY, { lastLoginDays: 'month' })),
    ];
    expect(messages).toEqual([
      '--mode must be full, incremental or auto',
      'JUMPCLOUD_SYNC_MODE must be full, incremental or auto',
      'config file key mode must be full, incremental or auto',
      '--full-every must be a duration such as 30m, 6h, 24h or 2d (a whole number and its unit: s, m, h or d)',
      '--full-every must be a duration such as 30m, 6h, 24h or 2d (a whole number and its unit: s, m, h or d)',
      'JUMPCLOUD_SYNC_FULL_EVERY must be longer than 0',
      'config file key fullEvery must be at most 80d',
      'config file key fullEvery must be a duration such as 30m, 6h, 24h or 2d (a whole number and its unit: s, m, h or d)',
      '--max-unresolved must be at least 0',
      'JUMPCLOUD_SYNC_MAX_UNRESOLVED must be a number',
      'config file key maxUnresolved must be an integer',
      '--last-login-days must be at least 1',
      'JUMPCLOUD_LAST_LOGIN_DAYS must be at most 90',
      'config file key lastLoginDays must be a number',
    ]);
    expect(messages.filter((m) => m.includes('\n'))).toEqual([]);
  });

  it('refuses --mode incremental with --steps, and runs auto with --steps as full', () => {
    expect(usage(() => resolveSyncConfig({ mode: 'incremental', steps: 'users' }, KEY))).toBe('--mode incremental reads what changed, not selected steps');
    expect(usage(() => resolveSyncConfig({ steps: 'users' }, { ...KEY, JUMPCLOUD_SYNC_MODE: 'incremental' }))).toBe(
      '--mode incremental reads what changed, not selected steps (mode from JUMPCLOUD_SYNC_MODE, steps from --steps)',
    );
    expect(resolveSyncConfig({ steps: 'users' }, KEY).mode).toBe('full');
    expect(resolveSyncConfig({}, { ...KEY, JUMPCLOUD_SYNC_MODE: 'auto' }, { steps: ['users'] }).mode).toBe('full');
    expect(resolveSyncConfig({ steps: 'users', mode: 'full' }, KEY).mode).toBe('full');
  });

  it('refuses --mode incremental with --target jupiterone without an explicit --db (the state of incremental syncs), in one line', () => {
    const env = { ...KEY, ...J1, JUMPCLOUD_GRAPH_TARGET: 'jupiterone' };
    const NEEDS_DB = 'incremental with --target jupiterone needs --db: the local graph that keeps the state of incremental syncs';
    const messages = [
      usage(() => resolveSyncConfig({ mode: 'incremental' }, env)),
      usage(() => resolveSyncConfig({}, { ...env, JUMPCLOUD_SYNC_MODE: 'incremental' })),
      usage(() => resolveSyncConfig({}, env, { mode: 'incremental' })),
    ];
    expect(messages).toEqual([`--mode ${NEEDS_DB}`, `JUMPCLOUD_SYNC_MODE ${NEEDS_DB}`, `config file key mode ${NEEDS_DB}`]);
    expect(messages.filter((m) => m.includes('\n'))).toEqual([]);
    // auto is accepted without a database (it runs full)
    expect(resolveSyncConfig({}, env).mode).toBe('auto');
  });

  it('allows --mode incremental with --target jupiterone and an explicit --db, from the flag, the variable or the config file', () => {
    const env = { ...KEY, ...J1, JUMPCLOUD_GRAPH_TARGET: 'jupiterone' };
    expect(resolveSyncConfig({ mode: 'incremental', db: 'state.db' }, env)).toMatchObject({ mode: 'incremental', stateDb: 'state.db' });
    expect(resolveSyncConfig({ mode: 'incremental' }, { ...env, JUMPCLOUD_GRAPH_DB: 'env.db' })).toMatchObject({ mode: 'incremental', stateDb: 'env.db' });
    expect(resolveSyncConfig({}, { ...env, JUMPCLOUD_SYNC_MODE: 'incremental' }, { db: 'file.db' })).toMatchObject({ mode: 'incremental', stateDb: 'file.db' });
    // --rules stay refused: they run on the local target's graph
    expect(usage(() => resolveSyncConfig({ db: 'state.db', rules: 'rules.yaml' }, env))).toBe('--rules: alert rules need the local graph target (their state lives in its database)');
  });

  it('makes an explicit --db the stateDb of the JupiterOne target it builds, and the default one none', () => {
    const env = { ...KEY, ...J1, JUMPCLOUD_GRAPH_TARGET: 'jupiterone' };
    expect(runSettingsOf(resolveSyncConfig({ db: 'state.db' }, env)).target).toMatchObject({ type: 'jupiterone', stateDb: 'state.db' });
    expect(runSettingsOf(resolveSyncConfig({}, { ...env, JUMPCLOUD_GRAPH_DB: 'env.db' })).target).toMatchObject({ type: 'jupiterone', stateDb: 'env.db' });
    expect(runSettingsOf(resolveSyncConfig({}, env, { db: 'file.db' })).target).toMatchObject({ type: 'jupiterone', stateDb: 'file.db' });
    const withoutDb = resolveSyncConfig({}, env);
    expect(withoutDb.stateDb).toBeUndefined();
    expect(runSettingsOf(withoutDb).target).not.toHaveProperty('stateDb');
    // an empty variable is no value: the default, so no state
    expect(runSettingsOf(resolveSyncConfig({}, { ...env, JUMPCLOUD_GRAPH_DB: '' })).target).not.toHaveProperty('stateDb');
    // the local target keeps its db as its graph, with no stateDb
    const local = resolveSyncConfig({ db: 'graph.db' }, KEY);
    expect(local.stateDb).toBeUndefined();
    expect(runSettingsOf(local).target).toEqual({ type: 'local', db: 'graph.db' });
  });

  it('lets commands that do not read JumpCloud go without its key', () => {
    expect(resolveCommandConfig({}, J1).jumpcloudApiKey).toBeUndefined();
  });
});
