import { type Logger } from '@jumpcloud-graph/domain';
import pino from 'pino';

// Secrets are scrubbed where they are made (the client redacts its messages); this is the second
// line: any field with one of these names is censored wherever it appears in a log line.
const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'jumpcloudApiKey',
  '*.jumpcloudApiKey',
  'jupiteroneApiKey',
  '*.jupiteroneApiKey',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'headers.authorization',
  '*.headers.authorization',
];

/** pino on stderr (stdout is for results), synchronous so nothing is lost at exit. */
export function createLogger(level: string): Logger & { level: string } {
  return pino(
    { level, base: undefined, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } },
    pino.destination({ fd: 2, sync: true }),
  );
}
