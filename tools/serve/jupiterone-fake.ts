/**
 * `nx run jupiterone-fake:serve`: runs the fake until SIGINT/SIGTERM. The line with the base URL,
 * account and API key goes to stdout (scripts read it); request lines and errors go to stderr.
 */
import { JupiterOneFake } from '@jumpcloud-graph/jupiterone-fake';
import { parseServeArgs, SERVE_USAGE, type ServeCommand } from './jupiterone-fake-args';
import { serveUntilSignal } from './serve-kit';

serveUntilSignal({
  name: 'jupiterone-fake',
  usage: SERVE_USAGE,
  parse: parseServeArgs,
  create: (command: Extract<ServeCommand, { kind: 'serve' }>) =>
    new JupiterOneFake({
      ...command.options,
      onRequest: command.logRequests
        ? (record) =>
            console.error(
              `${new Date().toISOString()} ${record.status} ${record.method} ${record.path} bytes=${record.bytes} objects=${record.objects}${record.correlationId ? ` correlation=${record.correlationId}` : ''}`,
            )
        : undefined,
    }),
  async listen(fake, command) {
    await fake.start(command.port, command.host);
    return { line: `JupiterOne fake listening on ${fake.baseUrl} JupiterOne-Account: ${fake.account} Authorization: Bearer ${fake.apiKey}`, stop: () => fake.stop() };
  },
});
