import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('lets commands that do not read JumpCloud go without its key', () => {
    expect(resolveCommandConfig({}, J1).jumpcloudApiKey).toBeUndefined();
  });
});
