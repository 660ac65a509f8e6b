import { type JupiterOneFakeOptions } from '@jumpcloud-graph/jupiterone-fake';
import { parseArgs } from 'node:util';
import { integer, nonEmpty, usageErrors } from './serve-kit';

export { UsageError } from './serve-kit';

export const SERVE_USAGE = `Usage: nx run jupiterone-fake:serve [options]

Starts the JupiterOne synchronization API fake and prints its base URL, account and API key.

Options:
  --port N                 listen port (default 0: any free port)
  --host HOST              listen address (default 127.0.0.1)
  --api-key KEY            expected Authorization: Bearer token (default j1-fake-api-key)
  --account ID             expected JupiterOne-Account header (default j1-fake-account)
  --body-limit-bytes N     largest request body before a 413 (default 6000000)
  --latency-ms N           delay before every response (default 0)
  --finalize-delay-ms N    time a finalized job takes to reach FINISHED (default 0)
  --log-requests           log one line per request to stderr
  --help                   show this help

State for out-of-process tests: GET /__fake/state, POST /__fake/faults (a JSON array), POST /__fake/reset.`;

export type ServeCommand =
  | { kind: 'help' }
  | { kind: 'serve'; port: number; host: string; options: Omit<JupiterOneFakeOptions, 'onRequest'>; logRequests: boolean };

/** Parses the serve command line (without the node and script arguments). */
export function parseServeArgs(argv: readonly string[]): ServeCommand {
  const { values } = usageErrors(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
        account: { type: 'string' },
        'body-limit-bytes': { type: 'string' },
        'latency-ms': { type: 'string' },
        'finalize-delay-ms': { type: 'string' },
        'log-requests': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return { kind: 'help' };

  const options: Omit<JupiterOneFakeOptions, 'onRequest'> = {
    apiKey: nonEmpty('api-key', values['api-key']),
    account: nonEmpty('account', values.account),
    bodyLimitBytes: integer('body-limit-bytes', values['body-limit-bytes']),
    latencyMs: integer('latency-ms', values['latency-ms']),
    finalizeDelayMs: integer('finalize-delay-ms', values['finalize-delay-ms']),
  };
  return {
    kind: 'serve',
    port: integer('port', values.port, 0, 65535) ?? 0,
    host: nonEmpty('host', values.host) ?? '127.0.0.1',
    // Unset flags are left out so the fake's defaults apply.
    options: Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    logRequests: values['log-requests'] ?? false,
  };
}
