/**
 * `nx run jupiterone-fake:serve`: runs the fake until SIGINT/SIGTERM. The line with the base URL,
 * account and API key goes to stdout (scripts read it); request lines and errors go to stderr.
 */
import { JupiterOneFake } from '../lib/fake';
import { parseServeArgs, SERVE_USAGE, UsageError, type ServeCommand } from './serve-args';

async function main(): Promise<void> {
  let command: ServeCommand;
  try {
    command = parseServeArgs(process.argv.slice(2));
  } catch (cause) {
    if (!(cause instanceof UsageError)) throw cause;
    console.error(`jupiterone-fake: ${cause.message} (see --help)`);
    process.exit(2);
  }
  if (command.kind === 'help') {
    console.log(SERVE_USAGE);
    return;
  }

  const fake = new JupiterOneFake({
    ...command.options,
    onRequest: command.logRequests
      ? (record) =>
          console.error(`${new Date().toISOString()} ${record.status} ${record.method} ${record.path} bytes=${record.bytes} objects=${record.objects}${record.correlationId ? ` correlation=${record.correlationId}` : ''}`)
      : undefined,
  });
  await fake.start(command.port, command.host);
  console.log(`JupiterOne fake listening on ${fake.baseUrl} JupiterOne-Account: ${fake.account} Authorization: Bearer ${fake.apiKey}`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`jupiterone-fake: ${signal}, stopping`);
    fake.stop().then(
      () => process.exit(0),
      (cause: unknown) => {
        console.error(`jupiterone-fake: stop failed: ${String(cause)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((cause: unknown) => {
  console.error(`jupiterone-fake: ${cause instanceof Error ? cause.message : String(cause)}`);
  process.exit(1);
});
