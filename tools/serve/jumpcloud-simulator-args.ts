import { CONTROL_OPERATIONS, type DatasetOptions, FAULT_KINDS, type FaultKind, type FaultRule, type SimulatorOptions } from '@jumpcloud-graph/jumpcloud-simulator';
import { parseArgs } from 'node:util';
import { integer, UsageError, usageErrors } from './serve-kit';

export { UsageError } from './serve-kit';

export const SERVE_USAGE = `Usage: nx run jumpcloud-simulator:serve [options]

Starts the JumpCloud API simulator and prints its base URL and API key.

Options:
  --port N                      listen port (default 0: any free port)
  --host HOST                   listen address (default 127.0.0.1)
  --api-key KEY                 expected x-api-key (default simulator-api-key)
  --seed N                      dataset seed (default 1)
  --organizations N             organizations; more than 1 needs x-org-id (default 1)
  --users N                     users per organization (default 25)
  --groups N                    user groups (default 5)
  --members-per-group N[,N...]  members of each group (default 5)
  --applications N              applications (default 3)
  --assignments-per-application N  direct user associations per application (default 3)
  --systems N                   systems (default 5)
  --system-groups N             system groups (default 2)
  --members-per-system-group N[,N...]  members of each system group (default 3)
  --users-per-system N          users bound to each system (default 1)
  --policies N                  device policies (default 4)
  --systems-per-policy N        systems of its OS family each policy is bound to (default 3)
  --system-groups-per-policy N  system groups each policy is bound to (default 1)
  --no-system-insights          answer 403 on System Insights (a plan without it)
  --no-directory-insights       answer 403 on Directory Insights (a key without it)
  --no-past-logins              no logins before the start (Directory Insights has only what
                                the control records)
  --no-edge-cases               exactly the sizes asked, no edge-case objects
  --latency-ms N                delay before every response (default 0)
  --rate-limit N                requests per second (token bucket, burst N) before 429s
  --fault KIND[:REGEX[:TIMES]]  inject a fault (repeatable); KIND is one of ${FAULT_KINDS.join(', ')}
  --verbose, --log-requests     log one line per request to stderr (Nx swallows --verbose: use
                                --log-requests through nx run)
  --help                        show this help

Directory Insights: POST {base URL}/insights/directory/v1/events with x-api-key (and x-org-id
for several organizations) and a JSON query: service, start_time, end_time, sort, limit,
search_after. Paging headers: X-Limit, X-Result-Count, X-Search_after.

Changes with events: POST {base URL}/_control with x-api-key (x-org-id names the organization
to create in) and one operation or an array of them, e.g.
  {"op":"updateUser","id":"<user id>","patch":{"department":"Sales"}}
  {"op":"addUserGroupMember","groupId":"<group id>","userId":"<user id>"}
  {"op":"login","userId":"<user id>","service":"sso"}
It answers {"result":...,"events":[...]}. The operations: ${CONTROL_OPERATIONS.join(', ')}.

Example: npx nx run jumpcloud-simulator:serve --users=1000 --latency-ms=20 --fault=server-error:/members:3`;

export type ServeCommand = { kind: 'help' } | { kind: 'serve'; options: SimulatorOptions; verbose: boolean };

function integerList(flag: string, raw: string | undefined): number | number[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((part) => integer(flag, part.trim()) as number);
  return values.length === 1 ? values[0] : values;
}

/** `kind[:regex[:times]]`; the regex may itself contain colons, so a trailing `:digits` is the count. */
export function parseFault(raw: string): FaultRule {
  const colon = raw.indexOf(':');
  const kind = colon < 0 ? raw : raw.slice(0, colon);
  if (!FAULT_KINDS.includes(kind as FaultKind)) throw new UsageError(`--fault kind must be one of ${FAULT_KINDS.join(', ')}, got "${kind}"`);
  const rule: FaultRule = { kind: kind as FaultKind };
  let rest = colon < 0 ? '' : raw.slice(colon + 1);
  const times = /:(\d+)$/.exec(rest);
  if (times) {
    rule.times = Number(times[1]);
    rest = rest.slice(0, times.index);
  }
  if (rest !== '') {
    try {
      rule.endpoint = new RegExp(rest);
    } catch {
      throw new UsageError(`--fault has an invalid regular expression "${rest}"`);
    }
  }
  return rule;
}

/** Parses the serve command line (without the node and script arguments). */
export function parseServeArgs(argv: readonly string[]): ServeCommand {
  const { values } = usageErrors(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
        seed: { type: 'string' },
        organizations: { type: 'string' },
        users: { type: 'string' },
        groups: { type: 'string' },
        'members-per-group': { type: 'string' },
        applications: { type: 'string' },
        'assignments-per-application': { type: 'string' },
        systems: { type: 'string' },
        'system-groups': { type: 'string' },
        'members-per-system-group': { type: 'string' },
        'users-per-system': { type: 'string' },
        policies: { type: 'string' },
        'systems-per-policy': { type: 'string' },
        'system-groups-per-policy': { type: 'string' },
        'no-system-insights': { type: 'boolean' },
        'no-directory-insights': { type: 'boolean' },
        'no-past-logins': { type: 'boolean' },
        'no-edge-cases': { type: 'boolean' },
        // `--edge-cases=false` too: the spelling other tools (and yargs-style wrappers) produce for --no-edge-cases.
        'edge-cases': { type: 'string' },
        'latency-ms': { type: 'string' },
        'rate-limit': { type: 'string' },
        fault: { type: 'string', multiple: true },
        verbose: { type: 'boolean' },
        // Nx keeps `--verbose` for itself and never forwards it, so `nx run ... serve` needs another name.
        'log-requests': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) return { kind: 'help' };

  const edgeCasesFlag = values['edge-cases'];
  if (edgeCasesFlag !== undefined && edgeCasesFlag !== 'true' && edgeCasesFlag !== 'false') {
    throw new UsageError(`--edge-cases must be true or false, got "${edgeCasesFlag}"`);
  }
  const dataset: DatasetOptions = {
    seed: integer('seed', values.seed),
    organizations: integer('organizations', values.organizations, 1),
    users: integer('users', values.users),
    groups: integer('groups', values.groups),
    membersPerGroup: integerList('members-per-group', values['members-per-group']),
    applications: integer('applications', values.applications),
    assignmentsPerApplication: integer('assignments-per-application', values['assignments-per-application']),
    systems: integer('systems', values.systems),
    systemGroups: integer('system-groups', values['system-groups']),
    membersPerSystemGroup: integerList('members-per-system-group', values['members-per-system-group']),
    usersPerSystem: integer('users-per-system', values['users-per-system']),
    policies: integer('policies', values.policies),
    systemsPerPolicy: integer('systems-per-policy', values['systems-per-policy']),
    systemGroupsPerPolicy: integer('system-groups-per-policy', values['system-groups-per-policy']),
    pastLogins: values['no-past-logins'] ? false : undefined,
    edgeCases: values['no-edge-cases'] || edgeCasesFlag === 'false' ? false : undefined,
  };
  const rateLimit = values['rate-limit'];
  let requestsPerSecond: number | undefined;
  if (rateLimit !== undefined) {
    requestsPerSecond = Number(rateLimit);
    if (rateLimit.trim() === '' || !(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
      throw new UsageError(`--rate-limit must be a positive number of requests per second, got "${rateLimit}"`);
    }
  }
  if (values['api-key'] === '') throw new UsageError('--api-key must not be empty');
  const options: SimulatorOptions = {
    dataset: Object.fromEntries(Object.entries(dataset).filter(([, value]) => value !== undefined)),
    apiKey: values['api-key'],
    host: values.host,
    port: integer('port', values.port, 0, 65535),
    latencyMs: integer('latency-ms', values['latency-ms']),
    rateLimit: requestsPerSecond === undefined ? undefined : { requestsPerSecond },
    faults: (values.fault ?? []).map(parseFault),
    ...(values['no-system-insights'] ? { systemInsights: false } : {}),
    ...(values['no-directory-insights'] ? { directoryInsights: false } : {}),
  };
  return { kind: 'serve', options, verbose: (values.verbose ?? false) || (values['log-requests'] ?? false) };
}
