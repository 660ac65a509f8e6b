/** What the scheduler has seen, for the run summary and the benchmark. */
export interface SchedulerStats {
  /** The configured bound on requests in flight. */
  limit: number;
  /** The current window (at most `limit`; halved on 429, regained one step at a time). */
  window: number;
  inFlight: number;
  queued: number;
  /** The most requests that were ever in flight at once. */
  maxInFlight: number;
  /** How many times a 429 made the window shrink. */
  throttles: number;
}

/** A slot the scheduler granted: the holder reports how its request went. */
export interface SchedulerSlot {
  /** The request was throttled (429): shrink the window, once per window generation. */
  throttled(): void;
  /** The request succeeded: after a window's worth of successes the window grows by one. */
  succeeded(): void;
}

/**
 * Bounds the requests one client has in flight. Additive increase, multiplicative decrease:
 * a 429 halves the window, and each run of `window` consecutive successes adds one back, up to
 * the limit. Requests sent before a decrease cannot cause a second one (each slot remembers the
 * generation it was granted in), so a burst of 429s from one full window halves it only once.
 */
export class RequestScheduler {
  private window: number;
  private inFlight = 0;
  private maxInFlight = 0;
  private throttles = 0;
  private generation = 0;
  private successStreak = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    }
    this.window = limit;
  }

  /** Runs `task` once a slot is free; the slot is released when the task settles. */
  async run<T>(task: (slot: SchedulerSlot) => Promise<T>): Promise<T> {
    // The generation is the one current when the slot was granted, not when the task resumes.
    const granted = await this.acquire();
    const slot: SchedulerSlot = {
      throttled: () => this.onThrottled(granted),
      succeeded: () => this.onSucceeded(),
    };
    try {
      return await task(slot);
    } finally {
      this.inFlight -= 1;
      this.drain();
    }
  }

  stats(): SchedulerStats {
    return {
      limit: this.limit,
      window: this.window,
      inFlight: this.inFlight,
      queued: this.queue.length,
      maxInFlight: this.maxInFlight,
      throttles: this.throttles,
    };
  }

  private acquire(): Promise<number> {
    if (this.inFlight < this.window && this.queue.length === 0) {
      return Promise.resolve(this.take());
    }
    return new Promise((resolve) => this.queue.push(() => resolve(this.take())));
  }

  private take(): number {
    this.inFlight += 1;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    return this.generation;
  }

  private drain(): void {
    while (this.inFlight < this.window && this.queue.length > 0) {
      const grant = this.queue.shift() as () => void;
      grant();
    }
  }

  private onThrottled(granted: number): void {
    if (granted !== this.generation) return;
    this.generation += 1;
    this.throttles += 1;
    this.successStreak = 0;
    this.window = Math.max(1, Math.floor(this.window / 2));
  }

  private onSucceeded(): void {
    if (this.window >= this.limit) return;
    this.successStreak += 1;
    if (this.successStreak >= this.window) {
      this.successStreak = 0;
      this.window += 1;
      this.drain();
    }
  }
}
