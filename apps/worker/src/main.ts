// reflect-metadata must load before any decorated class is evaluated (tsyringe reads it).
import 'reflect-metadata';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createConsoleApp } from '@jumpcloud-graph/console';
import { type FastifyInstance } from 'fastify';
import { setFlagsFromString } from 'node:v8';
import { parseArgs } from 'node:util';
import { type InstanceConfig, loadBuiltInQuestions, loadWorkerConfig, WorkerConfigError } from './config/worker-config';
import { startWorkerHttpServer } from './http-server';
import { KeyBudgets } from './budget/key-budgets';
import { createInstanceRunner } from './instance-runner';
import { createWorkerLogger } from './logger';
import { createDiscoverer } from './tenants/discovery';
import { organizationUnit } from './tenants/organizations';
import { WorkerMetrics } from './metrics';
import { InProcessScheduler } from './scheduler/in-process-scheduler';
import { WatchedRedis } from './scheduler/redis-connection';
import { RedisScheduler } from './scheduler/redis-scheduler';
import { type Scheduler } from './scheduler/scheduler';
import { VERSION } from './version';

/** SIGTERM/SIGINT to exit: docs/worker.md allows 10 seconds; this leaves one to spare. */
const SHUTDOWN_DEADLINE_MS = 9_000;

const USAGE = `usage: node dist/apps/worker/main.js --config FILE [--port N]   (or JUMPCLOUD_GRAPH_WORKER_CONFIG=FILE)

Keeps every instance of the configuration synced: one run at start-up, then one per interval, and
on POST /instances/{id}/sync (Authorization: Bearer $WORKER_ADMIN_TOKEN). With redisUrl, any
number of replicas share the work. Exit codes: 0 after a clean shutdown, 1 when it cannot start
(the HTTP port is taken, say), 2 for a bad configuration or an unknown flag.

Example:
  DEMO_JUMPCLOUD_API_KEY=... node dist/apps/worker/main.js --config apps/worker/config/worker.local.yaml
`;

/**
 * The web console over the local graphs of the instances: each local target, each JupiterOne
 * target's state database, and each organization of a multi-tenant instance that its discoveries
 * list now (graph id `<instance>:<orgId>`; one read of Redis on a worker on Redis). Its pages and API are
 * served by the HTTP server at /console/ and /api/graphs.
 */
async function createWorkerConsole(instances: readonly InstanceConfig[], scheduler: Scheduler): Promise<FastifyInstance> {
  const name = (instance: InstanceConfig) => instance.accountName ?? instance.id;
  const ofUnit = (unit: InstanceConfig, id: string, label: string) => {
    if (unit.target.type === 'local') return [{ id, name: label, db: unit.target.db }];
    return unit.target.stateDb ? [{ id, name: `${label} (state)`, db: unit.target.stateDb }] : [];
  };
  const graphs = async () => {
    const perInstance = await Promise.all(
      instances.map(async (instance) => {
        if (!instance.tenants) return ofUnit(instance, instance.id, name(instance));
        return (await scheduler.organizations(instance.id))
          .filter((org) => org.missing === 0)
          .flatMap((org) => ofUnit(organizationUnit(instance, org), `${instance.id}:${org.id}`, `${name(instance)} / ${org.name}`));
      }),
    );
    return perInstance.flat();
  };
  const app = await createConsoleApp({
    graphs,
    assetsDir: join(__dirname, 'console'),
    questions: loadBuiltInQuestions(),
    startQueryThread: (workerData) => new Worker(join(__dirname, 'console-query-thread.js'), { workerData }),
  });
  await app.ready();
  return app;
}

async function main(): Promise<void> {
  let values: { config?: string; port?: string; help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean' }, version: { type: 'boolean' } },
      allowPositionals: false,
    }));
  } catch (error) {
    // An unknown flag or a missing value is a usage error, exit 2 like a bad configuration.
    throw new WorkerConfigError(`${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
  if (values.help) return void process.stdout.write(USAGE);
  if (values.version) return void process.stdout.write(`${VERSION}\n`);
  const path = values.config ?? process.env['JUMPCLOUD_GRAPH_WORKER_CONFIG'];
  if (!path) throw new WorkerConfigError('--config FILE (or JUMPCLOUD_GRAPH_WORKER_CONFIG) is required');
  const config = loadWorkerConfig(path, process.env);
  if (values.port !== undefined) {
    // Several replicas on one machine share a configuration file but not a port.
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WorkerConfigError('--port must be a port number (0-65535)');
    config.http.port = port;
  }

  // As in the CLI: a sync allocates fast and keeps little, so grow the heap slowly.
  setFlagsFromString('--heap-growing-percent=10');
  const logger = createWorkerLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn({}, warning);
  const metrics = new WorkerMetrics();
  // The bundle is also the entry of the local graph store's worker thread (see the end of this file).
  // On Redis, every replica takes its JumpCloud requests from one budget per key (connected at the
  // first request: a replica waiting for Redis logs its scheduler's reconnects only).
  const budgetRedis = config.redisUrl ? new WatchedRedis(config.redisUrl, { name: 'key-budget', logger, redis: { maxRetriesPerRequest: 3, lazyConnect: true } }) : undefined;
  const budgets = budgetRedis ? new KeyBudgets(config.instances, budgetRedis, metrics) : undefined;
  const budgetOf = (instance: InstanceConfig) => budgets?.of(instance);
  const runInstance = createInstanceRunner({ logger, metrics, workerFile: join(__dirname, 'local-graph-thread.js'), budgetOf });
  const discover = createDiscoverer({ logger, metrics, budgetOf });
  const scheduler: Scheduler = config.redisUrl
    ? new RedisScheduler(config.instances, runInstance, { redisUrl: config.redisUrl, concurrency: config.concurrency, queue: config.queue, logger, discover })
    : new InProcessScheduler(config.instances, runInstance, { concurrency: config.concurrency, logger, discover });

  const adminToken = process.env['WORKER_ADMIN_TOKEN'] || undefined;
  const viewerToken = process.env['WORKER_VIEWER_TOKEN'] || undefined;
  const consoleApp = config.console ? await createWorkerConsole(config.instances, scheduler) : undefined;
  const server = await startWorkerHttpServer({
    ...config.http,
    ready: () => scheduler.ready(),
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
    trigger: (id, orgId) => scheduler.trigger(id, orgId),
    status: () => scheduler.status(),
    adminToken,
    viewerToken,
    ...(consoleApp ? { console: (req: IncomingMessage, res: ServerResponse) => consoleApp.routing(req, res) } : {}),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new runs; runs in progress are cancelled');
    const deadline = setTimeout(() => {
      logger.error({}, 'shutdown deadline reached; exiting');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    scheduler
      .stop()
      .catch((error: unknown) => logger.error({ error: error instanceof Error ? error.message : String(error) }, 'stopping the scheduler failed'))
      .then(() => server.close())
      .then(() => consoleApp?.close())
      .then(() => budgetRedis?.quit())
      .finally(() => {
        logger.info({}, 'stopped');
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await scheduler.start();
  logger.info(
    {
      url: server.url,
      mode: config.redisUrl ? 'redis' : 'in-process',
      concurrency: config.concurrency,
      instances: config.instances.map((i) => ({
        id: i.id,
        intervalSeconds: i.intervalSeconds,
        target: i.target.type,
        mode: i.mode,
        ...(i.tenants ? { organizations: 'all', discoveryIntervalSeconds: i.tenants.discoveryIntervalSeconds } : {}),
      })),
      triggerEndpoint: adminToken ? 'enabled' : 'disabled',
      console: !consoleApp ? 'off' : adminToken || viewerToken ? 'enabled' : 'disabled (no token)',
      version: VERSION,
    },
    'worker ready',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`jumpcloud-graph-worker: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`);
  process.exit(error instanceof WorkerConfigError ? 2 : 1);
});
