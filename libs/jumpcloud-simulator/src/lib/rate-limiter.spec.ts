import { TokenBucket } from './rate-limiter';

describe('TokenBucket', () => {
  it('allows a burst, then asks to wait whole seconds, then refills', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(1);
    now += 500; // one token back at 2 per second
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(1);
  });

  it('rounds Retry-After up for slow rates', () => {
    let now = 0;
    const bucket = new TokenBucket(0.25, 1, () => now);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(4);
    now += 3000;
    expect(bucket.take()).toBe(1);
  });

  it('never holds more than the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 1]);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});
