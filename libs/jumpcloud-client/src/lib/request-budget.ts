/**
 * A request budget shared beyond this client: every process that reads JumpCloud with the same key
 * takes its requests from it (JumpCloud limits a key, not a process). The client asks for a lease
 * before each attempt, after its own scheduler's slot, and gives it back when the attempt ends,
 * saying whether JumpCloud throttled it.
 */
export interface RequestBudget {
  /** Waits until the key's budget allows one more request (rate and requests in flight); rejects when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<BudgetLease>;
}

/** What an attempt reports when it gives its lease back. */
export interface BudgetOutcome {
  /** JumpCloud answered 429: the key's budget slows down for every process sharing it. */
  throttled: boolean;
  /** The 429's `Retry-After`, in milliseconds: the key pauses that long everywhere. */
  retryAfterMs?: number;
}

/** One request's share of the budget, given back once (a second release is ignored). */
export interface BudgetLease {
  release(outcome: BudgetOutcome): void;
}
