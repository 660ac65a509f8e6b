/** What starting a run by hand gives (`POST /instances/{id}/sync`). */
export type TriggerResult = { kind: 'started'; runId: string } | { kind: 'busy' } | { kind: 'unknown' };

/** An instance's last run and next one, as `GET /status` reports them (times in RFC 3339). */
export interface InstanceStatus {
  id: string;
  /** A run of the instance is in progress (on any replica). */
  running: boolean;
  /** The latest run that started (on any replica): when, where, and once it ended, how. */
  lastRun: {
    runId: string;
    startedAt: string;
    endedAt?: string;
    /** `success`, `partial`, `failure` or `cancelled`, once the run ended. */
    status?: string;
    /** How it read JumpCloud (`full` or `incremental`), when it got that far. */
    mode?: string;
    error?: string;
  } | null;
  /** When the next scheduled run is due; null without a schedule. */
  nextRunAt: string | null;
}

/** What a run reports to the status when it ends. */
export interface RunEnd {
  status: string;
  mode?: string;
  error?: string;
}

/**
 * Decides when each instance runs: at start-up, then about once per interval, and when
 * triggered; never two runs of one instance at once.
 */
export interface Scheduler {
  start(): Promise<void>;
  /** Starts a run of the instance now (or as soon as a run slot frees). */
  trigger(instanceId: string): Promise<TriggerResult>;
  /** Every instance's last and next run (from Redis for a worker on Redis: any replica answers for all). */
  status(): Promise<InstanceStatus[]>;
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
