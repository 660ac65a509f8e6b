import { parseServeArgs, UsageError } from './jupiterone-fake-args';

describe('parseServeArgs', () => {
  it('maps the flags onto the listen address and fake options', () => {
    const command = parseServeArgs([
      '--port=4020',
      '--host',
      '0.0.0.0',
      '--api-key=k',
      '--account=acct',
      '--body-limit-bytes=1000',
      '--latency-ms=5',
      '--finalize-delay-ms=250',
      '--log-requests',
    ]);
    expect(command).toEqual({
      kind: 'serve',
      port: 4020,
      host: '0.0.0.0',
      logRequests: true,
      options: { apiKey: 'k', account: 'acct', bodyLimitBytes: 1000, latencyMs: 5, finalizeDelayMs: 250 },
    });
  });

  it('leaves defaults to the fake', () => {
    expect(parseServeArgs([])).toEqual({ kind: 'serve', port: 0, host: '127.0.0.1', logRequests: false, options: {} });
  });

  it('returns help for --help', () => {
    expect(parseServeArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([['--port=70000'], ['--port=x'], ['--latency-ms=-1'], ['--api-key='], ['--bogus'], ['positional']])('rejects %s with a UsageError', (arg) => {
    expect(() => parseServeArgs([arg])).toThrow(UsageError);
  });
});
