import 'reflect-metadata';
import { silentLogger } from '@jumpcloud-graph/domain';
import { ENTITY_VALIDATOR, SyncRunner } from '@jumpcloud-graph/ingestion-core';
import { createRunContainer } from '@jumpcloud-graph/runtime';
import { resolveWorkerConfig } from './config/worker-config';
import { openInstanceRun, runSettingsOf, workerRoot } from './container';

/** The worker's wiring: each run of an instance resolves its runner from a child container of the root. */
const [instance] = resolveWorkerConfig(
  {
    instances: [
      {
        id: 'acme',
        tagAccountName: true,
        jumpcloud: { apiKeyEnv: 'JC_KEY', concurrency: 4 },
        target: { type: 'jupiterone', apiKeyEnv: 'J1_KEY', accountEnv: 'J1_ACCOUNT', scope: 'acme-scope' },
      },
    ],
  },
  { JC_KEY: 'jc-key', J1_KEY: 'j1-key', J1_ACCOUNT: 'acct' },
).instances;

describe('the worker composition root', () => {
  it('resolves a runner per run from a child container, the validator compiled once for all runs', async () => {
    const first = await openInstanceRun(instance, silentLogger, __filename);
    const second = await openInstanceRun(instance, silentLogger, __filename);
    try {
      expect(first.runner).toBeInstanceOf(SyncRunner);
      expect(first.runner).not.toBe(second.runner);
      expect(workerRoot().resolve(ENTITY_VALIDATOR)).toBe(workerRoot().resolve(ENTITY_VALIDATOR));
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("turns an instance's configuration into the run settings", () => {
    expect(runSettingsOf(instance)).toEqual({
      jumpcloud: { apiKey: 'jc-key', baseUrl: 'https://console.jumpcloud.com', allowInsecureHttp: false, concurrency: 4 },
      target: { type: 'jupiterone', apiKey: 'j1-key', account: 'acct', baseUrl: 'https://api.us.jupiterone.io', allowInsecureHttp: false, scope: 'acme-scope', wait: false },
      accountName: undefined,
      tagAccountName: true,
      includeSshKeys: false,
      mode: 'auto',
      fullEveryMs: 86_400_000,
      maxUnresolved: 50,
      lastLoginDays: 30,
    });
  });

  it('fails to resolve the runner when a token is missing (no publisher registered)', () => {
    const scope = createRunContainer(workerRoot(), runSettingsOf(instance), silentLogger);
    expect(() => scope.resolve(SyncRunner)).toThrow(/Symbol\(GraphPublisher\)/);
  });
});
