/**
 * What the two stand-in servers' command lines share (`nx run jumpcloud-simulator:serve`,
 * `nx run jupiterone-fake:serve`): flag parsing with one-line usage errors, and a process that
 * prints one line for scripts, runs until SIGINT or SIGTERM, and stops the server cleanly.
 */

/** A bad command line: printed on one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Runs a `parseArgs` call, its errors (an unknown flag, a missing value) as `UsageError`s. */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (cause) {
    throw new UsageError(cause instanceof Error ? cause.message : String(cause));
  }
}

/** An integer flag between `min` and `max`; undefined when the flag was not given. */
export function integer(flag: string, raw: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${flag} must be an integer >= ${min}, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A string flag that may be left out but not given empty. */
export function nonEmpty(flag: string, raw: string | undefined): string | undefined {
  if (raw === '') throw new UsageError(`--${flag} must not be empty`);
  return raw;
}

/** A server the scaffold runs: started from its parsed command, it gives its line and a stop. */
export interface ServedServer {
  /** The one line on stdout that scripts read (base URL, credentials). */
  line: string;
  stop(): Promise<void>;
}

/**
 * Runs a server from the command line until SIGINT or SIGTERM: `--help` prints `usage`; a usage
 * error is one line on stderr and exit 2; a failure to start is one line and exit 1.
 */
export function serveUntilSignal<C, S>(spec: {
  name: string;
  usage: string;
  parse(argv: readonly string[]): C | { kind: 'help' };
  /** Builds the server; what it throws is a bad option value (exit 2). */
  create(command: C): S;
  /** Starts it listening; what it throws (a port in use) is a failure (exit 1). */
  listen(server: S, command: C): Promise<ServedServer>;
}): void {
  const fail = (message: string, code: number): never => {
    console.error(`${spec.name}: ${message}`);
    process.exit(code);
  };
  const main = async () => {
    let command: C | { kind: 'help' };
    try {
      command = spec.parse(process.argv.slice(2));
    } catch (cause) {
      if (!(cause instanceof UsageError)) throw cause;
      return fail(`${cause.message} (see --help)`, 2);
    }
    if (typeof command === 'object' && command !== null && (command as { kind?: unknown }).kind === 'help') {
      console.log(spec.usage);
      return;
    }
    let created: S;
    try {
      created = spec.create(command as C);
    } catch (cause) {
      // Option values the flags parser let through but the server rejects (sizes, say).
      return fail(cause instanceof Error ? cause.message : String(cause), 2);
    }
    const server = await spec.listen(created, command as C);
    console.log(server.line);
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      console.error(`${spec.name}: ${signal}, stopping`);
      server.stop().then(
        () => process.exit(0),
        (cause: unknown) => fail(`stop failed: ${String(cause)}`, 1),
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  };
  main().catch((cause: unknown) => fail(cause instanceof Error ? cause.message : String(cause), 1));
}
