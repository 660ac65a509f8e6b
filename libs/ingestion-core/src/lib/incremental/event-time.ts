/**
 * The instant of a Directory Insights timestamp, comparable across offsets and precisions: the
 * epoch millisecond, and the fraction of the second beyond milliseconds (DI may send
 * microseconds or nanoseconds), padded to nanoseconds. `undefined` for a timestamp that is not a
 * date.
 */
export interface EventInstant {
  ms: number;
  /** Nanoseconds below the millisecond, as a 6-digit string ('000000' when none were sent). */
  sub: string;
}

const FRACTION = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}\.(\d+)/;

export function eventInstant(timestamp: string): EventInstant | undefined {
  const ms = Date.parse(timestamp);
  if (!Number.isFinite(ms)) return undefined;
  const digits = FRACTION.exec(timestamp)?.[1] ?? '';
  return { ms, sub: digits.slice(3, 9).padEnd(6, '0') };
}

/** Orders two events by instant, then by id (the order every fold of events uses). */
export function compareInstants(a: EventInstant, aId: string, b: EventInstant, bId: string): number {
  if (a.ms !== b.ms) return a.ms - b.ms;
  if (a.sub !== b.sub) return a.sub < b.sub ? -1 : 1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}
