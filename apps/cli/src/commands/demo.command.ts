import { createJumpCloudClient } from '@jumpcloud-graph/jumpcloud-client';
import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { Command, InvalidArgumentError } from 'commander';
import { type OrganizationInventory, readInventory } from '../inventory';

export interface DemoResult {
  organizations: OrganizationInventory[];
  apiRequests: number;
  retries: number;
  requestsByEndpoint: Record<string, number>;
  durationMs: number;
}

export interface DemoOptions {
  users: number;
  organizations: number;
  latencyMs: number;
  seed: number;
}

/**
 * Starts the built-in simulator on 127.0.0.1 with a sample organization and reads all of it
 * through the JumpCloud client. Needs no credentials.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const simulator = new JumpCloudSimulator({
    dataset: { seed: options.seed, users: options.users, organizations: options.organizations },
    latencyMs: options.latencyMs,
  });
  const baseUrl = await simulator.start();
  try {
    const started = performance.now();
    const client = createJumpCloudClient({ apiKey: simulator.apiKey, baseUrl });
    const organizations = await readInventory(client);
    const counts = client.requestCounts();
    return {
      organizations,
      apiRequests: counts.total,
      retries: counts.retries,
      requestsByEndpoint: counts.byEndpoint,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await simulator.stop();
  }
}

export function formatDemo(result: DemoResult): string {
  const rows: Array<[string, keyof OrganizationInventory]> = [
    ['users', 'users'],
    ['user groups', 'userGroups'],
    ['user group members', 'userGroupMembers'],
    ['applications', 'applications'],
    ['application assignments', 'applicationAssignments'],
    ['devices', 'systems'],
    ['device groups', 'systemGroups'],
    ['device group members', 'systemGroupMembers'],
    ['user-device associations', 'userDeviceAssociations'],
  ];
  const lines: string[] = [];
  for (const org of result.organizations) {
    lines.push(`organization ${org.name} (${org.id})`);
    for (const [label, key] of rows) lines.push(`  ${label.padEnd(26)}${String(org[key]).padStart(8)}`);
  }
  lines.push(`API requests ${result.apiRequests} (retries ${result.retries}) in ${result.durationMs} ms`);
  return lines.join('\n');
}

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

export function demoCommand(): Command {
  return new Command('demo')
    .description('read a sample organization from the built-in JumpCloud simulator (no credentials needed)')
    .option('--users <n>', 'users in the sample organization', positiveInt('--users'), 200)
    .option('--organizations <n>', 'organizations (more than one makes a multi-tenant key)', positiveInt('--organizations'), 1)
    .option('--latency-ms <ms>', 'simulated latency per request', positiveInt('--latency-ms'), 0)
    .option('--seed <n>', 'dataset seed', positiveInt('--seed'), 1)
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', '\nExample:\n  jumpcloud-graph demo --users 1000 --latency-ms 20')
    .action(async (opts: DemoOptions & { json?: boolean }) => {
      const result = await runDemo(opts);
      process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `${formatDemo(result)}\n`);
    });
}
