import { durationMs, MAX_FULL_EVERY_MS, parseDuration } from './duration';

describe('durations (fullEvery, --full-every)', () => {
  it.each([
    ['30s', 30_000],
    ['30m', 1_800_000],
    [' 6h ', 21_600_000],
    ['24h', 86_400_000],
    ['2d', 172_800_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['24', '1.5h', '-1h', 'h', '2w', '1 d', '', '1e3s'])('refuses %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it('as a setting: longer than 0, at most 80 days, one message each', () => {
    expect(durationMs.parse('80d')).toBe(MAX_FULL_EVERY_MS);
    expect(durationMs.safeParse('81d').error?.issues[0]?.message).toBe('must be at most 80d');
    expect(durationMs.safeParse('0h').error?.issues[0]?.message).toBe('must be longer than 0');
    expect(durationMs.safeParse('soon').error?.issues[0]?.message).toMatch(/^must be a duration such as 30m/);
    expect(durationMs.safeParse(24).error?.issues[0]?.message).toMatch(/^must be a duration such as 30m/);
  });
});
