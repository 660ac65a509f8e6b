import { type DiscoveryRecord } from '../tenants/discovery';
import { type KnownOrganization } from '../tenants/organizations';

/** What starting a run by hand gives (`POST /instances/{id}/sync`). */
export type TriggerResult = { kind: 'started'; runId: string } | { kind: 'busy' } | { kind: 'unknown' };

/** The latest run that started (on any replica): when, and once it ended, how. */
export type LastRun = {
  runId: string;
  startedAt: string;
  endedAt?: string;
  /** `success`, `partial`, `failure` or `cancelled`, once the run ended. */
  status?: string;
  /** How it read JumpCloud (`full` or `incremental`), when it got that far. */
  mode?: string;
  error?: string;
};

/** One organization of a multi-tenant instance in `GET /status`. */
export interface OrganizationStatus {
  id: string;
  name: string;
  running: boolean;
  lastRun: LastRun | null;
  nextRunAt: string | null;
  /** Discoveries in a row that did not list it (its runs are paused meanwhile). */
  missingDiscoveries: number;
}

/** An instance's last run and next one, as `GET /status` reports them (times in RFC 3339). */
export interface InstanceStatus {
  id: string;
  /** A run of the instance (of any of its organizations) is in progress (on any replica). */
  running: boolean;
  /** The latest run that started (on any replica); null for a multi-tenant instance (see its organizations). */
  lastRun: LastRun | null;
  /** When the next scheduled run is due; null without a schedule (and for a multi-tenant instance). */
  nextRunAt: string | null;
  /** A multi-tenant instance: its last discovery and when the next is due. */
  discovery?: { last: DiscoveryRecord | null; nextAt: string | null };
  /** A multi-tenant instance: every organization it knows. */
  organizations?: OrganizationStatus[];
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
  /**
   * Starts a run of the instance now (or as soon as a run slot frees); of one organization of a
   * multi-tenant instance with `orgId`. Without `orgId`, a multi-tenant instance discovers its
   * organizations again, then runs each.
   */
  trigger(instanceId: string, orgId?: string): Promise<TriggerResult>;
  /** Every instance's last and next run (from Redis for a worker on Redis: any replica answers for all). */
  status(): Promise<InstanceStatus[]>;
  /** What the discoveries of a multi-tenant instance know, by organization id (none for another instance). */
  organizations(instanceId: string): Promise<KnownOrganization[]>;
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
