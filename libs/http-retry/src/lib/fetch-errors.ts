/** The first `code` on an error or its chain of causes (fetch puts the socket's code on `cause`). */
export function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth += 1) {
    if (typeof current === 'object' && 'code' in current && typeof current.code === 'string') return current.code;
    current = typeof current === 'object' && 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

// Errors are recognised by shape, not `instanceof`: fetch's errors may come from another realm.
function messageOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
    ? error.message
    : undefined;
}

/** An error's message and its cause's ("fetch failed: connect ECONNREFUSED ..."). */
export function describeError(error: unknown): string {
  const message = messageOf(error) ?? String(error);
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? messageOf(error.cause) : undefined;
  return cause && cause !== message ? `${message}: ${cause}` : message;
}

/** Why a request got no answer, for logs and errors: the description, with the code when there is one. */
export function failureReason(error: unknown): { reason: string; code: string | undefined } {
  const code = errorCode(error);
  return { reason: code ? `${describeError(error)} (${code})` : describeError(error), code };
}

/**
 * A plain copy of a low-level error (message, name, code) with `scrub` applied to its message, so
 * nothing reachable from an error of ours leaks a secret the original held.
 */
export function scrubError(error: unknown, scrub: (text: string) => string): Error {
  const copy = new Error(scrub(describeError(error)));
  copy.name = typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string' ? error.name : 'Error';
  const code = errorCode(error);
  if (code) Object.assign(copy, { code });
  return copy;
}
