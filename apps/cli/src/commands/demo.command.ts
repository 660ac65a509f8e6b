import { answerQuestion, selectQuestions } from '@jumpcloud-graph/graph-query';
import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { Command, InvalidArgumentError } from 'commander';
import { resolveSyncConfig } from '../config/sync-config';
import { runSync } from '../run-sync';
import { loadRulesOption } from './alerts.command';
import { withQueryEngine } from './query.command';
import { formatAnswer, loadQuestions } from './questions.command';

/** The questions the demo answers once it has synced: the point of the graph, in one command. */
export const DEMO_QUESTIONS = ['jumpcloud-active-users-without-mfa', 'jumpcloud-application-access'];
/** Rows the demo prints per query (the counts tell them all). */
const DEMO_ROWS = 5;

export interface DemoOptions {
  users: number;
  systems?: number;
  organizations: number;
  latencyMs: number;
  seed: number;
  db: string;
  json?: boolean;
  quiet?: boolean;
  rules?: string;
}

const count = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

/**
 * Starts the built-in JumpCloud simulator on 127.0.0.1 with a sample organization and syncs it
 * into the local graph database. Needs no credentials.
 */
export async function runDemo(options: DemoOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WriteStream; handleSignals?: boolean }) {
  // a bad rules file is a usage error before anything starts
  const alerts = options.rules === undefined ? undefined : loadRulesOption(options.rules, process.env);
  const systems = options.systems ?? Math.ceil(options.users / 2);
  const simulator = new JumpCloudSimulator({
    dataset: {
      seed: options.seed,
      users: options.users,
      organizations: options.organizations,
      // a directory's usual shape: about one device per two users, a few SSO applications, a policy
      // or two per OS family, each bound to about a tenth of the devices
      systems,
      systemGroups: 4,
      membersPerSystemGroup: Math.max(1, Math.ceil(options.users / 10)),
      applications: 8,
      assignmentsPerApplication: Math.max(1, Math.ceil(options.users / 20)),
      policies: 6,
      systemsPerPolicy: Math.max(1, Math.ceil(systems / 10)),
    },
    latencyMs: options.latencyMs,
  });
  const baseUrl = await simulator.start();
  try {
    const config = {
      // Always a full sync: each demo starts a new simulator, whose events have nothing to do with
      // the watermarks a previous demo run recorded in the same database.
      ...resolveSyncConfig({ jumpcloudBaseUrl: baseUrl, db: options.db, logLevel: 'warn', mode: 'full' }, { JUMPCLOUD_API_KEY: simulator.apiKey }),
      // The simulator's port changes every run; links point at the real console so that a second
      // demo run does not see every entity as updated.
      consoleUrl: 'https://console.jumpcloud.com',
    };
    const result = await runSync(config, { ...io, json: options.json === true, quiet: options.quiet === true }, alerts);
    if (result.exitCode === 0 && options.json !== true) await answerDemoQuestions(options.db, io.stdout);
    return result;
  } finally {
    await simulator.stop();
  }
}

/** After the summary: two built-in questions answered on the graph just written, a few rows each. */
async function answerDemoQuestions(db: string, stdout: NodeJS.WritableStream): Promise<void> {
  const questions = selectQuestions(loadQuestions(undefined), { ids: DEMO_QUESTIONS });
  const answers = await withQueryEngine(db, (engine) => Promise.all(questions.map((question) => answerQuestion(engine, question, { nowMs: Date.now(), maxRows: DEMO_ROWS }))));
  if (answers === undefined) return;
  stdout.write(
    `\nAsk the graph (every built-in question: jumpcloud-graph questions run --db ${db}; any J1QL query: jumpcloud-graph query --db ${db} "FIND ..."):\n\n` +
      `${answers.map((answer) => formatAnswer(answer, `the first ${DEMO_ROWS}`)).join('\n\n')}\n`,
  );
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('sync a sample organization from the built-in JumpCloud simulator into the local graph (no credentials needed)')
    .option('--users <n>', 'users in the sample organization', count('--users'), 200)
    .option('--systems <n>', 'devices in the sample organization (default: half the users)', count('--systems'))
    .option('--organizations <n>', 'organizations (more than one makes a multi-tenant key)', count('--organizations'), 1)
    .option('--latency-ms <ms>', 'simulated latency per request', count('--latency-ms'), 0)
    .option('--seed <n>', 'dataset seed', count('--seed'), 1)
    .option('--db <path>', 'local graph database of the demo', '.jumpcloud-graph/demo.db')
    .option('--json', 'print exactly one JSON summary object on stdout, whatever the outcome')
    .option('--quiet', 'no progress display and no log lines but errors')
    .option('--rules <file>', 'alert rules evaluated after the sync, as sync --rules (docs/alert-rules.sample.yaml with alerts receive)')
    .addHelpText('after', '\nExample:\n  jumpcloud-graph demo --users 1000 --latency-ms 20\n  jumpcloud-graph export --db .jumpcloud-graph/demo.db --format json')
    .action(async (options: DemoOptions) => {
      const { exitCode } = await runDemo(options, { stdout: process.stdout, stderr: process.stderr, handleSignals: true });
      process.exitCode = exitCode;
    });
}
