import { redactSecrets } from './log-redaction';

/**
 * A pino `hooks.logMethod` that passes every argument of a log call (fields, message, format
 * arguments) through `redactSecrets`, so an app's logger applies the one list to everything it
 * writes. Typed structurally: the domain does not depend on pino.
 */
export function redactingLogMethod<Method extends (...args: never[]) => unknown>(this: unknown, args: unknown[], method: Method): unknown {
  return (method as unknown as (...a: unknown[]) => unknown).apply(this, args.map((arg) => redactSecrets(arg)));
}
