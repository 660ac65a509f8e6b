import { type Logger } from '@jumpcloud-graph/domain';
import { createJumpCloudClient, JumpCloudApiSource, type JumpCloudClient } from '@jumpcloud-graph/jumpcloud-client';
import { JupiterOneSyncPublisher } from '@jumpcloud-graph/jupiterone-publisher';
import { type LocalGraphWorkerData, LocalGraphWorkerPublisher } from '@jumpcloud-graph/local-graph';
import { type Worker } from 'node:worker_threads';
import { type JumpCloudSettings, type JupiterOneTargetSettings } from './run-settings';

/**
 * The adapters of a run, built from validated settings: the one place both apps (the CLI and the
 * worker) make them, so a setting means the same in both.
 */

function clientOf(settings: JumpCloudSettings, logger: Logger, version: string): JumpCloudClient {
  return createJumpCloudClient({
    apiKey: settings.apiKey,
    orgId: settings.orgId,
    baseUrl: settings.baseUrl,
    allowInsecureHttp: settings.allowInsecureHttp,
    concurrency: settings.concurrency,
    budget: settings.budget,
    version,
    logger,
  });
}

/** The JumpCloud source: the generated client (retries, paging, request budget) behind the port. */
export function createJumpCloudSource(settings: JumpCloudSettings, logger: Logger, version: string): JumpCloudApiSource {
  return new JumpCloudApiSource(clientOf(settings, logger, version), { orgId: settings.orgId });
}

/**
 * The organizations a key lists (`GET /api/organizations`, every page): each id and display name,
 * without reading each organization (what a multi-tenant worker instance discovers). The
 * settings' `orgId` is not sent.
 */
export async function listJumpCloudOrganizations(settings: JumpCloudSettings, logger: Logger, version: string, signal?: AbortSignal): Promise<Array<{ id: string; name: string }>> {
  const listed = await clientOf({ ...settings, orgId: undefined }, logger, version).listOrganizations({ signal }).toArray();
  return listed.map((org) => ({ id: org._id, name: org.displayName ?? org._id }));
}

/** The JupiterOne publisher of a jupiterone target. */
export function createJupiterOnePublisher(target: Omit<JupiterOneTargetSettings, 'type'>, logger: Logger): JupiterOneSyncPublisher {
  return new JupiterOneSyncPublisher({
    apiKey: target.apiKey,
    account: target.account,
    baseUrl: target.baseUrl,
    allowInsecureHttp: target.allowInsecureHttp,
    target: target.integrationInstanceId !== undefined ? { integrationInstanceId: target.integrationInstanceId } : { scope: target.scope },
    batchBytes: target.uploadBatchBytes,
    uploadConcurrency: target.uploadConcurrency,
    wait: target.wait,
    logger,
  });
}

/**
 * Starts a thread for the local graph store. The app passes how: its own bundle serves the store
 * when started with this data (see `serveLocalGraphStore`), so one file ships.
 */
export type LocalGraphThreadStarter = (workerData: LocalGraphWorkerData) => Worker;

/** The local graph publisher, its store in a worker thread; a `--db` that is not ours fails here. */
export function startLocalGraphPublisher(db: string, logger: Logger, startThread: LocalGraphThreadStarter): Promise<LocalGraphWorkerPublisher> {
  return LocalGraphWorkerPublisher.start(() => startThread({ role: 'local-graph-store', path: db }), logger);
}
