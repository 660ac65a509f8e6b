import { isRetryableStatus } from './jupiterone-retry';

describe('JupiterOne retry policy', () => {
  it('retries throttling and server failures only', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [200, 400, 401, 403, 404, 409, 413, 501]) expect(isRetryableStatus(status)).toBe(false);
  });
});
