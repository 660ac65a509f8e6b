import 'reflect-metadata';
import { type GraphPublisher, type JumpCloudSource, silentLogger } from '@jumpcloud-graph/domain';
import { CLOCK, ENTITY_VALIDATOR, GRAPH_PUBLISHER, JUMPCLOUD_SOURCE, LOGGER, SYNC_OPTIONS, SyncRunner } from '@jumpcloud-graph/ingestion-core';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import { createRunContainer, openRun, registerRootSingletons, RUN_SETTINGS, syncOptionsOf } from './container';
import { type RunSettings } from './run-settings';

const settings: RunSettings = {
  jumpcloud: { apiKey: 'jc-key', baseUrl: 'https://console.eu.jumpcloud.com', allowInsecureHttp: false, concurrency: 4 },
  target: { type: 'jupiterone', apiKey: 'j1-key', account: 'acct', baseUrl: 'https://api.us.jupiterone.io', allowInsecureHttp: false, wait: false },
  tagAccountName: true,
  includeSshKeys: false,
  steps: ['users'],
};

/** A root of its own per test (a child of tsyringe's global container, never the global one itself). */
function freshRoot(): DependencyContainer {
  const root = globalContainer.createChildContainer();
  registerRootSingletons(root, '9.9.9');
  return root;
}

const publisher: GraphPublisher = { openSession: () => Promise.reject(new Error('not used')) };

describe('the run container', () => {
  it('resolves a runner in a child container, with the settings turned into options and the source built from them', () => {
    const scope = createRunContainer(freshRoot(), settings, silentLogger);
    scope.register(GRAPH_PUBLISHER, { useValue: publisher });
    expect(scope.resolve(SyncRunner)).toBeInstanceOf(SyncRunner);
    expect(scope.resolve(SYNC_OPTIONS)).toEqual({
      consoleUrl: 'https://console.eu.jumpcloud.com',
      accountName: undefined,
      tagAccountName: true,
      includeSshKeys: false,
      steps: ['users'],
    });
    // one source per run container, built from the settings
    const source = scope.resolve(JUMPCLOUD_SOURCE);
    expect(scope.resolve(JUMPCLOUD_SOURCE)).toBe(source);
    expect(createRunContainer(freshRoot(), settings, silentLogger).resolve(JUMPCLOUD_SOURCE)).not.toBe(source);
  });

  it('shares the root singletons between runs: the validator is compiled once per process root', () => {
    const root = freshRoot();
    const first = createRunContainer(root, settings, silentLogger).resolve(ENTITY_VALIDATOR);
    const second = createRunContainer(root, settings, silentLogger).resolve(ENTITY_VALIDATOR);
    expect(second).toBe(first);
    registerRootSingletons(root, '1.0.0'); // registering again keeps the first
    expect(createRunContainer(root, settings, silentLogger).resolve(ENTITY_VALIDATOR)).toBe(first);
  });

  it.each([
    ['the validator', ENTITY_VALIDATOR, /Symbol\(EntityValidator\)/],
    ['the clock', CLOCK, /Symbol\(Clock\)/],
  ])('fails to resolve the runner when %s is not registered in the root', (_what, token, missing) => {
    const root = globalContainer.createChildContainer();
    registerRootSingletons(root, '9.9.9');
    const bare = globalContainer.createChildContainer();
    // copy every root registration but the one under test
    if (token !== ENTITY_VALIDATOR) bare.register(ENTITY_VALIDATOR, { useValue: root.resolve(ENTITY_VALIDATOR) });
    if (token !== CLOCK) bare.register(CLOCK, { useValue: root.resolve(CLOCK) });
    const scope = bare.createChildContainer();
    scope.register(RUN_SETTINGS, { useValue: settings });
    scope.register(LOGGER, { useValue: silentLogger });
    scope.register(SYNC_OPTIONS, { useValue: syncOptionsOf(settings) });
    scope.register(JUMPCLOUD_SOURCE, { useValue: {} as JumpCloudSource });
    scope.register(GRAPH_PUBLISHER, { useValue: publisher });
    expect(() => scope.resolve(SyncRunner)).toThrow(missing);
  });

  it('fails to resolve the runner without a publisher', () => {
    expect(() => createRunContainer(freshRoot(), settings, silentLogger).resolve(SyncRunner)).toThrow(/Symbol\(GraphPublisher\)/);
  });
});

describe('openRun', () => {
  it('wires a JupiterOne run without contacting anything, and disposes its container on close', async () => {
    const run = await openRun(freshRoot(), settings, { logger: silentLogger, startLocalGraphThread: () => { throw new Error('no local graph here'); } });
    expect(run.runner).toBeInstanceOf(SyncRunner);
    expect(run.source.requestCounts().total).toBe(0);
    await run.close();
    await run.close(); // idempotent
  });

  it('throws a bad setting with its own error class, before starting anything', async () => {
    const bad: RunSettings = { ...settings, jumpcloud: { ...settings.jumpcloud, baseUrl: 'http://jumpcloud.example.com' } };
    let started = false;
    await expect(
      openRun(freshRoot(), { ...bad, target: { type: 'local', db: 'x.db' } }, {
        logger: silentLogger,
        startLocalGraphThread: () => {
          started = true;
          throw new Error('not reached');
        },
      }),
    ).rejects.toMatchObject({ name: 'JumpCloudClientConfigError' });
    expect(started).toBe(false);
  });
});
