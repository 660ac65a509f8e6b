/**
 * Token bucket: `burst` tokens, refilled at `requestsPerSecond`. The clock is injectable so the
 * refill arithmetic can be tested without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly requestsPerSecond: number,
    private readonly burst: number = requestsPerSecond,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) throw new RangeError('rateLimit.requestsPerSecond must be a positive number');
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError('rateLimit.burst must be at least 1');
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token: 0 when the request may go on, else the whole seconds to wait (at least 1) for the next token. */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.requestsPerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.requestsPerSecond));
  }
}
