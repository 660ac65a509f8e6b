import { describeError, errorCode, failureReason, scrubError } from './fetch-errors';

// What undici's fetch throws when the connection fails: a TypeError whose cause has the code.
function fetchFailure(message: string, code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

describe('fetch errors', () => {
  it('finds the code on the error or down its causes', () => {
    expect(errorCode(fetchFailure('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(errorCode(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(errorCode(new Error('no code'))).toBeUndefined();
    expect(errorCode('a string')).toBeUndefined();
  });

  it("describes an error with its cause's message, once", () => {
    expect(describeError(fetchFailure('getaddrinfo ENOTFOUND nowhere.example', 'ENOTFOUND'))).toBe('fetch failed: getaddrinfo ENOTFOUND nowhere.example');
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError(new Error('same', { cause: new Error('same') }))).toBe('same');
    expect(describeError(42)).toBe('42');
  });

  it('gives the reason of a failed request with its code', () => {
    expect(failureReason(fetchFailure('socket hang up', 'ECONNRESET'))).toEqual({ reason: 'fetch failed: socket hang up (ECONNRESET)', code: 'ECONNRESET' });
    expect(failureReason(new Error('aborted'))).toEqual({ reason: 'aborted', code: undefined });
  });

  it('copies an error as a plain one, scrubbed, keeping its name and code', () => {
    const copy = scrubError(fetchFailure('bad key s3cret in url', 'ECONNRESET'), (text) => text.replace('s3cret', '[REDACTED]'));
    expect(copy.message).toBe('fetch failed: bad key [REDACTED] in url');
    expect(copy.name).toBe('TypeError');
    expect(copy).toMatchObject({ code: 'ECONNRESET' });
    expect(copy.cause).toBeUndefined();
  });
});
