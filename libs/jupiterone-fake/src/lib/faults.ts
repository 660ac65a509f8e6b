export type FakeEndpoint = 'start' | 'entities' | 'relationships' | 'finalize' | 'abort' | 'status' | 'events' | 'graphql';

export const FAKE_ENDPOINTS: readonly FakeEndpoint[] = ['start', 'entities', 'relationships', 'finalize', 'abort', 'status', 'events', 'graphql'];

/** A failure to give matching requests instead of handling them (checked after auth and routing). */
export interface FakeFault {
  endpoint: FakeEndpoint;
  /** HTTP status to answer (429, 500, 502, 503, 413, 400...) instead of handling the request; nothing is processed. */
  status: number;
  /** Default 1: the next N matching requests fail, then the fault is used up. */
  times?: number;
  /** Matching requests to let through first (default 0). */
  after?: number;
  /** A Retry-After header value ('1', or an HTTP date). */
  retryAfter?: string;
  /** error.code in the body (default: the status's reason phrase, e.g. SERVICE_UNAVAILABLE). */
  code?: string;
  /** Destroy the socket (after reading the request) instead of answering. */
  reset?: boolean;
  /**
   * Handle the request first, keeping its effects, and only then answer with the fault (or reset):
   * an answer lost after the server did the work, so a retry meets e.g. DUPLICATE_KEY.
   */
  processFirst?: boolean;
}

interface FaultState {
  readonly fault: FakeFault;
  seen: number;
  applied: number;
}

function isCount(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

/** Checks a fault from a test or from `POST /__fake/faults`; throws a RangeError naming the bad member. */
export function checkFault(value: unknown): FakeFault {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RangeError('a fault must be an object');
  const fault = value as Record<string, unknown>;
  if (!FAKE_ENDPOINTS.includes(fault['endpoint'] as FakeEndpoint)) {
    throw new RangeError(`fault endpoint must be one of ${FAKE_ENDPOINTS.join(', ')}, got ${JSON.stringify(fault['endpoint'])}`);
  }
  const status = fault['status'];
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`fault status must be an HTTP status (100..599), got ${JSON.stringify(status)}`);
  }
  if (fault['times'] !== undefined && !isCount(fault['times'], 1)) throw new RangeError('fault times must be an integer >= 1');
  if (fault['after'] !== undefined && !isCount(fault['after'], 0)) throw new RangeError('fault after must be an integer >= 0');
  for (const name of ['retryAfter', 'code']) {
    if (fault[name] !== undefined && typeof fault[name] !== 'string') throw new RangeError(`fault ${name} must be a string`);
  }
  for (const name of ['reset', 'processFirst']) {
    if (fault[name] !== undefined && typeof fault[name] !== 'boolean') throw new RangeError(`fault ${name} must be a boolean`);
  }
  return value as FakeFault;
}

/**
 * Decides which fault, if any, a request gets. Every fault counts the requests of its endpoint
 * (for `after`), whether or not an earlier fault took the request; the first one that is due and
 * not used up applies.
 */
export class FaultInjector {
  private states: FaultState[] = [];

  add(faults: readonly FakeFault[]): void {
    // Check all first so that a bad list injects nothing.
    const checked = faults.map(checkFault);
    for (const fault of checked) this.states.push({ fault: { ...fault }, seen: 0, applied: 0 });
  }

  clear(): void {
    this.states = [];
  }

  next(endpoint: FakeEndpoint): FakeFault | undefined {
    let chosen: FakeFault | undefined;
    for (const state of this.states) {
      if (state.fault.endpoint !== endpoint) continue;
      state.seen++;
      if (chosen) continue;
      if (state.seen > (state.fault.after ?? 0) && state.applied < (state.fault.times ?? 1)) {
        state.applied++;
        chosen = state.fault;
      }
    }
    this.states = this.states.filter((state) => state.applied < (state.fault.times ?? 1));
    return chosen;
  }
}
