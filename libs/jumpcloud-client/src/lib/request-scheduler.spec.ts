import { RequestScheduler } from './request-scheduler';

/** A task the test finishes by hand, so concurrency is observed without timing. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('RequestScheduler', () => {
  it('never has more than `limit` tasks in flight', async () => {
    const scheduler = new RequestScheduler(3);
    const gates = Array.from({ length: 10 }, deferred);
    let running = 0;
    let peak = 0;
    const all = gates.map((gate) =>
      scheduler.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
      }),
    );
    await flush();
    expect(running).toBe(3);
    expect(scheduler.stats().queued).toBe(7);
    gates.forEach((g) => g.resolve());
    await Promise.all(all);
    expect(peak).toBe(3);
    expect(scheduler.stats()).toMatchObject({ maxInFlight: 3, inFlight: 0, queued: 0 });
  });

  it('halves the window once for a burst of 429s from one window', async () => {
    const scheduler = new RequestScheduler(8);
    await Promise.all(Array.from({ length: 8 }, () => scheduler.run(async (slot) => slot.throttled())));
    expect(scheduler.stats()).toMatchObject({ window: 4, throttles: 1 });
    await scheduler.run(async (slot) => slot.throttled());
    expect(scheduler.stats()).toMatchObject({ window: 2, throttles: 2 });
  });

  it('never shrinks below one and recovers one step per window of successes', async () => {
    const scheduler = new RequestScheduler(4);
    for (let i = 0; i < 5; i += 1) await scheduler.run(async (slot) => slot.throttled());
    expect(scheduler.stats().window).toBe(1);
    await scheduler.run(async (slot) => slot.succeeded());
    expect(scheduler.stats().window).toBe(2);
    await scheduler.run(async (slot) => slot.succeeded());
    expect(scheduler.stats().window).toBe(2);
    await scheduler.run(async (slot) => slot.succeeded());
    expect(scheduler.stats().window).toBe(3);
    for (let i = 0; i < 20; i += 1) await scheduler.run(async (slot) => slot.succeeded());
    expect(scheduler.stats().window).toBe(4);
  });

  it('releases the slot when a task throws', async () => {
    const scheduler = new RequestScheduler(1);
    await expect(scheduler.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(scheduler.run(async () => 'next')).resolves.toBe('next');
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new RequestScheduler(0)).toThrow(RangeError);
  });
});
