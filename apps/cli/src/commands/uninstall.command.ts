import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { type Logger } from '@jumpcloud-graph/domain';
import { defaultJupiterOneScope } from '@jumpcloud-graph/jupiterone-publisher';
import { removeLocalGraph } from '@jumpcloud-graph/runtime';
import { Command } from 'commander';
import { type CommandConfig, readConfigFile, resolveCommandConfig, UsageError } from '../config/sync-config';
import { jumpCloudSourceFor, jupiterOnePublisherFor } from '../container';
import { EXIT_SUCCESS, EXIT_USAGE } from '../exit-codes';
import { createLogger } from '../logger';
import { exitCodeFor, oneLine } from '../run-sync';
import { openExistingStore } from './export.command';
import { addJupiterOneOptions, type SyncFlags } from './sync.command';

interface UninstallFlags extends SyncFlags {
  yes?: boolean;
}

interface UninstallIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/** What an uninstall removes, in words for the prompt and the summary. */
interface Plan {
  what: string;
  run(): Promise<Record<string, unknown>>;
}

/**
 * The organizations whose default scope (`jumpcloud-graph:<ids>`) the data was published under:
 * the org id when one is given, else those the JumpCloud key lists (read, never written).
 */
async function organizationIds(config: CommandConfig, logger: Logger): Promise<string[]> {
  if (config.jumpcloudOrgId) return [config.jumpcloudOrgId];
  if (config.jumpcloudApiKey === undefined) {
    throw new UsageError('--scope, --integration-instance-id or the JumpCloud key (JUMPCLOUD_API_KEY) is needed to know what to remove');
  }
  const organizations = await jumpCloudSourceFor({ ...config, jumpcloudApiKey: config.jumpcloudApiKey }, logger).listOrganizations();
  return organizations.map((o) => o.id);
}

async function planFor(config: CommandConfig, logger: Logger): Promise<Plan> {
  if (config.target === 'local') {
    if (!existsSync(config.db)) throw new UsageError(`--db ${config.db} does not exist; nothing to remove`);
    // Checked before asking: a file that is not a jumpcloud-graph database is never offered for deletion.
    openExistingStore(config.db).close();
    return {
      what: `the local graph database ${config.db}`,
      async run() {
        await removeLocalGraph(config.db);
        return { target: 'local', db: config.db };
      },
    };
  }
  const publisher = jupiterOnePublisherFor(config, logger);
  if (config.integrationInstanceId !== undefined) {
    return {
      what: `everything published to JupiterOne account ${config.jupiteroneAccount} by integration instance ${config.integrationInstanceId}`,
      run: async () => ({ target: 'jupiterone', integrationInstanceId: config.integrationInstanceId, ...(await publisher.uninstall()) }),
    };
  }
  const ids = config.scope === undefined ? await organizationIds(config, logger) : [];
  const scope = config.scope ?? defaultJupiterOneScope(ids);
  return {
    what: `everything published to JupiterOne account ${config.jupiteroneAccount} under scope ${scope}`,
    run: async () => ({ target: 'jupiterone', scope, ...(await publisher.uninstall({ organizationIds: ids })) }),
  };
}

async function confirmed(plan: Plan, io: UninstallIo): Promise<boolean> {
  if (!io.stdin.isTTY) throw new UsageError(`uninstall deletes ${plan.what}; confirm with --yes when not at a terminal`);
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await prompt.question(`Delete ${plan.what}? This cannot be undone. [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/** Removes what this integration published, after a confirmation (or `--yes`). Returns the exit code. */
export async function runUninstall(flags: UninstallFlags, env: NodeJS.ProcessEnv, io: UninstallIo): Promise<number> {
  try {
    const config = resolveCommandConfig(flags, env, flags.config ? readConfigFile(flags.config) : {});
    const logger = createLogger(config.logLevel);
    for (const warning of config.warnings) logger.warn({}, warning);
    const plan = await planFor(config, logger);
    if (!flags.yes && !(await confirmed(plan, io))) {
      io.stderr.write('jumpcloud-graph: uninstall cancelled; nothing was deleted\n');
      return EXIT_USAGE;
    }
    const result = await plan.run();
    io.stdout.write(flags.json ? `${JSON.stringify({ status: 'success', ...result })}\n` : `deleted ${plan.what}\n`);
    return EXIT_SUCCESS;
  } catch (error) {
    io.stderr.write(`jumpcloud-graph: ${oneLine(error)}\n`);
    return exitCodeFor(error);
  }
}

export function uninstallCommand(): Command {
  return addJupiterOneOptions(
    new Command('uninstall')
      .description('remove everything this integration published: the local graph database, or its JupiterOne scope or integration instance')
      .option('--target <target>', 'local or jupiterone (JUMPCLOUD_GRAPH_TARGET; default local)')
      .option('--db <path>', 'local graph database (JUMPCLOUD_GRAPH_DB; default .jumpcloud-graph/graph.db)')
      .option('--jumpcloud-org-id <id>', 'the organization whose default scope to remove (JUMPCLOUD_ORG_ID)')
      .option('--jumpcloud-base-url <url>', 'JumpCloud console origin, to list the organizations of the default scope (JUMPCLOUD_BASE_URL)')
      .option('--log-level <level>', 'pino level (LOG_LEVEL; default info)')
      .option('--config <file>', 'YAML or JSON file of settings')
      .option('--yes', 'do not ask for confirmation')
      .option('--json', 'print one JSON result object on stdout'),
  )
    .addHelpText(
      'after',
      '\nA JupiterOne uninstall finalizes an empty DIFF job for the scope or instance, so JupiterOne deletes every object of it.\n\nExamples:\n  JUPITERONE_API_KEY=... JUPITERONE_ACCOUNT=... jumpcloud-graph uninstall --target jupiterone --scope jumpcloud-graph:5c2a... --yes\n  jumpcloud-graph uninstall --db .jumpcloud-graph/demo.db',
    )
    .action(async (flags: UninstallFlags) => {
      process.exitCode = await runUninstall(flags, process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    });
}
