export type FaultKind = 'rate-limit' | 'server-error' | 'reset' | 'slow' | 'malformed-json';

export const FAULT_KINDS: readonly FaultKind[] = ['rate-limit', 'server-error', 'reset', 'slow', 'malformed-json'];

/** A failure to inject into matching requests (checked in order, after authentication). */
export interface FaultRule {
  kind: FaultKind;
  /** An endpoint key (`GET /api/systemusers`) or, as a RegExp, a test of the request path; absent = every endpoint. */
  endpoint?: string | RegExp;
  /** How many matching requests get the fault (default: unlimited). */
  times?: number;
  /** Matching requests to let through first (default 0). */
  afterRequests?: number;
  /** server-error: the status, default 500. */
  status?: number;
  /** rate-limit: the Retry-After value, default '1' (may be an HTTP date). */
  retryAfter?: string;
  /** slow: the delay before answering normally, default 1000 ms. */
  delayMs?: number;
}

interface RuleState {
  readonly rule: FaultRule;
  seen: number;
  applied: number;
}

/**
 * Decides which fault, if any, a request gets. Every rule counts the requests that match it
 * (for `afterRequests`), whether or not an earlier rule took the request; the first rule that
 * is due and has `times` left applies.
 */
export class FaultInjector {
  private states: RuleState[] = [];

  add(rule: FaultRule): void {
    if (!FAULT_KINDS.includes(rule.kind)) throw new RangeError(`unknown fault kind "${String(rule.kind)}"`);
    this.states.push({ rule, seen: 0, applied: 0 });
  }

  clear(): void {
    this.states = [];
  }

  next(endpoint: string, path: string): FaultRule | undefined {
    let chosen: FaultRule | undefined;
    for (const state of this.states) {
      if (!matches(state.rule, endpoint, path)) continue;
      state.seen++;
      if (chosen) continue;
      const due = state.seen > (state.rule.afterRequests ?? 0);
      const left = state.rule.times === undefined || state.applied < state.rule.times;
      if (due && left) {
        state.applied++;
        chosen = state.rule;
      }
    }
    return chosen;
  }
}

function matches(rule: FaultRule, endpoint: string, path: string): boolean {
  if (rule.endpoint === undefined) return true;
  if (typeof rule.endpoint === 'string') return rule.endpoint === endpoint;
  // A global or sticky RegExp keeps state between test() calls; reset it so every request is judged alike.
  rule.endpoint.lastIndex = 0;
  return rule.endpoint.test(path);
}
