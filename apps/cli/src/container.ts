import { type GraphPublisher, type JumpCloudSource, type Logger } from '@jumpcloud-graph/domain';
import { GRAPH_PUBLISHER, JUMPCLOUD_SOURCE, LOGGER, SYNC_OPTIONS, type SyncOptions } from '@jumpcloud-graph/ingestion-core';
import { createJumpCloudClient, JumpCloudApiSource } from '@jumpcloud-graph/jumpcloud-client';
import { container, type DependencyContainer } from 'tsyringe';
import { type SyncConfig } from './config/sync-config';
import { VERSION } from './version';

/**
 * The JumpCloud source of a run. Built before anything is opened or registered, so a bad base URL
 * fails here with its own error (tsyringe would wrap an error thrown inside a factory).
 */
export function createJumpCloudSource(config: SyncConfig, logger: Logger): JumpCloudSource {
  const client = createJumpCloudClient({
    apiKey: config.jumpcloudApiKey,
    orgId: config.jumpcloudOrgId,
    baseUrl: config.jumpcloudBaseUrl,
    allowInsecureHttp: config.allowInsecureHttp,
    concurrency: config.concurrency,
    version: VERSION,
    logger,
  });
  return new JumpCloudApiSource(client, { orgId: config.jumpcloudOrgId });
}

/**
 * The CLI's composition root: the only place that registers anything. Each run gets a child
 * container, so tests and several runs in one process do not share registrations.
 */
export function createSyncContainer(
  config: SyncConfig,
  adapters: { logger: Logger; source: JumpCloudSource; publisher: GraphPublisher },
): DependencyContainer {
  const scope = container.createChildContainer();
  const options: SyncOptions = {
    consoleUrl: config.consoleUrl ?? new URL(config.jumpcloudBaseUrl).origin,
    accountName: config.accountName,
    tagAccountName: config.tagAccountName,
    includeSshKeys: config.includeSshKeys,
    steps: config.steps,
  };
  scope.register(LOGGER, { useValue: adapters.logger });
  scope.register(SYNC_OPTIONS, { useValue: options });
  scope.register(JUMPCLOUD_SOURCE, { useValue: adapters.source });
  scope.register(GRAPH_PUBLISHER, { useValue: adapters.publisher });
  return scope;
}
