import { backoffDelay, parseRetryAfter, retryDelay, sleep, untilAborted } from './retry';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(' 7 ', now)).toBe(7_000);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });
});

describe('backoffDelay (full jitter)', () => {
  const options = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 120_000 };

  it('draws below a ceiling that doubles per attempt', () => {
    expect(backoffDelay(1, options, () => 0.999)).toBe(99);
    expect(backoffDelay(2, options, () => 0.999)).toBe(199);
    expect(backoffDelay(3, options, () => 0.5)).toBe(200);
  });

  it('never exceeds maxDelayMs and can be zero', () => {
    expect(backoffDelay(10, options, () => 0.999)).toBe(999);
    expect(backoffDelay(20, options, () => 0.999)).toBe(999);
    expect(backoffDelay(4, options, () => 0)).toBe(0);
  });
});

describe('retryDelay', () => {
  const options = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

  it("prefers the server's Retry-After over the backoff", () => {
    expect(retryDelay(1, '2', options, () => 0)).toBe(2000);
    expect(retryDelay(1, '2', options, () => 0.5)).toBe(2000);
  });

  it('caps a Retry-After that is too long', () => {
    expect(retryDelay(1, '3600', options, () => 0)).toBe(5000);
  });

  it('reads an HTTP date against the given now', () => {
    expect(retryDelay(1, 'Thu, 01 Jan 2026 00:00:03 GMT', options, () => 0, Date.parse('2026-01-01T00:00:00Z'))).toBe(3000);
  });

  it('falls back to the jittered backoff', () => {
    expect(retryDelay(2, null, options, () => 0.5)).toBe(100);
  });
});

describe('sleep', () => {
  it('rejects with the reason when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('rejects at once when the signal has already aborted', async () => {
    await expect(sleep(60_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

describe('untilAborted', () => {
  it('passes a value or an error through, and rejects with the reason at once on abort, releasing a late value', async () => {
    await expect(untilAborted(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
    await expect(untilAborted(Promise.reject(new Error('no')), new AbortController().signal)).rejects.toThrow('no');

    const controller = new AbortController();
    let settle!: (value: string) => void;
    const released: string[] = [];
    const waiting = untilAborted(new Promise<string>((resolve) => (settle = resolve)), controller.signal, (late) => released.push(late));
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    settle('late');
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual(['late']);

    await expect(untilAborted(new Promise(() => undefined), controller.signal)).rejects.toThrow('stop');
  });
});
