/**
 * `nx run jumpcloud-simulator:serve`: runs the simulator until SIGINT/SIGTERM. The base URL line
 * goes to stdout (scripts read it); request lines (--verbose) and errors go to stderr.
 */
import { JumpCloudSimulator } from '../lib/simulator';
import { parseServeArgs, SERVE_USAGE, UsageError, type ServeCommand } from './serve-args';

async function main(): Promise<void> {
  let command: ServeCommand;
  try {
    command = parseServeArgs(process.argv.slice(2));
  } catch (cause) {
    if (!(cause instanceof UsageError)) throw cause;
    console.error(`jumpcloud-simulator: ${cause.message} (see --help)`);
    process.exit(2);
  }
  if (command.kind === 'help') {
    console.log(SERVE_USAGE);
    return;
  }

  let simulator: JumpCloudSimulator;
  try {
    simulator = new JumpCloudSimulator({
      ...command.options,
      onRequest: command.verbose
        ? (entry) => console.error(`${new Date(entry.startedAt).toISOString()} ${entry.status} ${entry.method} ${entry.path}${entry.fault ? ` fault=${entry.fault}` : ''}`)
        : undefined,
    });
  } catch (cause) {
    // Option values the flags parser let through but the simulator rejects (e.g. sizes).
    console.error(`jumpcloud-simulator: ${cause instanceof Error ? cause.message : String(cause)}`);
    process.exit(2);
  }
  const baseUrl = await simulator.start();
  const organizations = simulator.dataset.multiTenant ? ` x-org-id: ${simulator.dataset.organizations.map((o) => o.organization._id).join(',')}` : '';
  console.log(`JumpCloud simulator listening on ${baseUrl} x-api-key: ${simulator.apiKey}${organizations}`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`jumpcloud-simulator: ${signal}, stopping`);
    simulator.stop().then(
      () => process.exit(0),
      (cause: unknown) => {
        console.error(`jumpcloud-simulator: stop failed: ${String(cause)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((cause: unknown) => {
  console.error(`jumpcloud-simulator: ${cause instanceof Error ? cause.message : String(cause)}`);
  process.exit(1);
});
