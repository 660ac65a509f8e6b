import { busiestWindow } from './request-rates';

describe('busiestWindow', () => {
  it('counts the most times within any sliding window, in any order', () => {
    expect(busiestWindow([], 1000)).toBe(0);
    expect(busiestWindow([2500, 0, 999, 1000, 1999], 1000)).toBe(2);
    expect(busiestWindow([1000, 400, 0, 999], 1000)).toBe(3);
    // a window is [t, t + windowMs): times exactly windowMs apart are in two windows
    expect(busiestWindow([0, 1000, 2000], 1000)).toBe(1);
    expect(busiestWindow([5, 5, 5], 1)).toBe(3);
  });
});
