/** What starting a run by hand gives (`POST /instances/{id}/sync`). */
export type TriggerResult = { kind: 'started'; runId: string } | { kind: 'busy' } | { kind: 'unknown' };

/**
 * Decides when each instance runs: at start-up, then about once per interval, and when
 * triggered; never two runs of one instance at once.
 */
export interface Scheduler {
  start(): Promise<void>;
  /** Starts a run of the instance now (or as soon as a run slot frees). */
  trigger(instanceId: string): Promise<TriggerResult>;
  /** Whether the scheduler has started and (when used) Redis answers. */
  ready(): boolean;
  /** Stops taking runs, cancels those in progress (their JupiterOne jobs are aborted) and waits for them. */
  stop(): Promise<void>;
}

/** A counting semaphore: at most `size` holders; `acquire` waits for a slot. */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}
