import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuestions } from '@jumpcloud-graph/graph-query';
import { loadBuiltInQuestions, loadWorkerConfig, resolveWorkerConfig, WorkerConfigError } from './worker-config';

const ENV = { ACME_KEY: 'jc-key', J1_KEY: 'j1-key', J1_ACCOUNT: 'acct' };
const instance = (overrides: Record<string, unknown> = {}) => ({
  id: 'acme',
  jumpcloud: { apiKeyEnv: 'ACME_KEY' },
  target: { type: 'local', db: '/tmp/acme.db' },
  ...overrides,
});

function error(parsed: unknown, env: Record<string, string> = ENV, questions: Parameters<typeof resolveWorkerConfig>[3] = []): string {
  try {
    resolveWorkerConfig(parsed, env, 'worker.yaml', questions);
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
      mode: 'auto',
      fullEveryMs: 86_400_000,
      maxUnresolved: 50,
      lastLoginDays: 30,
      jumpcloud: { apiKey: 'jc-key', baseUrl: 'https://console.jumpcloud.com', allowInsecureHttp: false, concurrency: 8 },
      budget: { requestsPerSecond: 20, maxInFlight: 8, maxConcurrentRuns: 2 },
      target: { type: 'local', db: '/tmp/acme.db' },
    });
  });

  it('takes a multi-tenant instance: organizations all with {orgId} in its target, its discovery settings and its key\'s run cap', () => {
    const [local, j1, j1Scoped] = resolveWorkerConfig(
      {
        instances: [
          instance({ id: 'msp', organizations: 'all', target: { type: 'local', db: '/data/msp-{orgId}.db' }, jumpcloud: { apiKeyEnv: 'ACME_KEY', maxConcurrentRunsPerKey: 3 } }),
          instance({ id: 'j1', organizations: 'all', discoveryIntervalSeconds: 600, removeAfterMissingRuns: 5, target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT' } }),
          instance({ id: 'j1s', organizations: 'all', target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', scope: 'msp:{orgId}', stateDb: '/data/{orgId}.state.db' } }),
        ],
      },
      ENV,
    ).instances;
    expect(local).toMatchObject({ tenants: { discoveryIntervalSeconds: 3600, removeAfterMissingRuns: 3 }, budget: { maxConcurrentRuns: 3 }, target: { db: '/data/msp-{orgId}.db' } });
    expect(local.jumpcloud.orgId).toBeUndefined();
    expect(j1.tenants).toEqual({ discoveryIntervalSeconds: 600, removeAfterMissingRuns: 5 });
    const listed = resolveWorkerConfig(
      { instances: [instance({ id: 'two', organizations: ['5F0000000000000000000001', '5f0000000000000000000002'], target: { type: 'local', db: '/data/{orgId}.db' } })] },
      ENV,
    ).instances[0];
    expect(listed.tenants).toEqual({ discoveryIntervalSeconds: 3600, removeAfterMissingRuns: 3, only: ['5f0000000000000000000001', '5f0000000000000000000002'] });
    expect(j1Scoped.target).toMatchObject({ scope: 'msp:{orgId}', stateDb: '/data/{orgId}.state.db' });
  });

  it('refuses a multi-tenant instance whose organizations would share a target, or that names one organization, in one line', () => {
    const msp = (overrides: Record<string, unknown>) => ({ instances: [instance({ id: 'msp', organizations: 'all', ...overrides })] });
    expect(error(msp({}))).toBe('instances[0] (msp).target.db: must contain {orgId} with organizations: all (each organization has its own database)');
    expect(error(msp({ target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', scope: 'msp' } }))).toBe(
      'instances[0] (msp).target.scope: must contain {orgId} with organizations: all (each organization has its own scope)',
    );
    expect(error(msp({ target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', stateDb: '/data/state.db' } }))).toContain('(msp).target.stateDb: must contain {orgId}');
    expect(error(msp({ target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', integrationInstanceId: 'x' } }))).toContain('(msp).target.integrationInstanceId: organizations: all publishes each organization under its own scope');
    expect(error(msp({ target: { type: 'local', db: '/d/{orgId}.db' }, jumpcloud: { apiKeyEnv: 'ACME_KEY', orgId: '5f0000000000000000000001' } }))).toBe(
      'instances[0] (msp).jumpcloud.orgId: organizations: all runs every organization the key lists; remove orgId',
    );
    // {orgId} is replaced only for organizations: all
    expect(error({ instances: [instance({ target: { type: 'local', db: '/d/{orgId}.db' } })] })).toBe('instances[0] (acme).target.db: {orgId} is replaced only with organizations (all or a list)');
    expect(error(msp({ organizations: 'some' }))).toBe('worker.yaml: instances[0].organizations must be "all" or a list of 24-character hexadecimal organization ids (or left out)');
    expect(error(msp({ organizations: ['not-an-id'] }))).toContain('instances[0].organizations');
    expect(error(msp({ organizations: [] }))).toContain('instances[0].organizations');
    expect(error(msp({ removeAfterMissingRuns: 0, target: { type: 'local', db: '/d/{orgId}.db' } }))).toContain('instances[0].removeAfterMissingRuns');
    expect(error({ instances: [instance({ jumpcloud: { apiKeyEnv: 'ACME_KEY', maxConcurrentRunsPerKey: 0 } })] })).toContain('instances[0].jumpcloud.maxConcurrentRunsPerKey');
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

describe('the sync mode and its tuning', () => {
  const j1 = (extra: Record<string, unknown> = {}) => instance({ id: 'j1', target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT' }, ...extra });
  const sync = (i: { mode: string; fullEveryMs: number; maxUnresolved: number; lastLoginDays: number }) => [i.mode, i.fullEveryMs, i.maxUnresolved, i.lastLoginDays];

  it("takes the top-level mode, fullEvery, maxUnresolved and lastLoginDays, an instance's own winning", () => {
    const config = resolveWorkerConfig(
      {
        mode: 'incremental',
        fullEvery: '6h',
        maxUnresolved: 10,
        lastLoginDays: 7,
        instances: [instance(), instance({ id: 'own', mode: 'full', fullEvery: '2d', maxUnresolved: 0, lastLoginDays: 90 }), j1({ mode: 'auto', fullEvery: '30m' })],
      },
      ENV,
    );
    expect(config.instances.map(sync)).toEqual([
      ['incremental', 21_600_000, 10, 7],
      ['full', 172_800_000, 0, 90],
      ['auto', 1_800_000, 10, 7],
    ]);
    expect(resolveWorkerConfig({ instances: [instance({ fullEvery: '80d' })] }, ENV).instances[0].fullEveryMs).toBe(80 * 86_400_000);
  });

  it('names the setting of a bad mode, duration or count, in one line', () => {
    const messages = [
      error({ mode: 'delta', instances: [instance()] }),
      error({ instances: [instance({ mode: 'sometimes' })] }),
      error({ fullEvery: '24', instances: [instance()] }),
      error({ instances: [instance({ fullEvery: 86_400 })] }),
      error({ instances: [instance({ fullEvery: '0m' })] }),
      error({ fullEvery: '81d', instances: [instance()] }),
      error({ maxUnresolved: -1, instances: [instance()] }),
      error({ instances: [instance({ maxUnresolved: '5' })] }),
      error({ lastLoginDays: 0, instances: [instance()] }),
      error({ instances: [instance({ lastLoginDays: 91 })] }),
      error({ instances: [instance({ lastLoginDays: 1.5 })] }),
    ];
    const DURATION = 'must be a duration such as 30m, 6h, 24h or 2d (a whole number and its unit: s, m, h or d)';
    expect(messages).toEqual([
      'worker.yaml: mode must be full, incremental or auto',
      'worker.yaml: instances[0].mode must be full, incremental or auto',
      `worker.yaml: fullEvery ${DURATION}`,
      `worker.yaml: instances[0].fullEvery ${DURATION}`,
      'worker.yaml: instances[0].fullEvery must be longer than 0',
      'worker.yaml: fullEvery must be at most 80d',
      'worker.yaml: maxUnresolved must be at least 0',
      'worker.yaml: instances[0].maxUnresolved must be a number',
      'worker.yaml: lastLoginDays must be at least 1',
      'worker.yaml: instances[0].lastLoginDays must be at most 90',
      'worker.yaml: instances[0].lastLoginDays must be an integer',
    ]);
    expect(messages.filter((m) => m.includes('\n'))).toEqual([]);
  });

  it('refuses incremental with a JupiterOne target without stateDb (the state of incremental syncs), from the instance or the top level', () => {
    expect(error({ instances: [j1({ mode: 'incremental' })] })).toBe(
      'instances[0] (j1).mode: incremental with a jupiterone target needs target.stateDb (the local graph that keeps the state of incremental syncs); without it, use mode full or auto (which runs full)',
    );
    expect(error({ mode: 'incremental', instances: [instance(), j1()] })).toMatch(/^instances\[1\] \(j1\)\.mode: incremental \(the top-level mode\) with a jupiterone target needs target\.stateDb/);
    expect(resolveWorkerConfig({ mode: 'incremental', instances: [instance(), j1({ mode: 'auto' })] }, ENV).instances.map((i) => i.mode)).toEqual(['incremental', 'auto']);
  });

  it('accepts incremental with a JupiterOne target that has a stateDb, and passes the stateDb to the target', () => {
    const withState = (extra: Record<string, unknown> = {}) =>
      instance({ id: 'j1', target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', stateDb: '/tmp/j1-state.db' }, ...extra });
    const config = resolveWorkerConfig({ mode: 'incremental', instances: [withState(), withState({ id: 'own', mode: 'incremental' })] }, ENV);
    expect(config.instances.map((i) => i.mode)).toEqual(['incremental', 'incremental']);
    expect(config.instances[0].target).toEqual({
      type: 'jupiterone',
      apiKey: 'j1-key',
      account: 'acct',
      baseUrl: 'https://api.us.jupiterone.io',
      allowInsecureHttp: false,
      wait: false,
      stateDb: '/tmp/j1-state.db',
    });
    // without it, no stateDb key at all
    expect(resolveWorkerConfig({ instances: [j1()] }, ENV).instances[0].target).not.toHaveProperty('stateDb');
  });

  it('validates stateDb like the local target\'s db: a non-empty string, and only on a jupiterone target', () => {
    const j1Target = { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT' };
    expect(error({ instances: [instance({ target: { ...j1Target, stateDb: '' } })] })).toMatch(/^worker\.yaml: instances\[0\]\.target\.stateDb /);
    expect(error({ instances: [instance({ target: { ...j1Target, stateDb: 42 } })] })).toMatch(/^worker\.yaml: instances\[0\]\.target\.stateDb /);
    expect(error({ instances: [instance({ target: { type: 'local', db: '/tmp/a.db', stateDb: '/tmp/b.db' } })] })).toContain('instances[0].target');
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

describe('alert rules', () => {
  let dir: string;
  const QUESTIONS = parseQuestions(
    `questions:
  - id: no-mfa
    title: Users without MFA?
    queries:
      - { name: bad, query: "FIND jumpcloud_user WITH active = true AND mfaEnabled != true", resultsAre: BAD }
`,
    'questions.yaml',
  );
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const signed = () =>
    file(
      'signed.yaml',
      `rules:
  - id: no-mfa
    name: Active users without MFA
    severity: HIGH
    question: no-mfa
    actions: [{ type: webhook, url: "https://hooks.example.com/a", secretEnv: HOOK_SECRET }]
`,
    );
  const plain = () => file('plain.yaml', 'rules:\n  - { id: gone, name: Users deleted, severity: MEDIUM, change: { type: jumpcloud_user, kind: deleted } }\n');
  const j1 = (extra: Record<string, unknown> = {}) => instance({ id: 'j1', target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT' }, ...extra });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jcg-worker-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the top-level rules to every local instance, not to JupiterOne ones, with the secrets they name', () => {
    const path = signed();
    let loads = 0;
    const config = resolveWorkerConfig({ rules: path, instances: [instance(), instance({ id: 'b' }), j1()] }, { ...ENV, HOOK_SECRET: 's3cret' }, 'worker.yaml', () => {
      loads += 1;
      return QUESTIONS;
    });
    const [a, b, jupiterone] = config.instances;
    expect(a.rules).toMatchObject({ file: path, secrets: { HOOK_SECRET: 's3cret' } });
    expect(a.rules?.rules).toEqual([
      expect.objectContaining({ id: 'no-mfa', kind: 'query', question: 'no-mfa', actions: [{ type: 'webhook', url: 'https://hooks.example.com/a', format: 'json', secretEnv: 'HOOK_SECRET' }] }),
    ]);
    // one file, read and checked once
    expect(b.rules).toBe(a.rules);
    expect(loads).toBe(1);
    expect(jupiterone.rules).toBeUndefined();
  });

  it("lets an instance's own rules win over the top-level ones, and rules: null turn them off", () => {
    const config = resolveWorkerConfig({ rules: plain(), instances: [instance({ rules: signed() }), instance({ id: 'off', rules: null }), j1({ rules: null })] }, { ...ENV, HOOK_SECRET: 's' }, 'worker.yaml', QUESTIONS);
    expect(config.instances.map((i) => i.rules?.rules.map((r) => r.id))).toEqual([['no-mfa'], undefined, undefined]);
  });

  it('loads no questions and reads no file without rules', () => {
    const config = resolveWorkerConfig({ instances: [instance()] }, ENV, 'worker.yaml', () => {
      throw new Error('no questions needed');
    });
    expect(config.instances[0].rules).toBeUndefined();
  });

  it('names the setting of a rules file that cannot be read, in one line', () => {
    const missing = join(dir, 'missing.yaml');
    expect(error({ rules: missing, instances: [instance()] })).toBe(`rules: cannot read the rules file ${missing} (ENOENT)`);
    expect(error({ instances: [instance({ rules: missing })] })).toBe(`instances[0] (acme).rules: cannot read the rules file ${missing} (ENOENT)`);
  });

  it('names the setting, the file and the rule of an invalid rules file, in one line', () => {
    const bad = file('bad.yaml', 'rules:\n  - { id: q, name: Q, severity: HIGH, query: "FIND jumpcloud_user RETURN jumpcloud_user.name" }\n');
    const messages = [
      error({ rules: bad, instances: [instance()] }),
      error({ instances: [instance({ rules: file('empty.yaml', 'nothing: here\n') })] }),
      // a question the worker does not know
      error({ instances: [instance({ rules: signed() })] }, { ...ENV, HOOK_SECRET: 's' }),
    ];
    expect(messages[0]).toMatch(/^rules: .*bad\.yaml: rules\[0\] \(q\): query: returns columns/);
    expect(messages[1]).toMatch(/^instances\[0\] \(acme\)\.rules: .*empty\.yaml: /);
    expect(messages[2]).toMatch(/^instances\[0\] \(acme\)\.rules: .*signed\.yaml: rules\[0\] \(no-mfa\): no question no-mfa/);
    expect(messages.filter((m) => m.includes('\n'))).toEqual([]);
  });

  it('requires the variable of each secretEnv to be set', () => {
    const path = signed();
    const expected = `${path}: rule no-mfa: secretEnv HOOK_SECRET is not set in the environment`;
    expect(error({ rules: path, instances: [instance()] }, ENV, QUESTIONS)).toBe(`rules: ${expected}`);
    expect(error({ instances: [instance({ rules: path })] }, { ...ENV, HOOK_SECRET: '' }, QUESTIONS)).toBe(`instances[0] (acme).rules: ${expected}`);
  });

  it('refuses rules of its own on an instance with a JupiterOne target', () => {
    expect(error({ instances: [instance(), j1({ rules: plain() })] })).toBe('instances[1] (j1).rules: alert rules run on the local graph; an instance with a jupiterone target cannot have them');
  });

  it("takes the built-in questions by default (a rule may name one)", () => {
    const path = file('builtin.yaml', 'rules:\n  - { id: mfa, name: No MFA, severity: HIGH, question: jumpcloud-active-users-without-mfa }\n');
    const config = file('worker.json', JSON.stringify({ rules: path, instances: [instance()] }));
    expect(loadWorkerConfig(config, ENV).instances[0].rules?.rules[0]).toMatchObject({ id: 'mfa', question: 'jumpcloud-active-users-without-mfa' });
    expect(loadBuiltInQuestions().map((q) => q.id)).toContain('jumpcloud-active-users-without-mfa');
  });
});

describe('the configuration files shipped with the worker', () => {
  const folder = join(__dirname, '..', '..', 'config');
  const env = {
    ACME_JUMPCLOUD_API_KEY: 'k',
    GLOBEX_JUMPCLOUD_API_KEY: 'k',
    MSP_JUMPCLOUD_API_KEY: 'k',
    DEMO_JUMPCLOUD_API_KEY: 'k',
    JUPITERONE_API_KEY: 'k',
    JUPITERONE_ACCOUNT: 'a',
  };
  it.each(readdirSync(folder).filter((name) => name.endsWith('.yaml')))('%s is valid', (name) => {
    expect(loadWorkerConfig(join(folder, name), env).instances.length).toBeGreaterThan(0);
  });

  it("deploy/worker.yaml (the Compose deployment's) is valid: a multi-tenant instance over the simulator", () => {
    const config = loadWorkerConfig(join(__dirname, '..', '..', '..', '..', 'deploy', 'worker.yaml'), { JUMPCLOUD_API_KEY: 'k' });
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.instances.map((i) => [i.id, i.tenants !== undefined])).toEqual([['msp', true]]);
  });
});
