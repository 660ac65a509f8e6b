import { KeyDeduplicator } from './key-deduplicator';

describe('KeyDeduplicator', () => {
  it('accepts a key the first time and refuses it, counted, every time after', () => {
    const dedupe = new KeyDeduplicator();
    expect(dedupe.accept('a|has|b')).toBe(true);
    expect(dedupe.accept('a|has|b')).toBe(false);
    expect(dedupe.accept('a|has|b')).toBe(false);
    expect(dedupe.accept('a|has|c')).toBe(true);
    expect(dedupe.duplicates).toBe(2);
    expect(dedupe.size).toBe(2);
  });

  it('tells whether a key was accepted, without counting it', () => {
    const dedupe = new KeyDeduplicator();
    dedupe.accept('user-1xxxxxx');
    expect(dedupe.has('user-1xxxxxx')).toBe(true);
    expect(dedupe.has('user-2xxxxxx')).toBe(false);
    expect(dedupe.duplicates).toBe(0);
    expect(dedupe.size).toBe(1);
  });

  it('compares keys exactly (case matters)', () => {
    const dedupe = new KeyDeduplicator();
    expect(dedupe.accept('abc')).toBe(true);
    expect(dedupe.accept('ABC')).toBe(true);
  });

  it('starts empty', () => {
    const dedupe = new KeyDeduplicator();
    expect(dedupe.size).toBe(0);
    expect(dedupe.duplicates).toBe(0);
  });
});
