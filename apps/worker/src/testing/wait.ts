/**
 * Waits for a condition, checking it every `pollMs`; fails naming `what` (and what `describe`
 * says of the state then) if it does not hold within `timeoutMs`. Never returns as if it held.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  options: { timeoutMs?: number; pollMs?: number; describe?: () => string } = {},
): Promise<void> {
  const { timeoutMs = 20_000, pollMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const state = options.describe ? `; ${options.describe()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The promise, or a failure naming `what` if it does not settle within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
