import { redactingLogMethod } from '@jumpcloud-graph/domain';
import pino, { type Logger as PinoLogger } from 'pino';

/**
 * Structured JSON logs on stdout (a service's logs are its output), synchronous so none is lost
 * at exit. Every log call goes through the domain's one redaction list (`redactSecrets`), the
 * same as the CLI's: secret fields at any depth, and credentials inside URLs.
 */
export function createWorkerLogger(level: string, destination: pino.DestinationStream = pino.destination({ fd: 1, sync: true })): PinoLogger {
  return pino({ level, base: { service: 'jumpcloud-graph-worker' }, hooks: { logMethod: redactingLogMethod } }, destination);
}
