import pino, { type Logger as PinoLogger } from 'pino';

// Secrets are scrubbed where they are made; this is the second line: any field with one of these
// names is censored wherever it appears in a log line.
const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'redisUrl',
  '*.redisUrl',
];

/** Structured JSON logs on stdout (a service's logs are its output), synchronous so none is lost at exit. */
export function createWorkerLogger(level: string): PinoLogger {
  return pino(
    { level, base: { service: 'jumpcloud-graph-worker' }, redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } },
    pino.destination({ fd: 1, sync: true }),
  );
}
