import { type Logger, redactingLogMethod } from '@jumpcloud-graph/domain';
import pino from 'pino';

/**
 * pino on stderr (stdout is for results), synchronous so nothing is lost at exit. Secrets are
 * scrubbed where they are made (the client redacts its messages); every log call also goes
 * through the domain's one redaction list (`redactSecrets`), the same as the worker's.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ fd: 2, sync: true })): Logger & { level: string } {
  return pino({ level, base: undefined, hooks: { logMethod: redactingLogMethod } }, destination);
}
