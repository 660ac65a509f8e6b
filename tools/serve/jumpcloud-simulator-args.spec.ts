import { CONTROL_OPERATIONS } from '@jumpcloud-graph/jumpcloud-simulator';
import { parseFault, parseServeArgs, SERVE_USAGE, UsageError } from './jumpcloud-simulator-args';

describe('parseServeArgs', () => {
  it('maps the flags onto simulator and dataset options', () => {
    const command = parseServeArgs([
      '--port=4010',
      '--users=1000',
      '--members-per-group=5,10',
      '--organizations',
      '2',
      '--no-edge-cases',
      '--latency-ms=20',
      '--rate-limit=7.5',
      '--api-key=k',
      '--fault=reset',
      '--fault=server-error:/api/v2/.*:3',
      '--log-requests',
    ]);
    expect(command).toEqual({
      kind: 'serve',
      verbose: true,
      options: expect.objectContaining({
        port: 4010,
        apiKey: 'k',
        latencyMs: 20,
        rateLimit: { requestsPerSecond: 7.5 },
        dataset: { users: 1000, membersPerGroup: [5, 10], organizations: 2, edgeCases: false },
        faults: [{ kind: 'reset' }, { kind: 'server-error', endpoint: /\/api\/v2\/.*/, times: 3 }],
      }),
    });
  });

  it('leaves defaults to the simulator', () => {
    const command = parseServeArgs([]);
    expect(command).toEqual({ kind: 'serve', verbose: false, options: expect.objectContaining({ dataset: {}, faults: [] }) });
  });

  it('maps the policy sizes, and --no-system-insights onto a plan without System Insights', () => {
    const command = parseServeArgs(['--policies=12', '--systems-per-policy=40', '--system-groups-per-policy=2', '--no-system-insights']);
    expect(command.kind === 'serve' && command.options).toEqual(
      expect.objectContaining({ dataset: { policies: 12, systemsPerPolicy: 40, systemGroupsPerPolicy: 2 }, systemInsights: false }),
    );
    expect(parseServeArgs([])).toEqual({ kind: 'serve', verbose: false, options: expect.not.objectContaining({ systemInsights: false }) });
  });

  it('maps --no-directory-insights onto a key without Directory Insights, and --no-past-logins onto the dataset', () => {
    const command = parseServeArgs(['--no-directory-insights', '--no-past-logins']);
    expect(command.kind === 'serve' && command.options).toEqual(expect.objectContaining({ dataset: { pastLogins: false }, directoryInsights: false }));
    expect(parseServeArgs([])).toEqual({ kind: 'serve', verbose: false, options: expect.not.objectContaining({ directoryInsights: false }) });
  });

  it('documents Directory Insights and the control endpoint with every operation in --help', () => {
    expect(SERVE_USAGE).toContain('--no-directory-insights');
    expect(SERVE_USAGE).toContain('POST {base URL}/insights/directory/v1/events');
    expect(SERVE_USAGE).toContain('POST {base URL}/_control');
    for (const operation of CONTROL_OPERATIONS) expect(SERVE_USAGE).toContain(operation);
  });

  it('accepts --edge-cases=false', () => {
    const command = parseServeArgs(['--edge-cases=false']);
    expect(command.kind === 'serve' && command.options.dataset).toEqual({ edgeCases: false });
  });

  it('returns help for --help', () => {
    expect(parseServeArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it.each([['--users=-1'], ['--users=ten'], ['--port=70000'], ['--bogus'], ['--rate-limit=0'], ['--fault=explode'], ['positional'], ['--organizations=0']])(
    'rejects %s with a UsageError',
    (arg) => {
      expect(() => parseServeArgs([arg])).toThrow(UsageError);
    },
  );
});

describe('parseFault', () => {
  it('keeps colons inside the regex and reads a trailing count', () => {
    expect(parseFault('slow:^/api:x:2')).toEqual({ kind: 'slow', endpoint: /^\/api:x/, times: 2 });
    expect(parseFault('malformed-json:/members')).toEqual({ kind: 'malformed-json', endpoint: /\/members/ });
  });

  it('rejects an invalid regex', () => {
    expect(() => parseFault('reset:(')).toThrow(UsageError);
  });
});
