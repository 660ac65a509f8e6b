// reflect-metadata must load before any decorated class is evaluated (tsyringe reads it).
import 'reflect-metadata';
import { startHealthServer } from './health-server';

// The configuration file, scheduler, instances and metrics come with the worker's own issue; for
// now the process serves its health endpoints on the documented default address.
async function main(): Promise<void> {
  const server = await startHealthServer({ host: '127.0.0.1', port: 8080 });
  server.setReady(true);
  console.error(JSON.stringify({ level: 'info', msg: 'worker listening', url: server.url }));
  const stop = () => {
    server.setReady(false);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'error', msg: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
