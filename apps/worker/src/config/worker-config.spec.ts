import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkerConfig, resolveWorkerConfig, WorkerConfigError } from './worker-config';

const ENV = { ACME_KEY: 'jc-key', J1_KEY: 'j1-key', J1_ACCOUNT: 'acct' };
const instance = (overrides: Record<string, unknown> = {}) => ({
  id: 'acme',
  jumpcloud: { apiKeyEnv: 'ACME_KEY' },
  target: { type: 'local', db: '/tmp/acme.db' },
  ...overrides,
});

function error(parsed: unknown, env: Record<string, string> = ENV): string {
  try {
    resolveWorkerConfig(parsed, env, 'worker.yaml');
  } catch (e) {
    if (e instanceof WorkerConfigError) return e.message;
    throw e;
  }
  throw new Error('no configuration error');
}

describe('resolveWorkerConfig', () => {
  it('fills the defaults and reads the secrets from the environment', () => {
    const config = resolveWorkerConfig({ instances: [instance()] }, ENV);
    expect(config).toMatchObject({
      http: { host: '127.0.0.1', port: 8080 },
      concurrency: 1,
      queue: { name: 'jumpcloud-graph-sync', lockDurationMs: 30_000 },
      warnings: [],
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.instances[0]).toEqual({
      id: 'acme',
      tagAccountName: false,
      includeSshKeys: false,
      intervalSeconds: 86_400,
      jumpcloud: { apiKey: 'jc-key', baseUrl: 'https://console.jumpcloud.com', allowInsecureHttp: false, concurrency: 8 },
      target: { type: 'local', db: '/tmp/acme.db' },
    });
  });

  it("takes JupiterOne's polling intervals, intervalSeconds over them, and DISABLED as no schedule", () => {
    const intervals = resolveWorkerConfig(
      {
        instances: [
          instance({ id: 'a', pollingInterval: 'THIRTY_MINUTES' }),
          instance({ id: 'b', pollingInterval: 'ONE_WEEK', intervalSeconds: 90 }),
          instance({ id: 'c', pollingInterval: 'DISABLED', jumpcloud: { apiKeyEnv: 'ACME_KEY', orgId: null } }),
        ],
      },
      ENV,
    ).instances.map((i) => i.intervalSeconds);
    expect(intervals).toEqual([1800, 90, null]);
  });

  it('builds a JupiterOne target from its variables and region', () => {
    const [resolved] = resolveWorkerConfig(
      { redisUrl: 'redis://127.0.0.1:6379', instances: [instance({ target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', region: 'eu', integrationInstanceId: 'i-1' } })] },
      ENV,
    ).instances;
    expect(resolved.target).toEqual({ type: 'jupiterone', apiKey: 'j1-key', account: 'acct', baseUrl: 'https://api.eu.jupiterone.io', allowInsecureHttp: false, integrationInstanceId: 'i-1', wait: false });
  });

  it('names the file and the setting of a bad value, in one line', () => {
    expect(error({ instances: [] })).toBe('worker.yaml: instances must list at least one instance');
    expect(error({ instances: [instance({ pollingInterval: 'HOURLY' })] })).toMatch(/^worker.yaml: instances\[0\]\.pollingInterval must be one of DISABLED, /);
    expect(error({ instances: [instance({ target: { type: 'cloud' } })] })).toContain('instances[0].target');
    expect(error({ redisUrl: 'http://x', instances: [instance()] })).toBe('worker.yaml: redisUrl must be a redis:// or rediss:// URL');
    expect(error({ instances: [instance(), instance()] })).toBe('worker.yaml: instance id acme is used twice');
    expect(error({ instances: [instance({ surprise: true })] })).toContain('instances[0]');
  });

  it('requires each secret variable to be set, and warns about literal keys', () => {
    expect(error({ instances: [instance()] }, {})).toBe('instances[0] (acme).jumpcloud.apiKeyEnv: the environment variable ACME_KEY is not set');
    expect(error({ instances: [instance({ jumpcloud: {} })] })).toBe('instances[0] (acme).jumpcloud.apiKeyEnv is required');
    const config = resolveWorkerConfig({ instances: [instance({ jumpcloud: { apiKey: 'literal' } })] }, {});
    expect(config.instances[0].jumpcloud.apiKey).toBe('literal');
    expect(config.warnings).toEqual(['instances[0] (acme).jumpcloud.apiKey is written in the configuration file; prefer apiKeyEnv']);
  });
});

describe('URLs the keys travel to', () => {
  const j1 = (target: Record<string, unknown>) => instance({ target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', ...target } });

  it('refuses http:// to a host that is not loopback, unless allowed, for JumpCloud and JupiterOne alike', () => {
    expect(error({ instances: [j1({ baseUrl: 'http://j1.example.com' })] })).toMatch(/^instances\[0\] \(acme\)\.target\.baseUrl: the JupiterOne base URL is http:\/\/ to j1\.example\.com/);
    expect(error({ instances: [instance({ jumpcloud: { apiKeyEnv: 'ACME_KEY', baseUrl: 'http://jc.example.com' } })] })).toMatch(/jumpcloud\.baseUrl: the JumpCloud base URL is http:\/\//);
    const allowed = resolveWorkerConfig({ instances: [j1({ baseUrl: 'http://j1.example.com', allowInsecureHttp: true })] }, ENV);
    expect(allowed.instances[0].target).toMatchObject({ baseUrl: 'http://j1.example.com', allowInsecureHttp: true });
    expect(resolveWorkerConfig({ instances: [j1({ baseUrl: 'http://127.0.0.1:9000' })] }, ENV).instances[0].target).toMatchObject({ allowInsecureHttp: false });
  });

  it('refuses credentials in a URL, allowed or not, without echoing them', () => {
    const message = error({ instances: [j1({ baseUrl: 'https://user:hunter2@j1.example.com', allowInsecureHttp: true })] });
    expect(message).toMatch(/must not carry credentials/);
    expect(message).not.toContain('hunter2');
    expect(error({ instances: [instance({ jumpcloud: { apiKeyEnv: 'ACME_KEY', baseUrl: 'https://u:p@console.jumpcloud.com' } })] })).toMatch(/must not carry credentials/);
  });
});

describe('the configuration files shipped with the worker', () => {
  const folder = join(__dirname, '..', '..', 'config');
  const env = {
    ACME_JUMPCLOUD_API_KEY: 'k',
    GLOBEX_JUMPCLOUD_API_KEY: 'k',
    DEMO_JUMPCLOUD_API_KEY: 'k',
    JUPITERONE_API_KEY: 'k',
    JUPITERONE_ACCOUNT: 'a',
  };
  it.each(readdirSync(folder).filter((name) => name.endsWith('.yaml')))('%s is valid', (name) => {
    expect(loadWorkerConfig(join(folder, name), env).instances.length).toBeGreaterThan(0);
  });
});
