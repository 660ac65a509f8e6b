import 'reflect-metadata';
import { silentLogger } from '@jumpcloud-graph/domain';
import { ENTITY_VALIDATOR, SyncRunner } from '@jumpcloud-graph/ingestion-core';
import { createRunContainer } from '@jumpcloud-graph/runtime';
import { resolveSyncConfig } from './config/sync-config';
import { cliRoot, openSyncRun, runSettingsOf } from './container';

/** The CLI's wiring: its configuration resolves a runner from a child container of its root. */
const config = resolveSyncConfig(
  { target: 'jupiterone', steps: 'users', tagAccountName: true },
  { JUMPCLOUD_API_KEY: 'jc-key', JUPITERONE_API_KEY: 'j1-key', JUPITERONE_ACCOUNT: 'acct', JUPITERONE_SYNC_SCOPE: 'test-scope' },
);

describe('the CLI composition root', () => {
  it('resolves the runner of a sync from a child container, the validator a root singleton', async () => {
    const first = await openSyncRun(config, silentLogger);
    const second = await openSyncRun(config, silentLogger);
    try {
      expect(first.runner).toBeInstanceOf(SyncRunner);
      expect(first.runner).not.toBe(second.runner);
      expect(first.source).not.toBe(second.source);
      expect(cliRoot().resolve(ENTITY_VALIDATOR)).toBe(cliRoot().resolve(ENTITY_VALIDATOR));
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('turns every setting of the configuration into the run settings', () => {
    expect(runSettingsOf(config)).toEqual({
      jumpcloud: { apiKey: 'jc-key', baseUrl: 'https://console.jumpcloud.com', allowInsecureHttp: false, concurrency: 8 },
      target: {
        type: 'jupiterone',
        apiKey: 'j1-key',
        account: 'acct',
        baseUrl: 'https://api.us.jupiterone.io',
        allowInsecureHttp: false,
        scope: 'test-scope',
        wait: false,
        uploadBatchBytes: 5_000_000,
        uploadConcurrency: 6,
      },
      accountName: undefined,
      tagAccountName: true,
      includeSshKeys: false,
      steps: ['users'],
      consoleUrl: undefined,
      // a selection of steps turns auto (the default) into full
      mode: 'full',
      fullEveryMs: 86_400_000,
      maxUnresolved: 50,
      lastLoginDays: 30,
    });
  });

  it('fails to resolve the runner when a token is missing (no publisher registered)', () => {
    const scope = createRunContainer(cliRoot(), runSettingsOf(config), silentLogger);
    expect(() => scope.resolve(SyncRunner)).toThrow(/Symbol\(GraphPublisher\)/);
  });
});
