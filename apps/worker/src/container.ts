import { type GraphPublisher, type JumpCloudSource, type Logger } from '@jumpcloud-graph/domain';
import { GRAPH_PUBLISHER, JUMPCLOUD_SOURCE, LOGGER, SYNC_OPTIONS, type SyncOptions, SyncRunner } from '@jumpcloud-graph/ingestion-core';
import { createJumpCloudClient, JumpCloudApiSource } from '@jumpcloud-graph/jumpcloud-client';
import { JupiterOneSyncPublisher } from '@jumpcloud-graph/jupiterone-publisher';
import { container } from 'tsyringe';
import { type InstanceConfig } from './config/worker-config';
import { VERSION } from './version';

/** The JumpCloud source of one run of an instance. */
export function createJumpCloudSource(instance: InstanceConfig, logger: Logger): JumpCloudSource {
  const client = createJumpCloudClient({
    apiKey: instance.jumpcloud.apiKey,
    orgId: instance.jumpcloud.orgId,
    baseUrl: instance.jumpcloud.baseUrl,
    allowInsecureHttp: instance.jumpcloud.allowInsecureHttp,
    concurrency: instance.jumpcloud.concurrency,
    version: VERSION,
    logger,
  });
  return new JumpCloudApiSource(client, { orgId: instance.jumpcloud.orgId });
}

/** The JupiterOne publisher of an instance whose target is jupiterone. */
export function createJupiterOnePublisher(target: Extract<InstanceConfig['target'], { type: 'jupiterone' }>, logger: Logger): GraphPublisher {
  return new JupiterOneSyncPublisher({
    apiKey: target.apiKey,
    account: target.account,
    baseUrl: target.baseUrl,
    allowInsecureHttp: target.allowInsecureHttp,
    target: target.integrationInstanceId !== undefined ? { integrationInstanceId: target.integrationInstanceId } : { scope: target.scope },
    wait: target.wait,
    logger,
  });
}

/**
 * The worker's composition root: the only place that registers anything. Every run gets its own
 * child container, so runs of different instances share nothing but the process.
 */
export function createRunner(instance: InstanceConfig, adapters: { logger: Logger; source: JumpCloudSource; publisher: GraphPublisher }): SyncRunner {
  const scope = container.createChildContainer();
  const options: SyncOptions = {
    consoleUrl: new URL(instance.jumpcloud.baseUrl).origin,
    accountName: instance.accountName,
    tagAccountName: instance.tagAccountName,
    includeSshKeys: instance.includeSshKeys,
  };
  scope.register(LOGGER, { useValue: adapters.logger });
  scope.register(SYNC_OPTIONS, { useValue: options });
  scope.register(JUMPCLOUD_SOURCE, { useValue: adapters.source });
  scope.register(GRAPH_PUBLISHER, { useValue: adapters.publisher });
  return scope.resolve(SyncRunner);
}
