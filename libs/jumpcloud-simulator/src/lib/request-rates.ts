/**
 * The most times (milliseconds, in any order) within any window of `windowMs`, the window sliding
 * from one time to the next: how a request budget is checked where the requests arrive (the
 * request log's `startedAt`).
 */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
