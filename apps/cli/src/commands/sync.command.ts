import { Command } from 'commander';
import { readConfigFile, resolveSyncConfig, UsageError } from '../config/sync-config';
import { EXIT_USAGE } from '../exit-codes';
import { runSync } from '../run-sync';
import { loadRulesOption } from './alerts.command';
import { failureSummary } from '../summary-format';

export interface SyncFlags {
  jumpcloudApiKey?: string;
  jumpcloudOrgId?: string;
  jumpcloudBaseUrl?: string;
  target?: string;
  db?: string;
  accountName?: string;
  tagAccountName?: boolean;
  includeSshKeys?: boolean;
  allowInsecureHttp?: boolean;
  steps?: string;
  concurrency?: string;
  logLevel?: string;
  jupiteroneApiKey?: string;
  jupiteroneAccount?: string;
  jupiteroneRegion?: string;
  jupiteroneBaseUrl?: string;
  integrationInstanceId?: string;
  scope?: string;
  wait?: boolean;
  uploadBatchBytes?: string;
  uploadConcurrency?: string;
  rules?: string;
  mode?: string;
  fullEvery?: string;
  maxUnresolved?: string;
  lastLoginDays?: string;
  config?: string;
  json?: boolean;
  quiet?: boolean;
}

/** How to reach JupiterOne and who to be there (sync, validate, uninstall). */
export function addJupiterOneConnectionOptions(command: Command): Command {
  return command
    .option('--jupiterone-api-key <key>', 'JupiterOne API key, sent as a Bearer token (prefer the JUPITERONE_API_KEY variable)')
    .option('--jupiterone-account <id>', 'JupiterOne account id, the JupiterOne-Account header (JUPITERONE_ACCOUNT)')
    .option('--jupiterone-region <region>', 'us or eu (JUPITERONE_REGION; default us)')
    .option('--jupiterone-base-url <url>', 'JupiterOne API origin; wins over the region (JUPITERONE_API_BASE_URL)');
}

/** Where in JupiterOne the data goes (sync, uninstall). */
export function addJupiterOneTargetOptions(command: Command): Command {
  return command
    .option('--integration-instance-id <id>', 'publish as this integration instance (JUPITERONE_INTEGRATION_INSTANCE_ID)')
    .option('--scope <scope>', 'DIFF scope of an API-sourced job (JUPITERONE_SYNC_SCOPE; default jumpcloud-graph:<organization ids>)')
    .option('--wait', 'wait for JupiterOne to finish the job and report what it created, updated and deleted');
}

/** The options of the JupiterOne target (sync, uninstall). */
export function addJupiterOneOptions(command: Command): Command {
  return addJupiterOneTargetOptions(addJupiterOneConnectionOptions(command));
}

/** What sync and validate share: the JumpCloud and JupiterOne connections, the target, the output. */
export function addConnectionOptions(command: Command): Command {
  return addJupiterOneConnectionOptions(
    command
      .option('--jumpcloud-api-key <key>', 'JumpCloud API key (prefer the JUMPCLOUD_API_KEY variable)')
      .option('--jumpcloud-org-id <id>', 'sync only this organization, sent as x-org-id (JUMPCLOUD_ORG_ID)')
      .option('--jumpcloud-base-url <url>', 'JumpCloud console origin (JUMPCLOUD_BASE_URL; default https://console.jumpcloud.com)')
      .option('--target <target>', 'local or jupiterone (JUMPCLOUD_GRAPH_TARGET; default local)')
      .option('--db <path>', 'local graph database (JUMPCLOUD_GRAPH_DB; default .jumpcloud-graph/graph.db); with --target jupiterone, given explicitly, the state of incremental syncs')
      .option('--allow-insecure-http', 'allow http:// JumpCloud and JupiterOne URLs that are not loopback (keys would travel unencrypted)')
      .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (LOG_LEVEL; default info)')
      .option('--config <file>', 'YAML or JSON file of settings (flags and variables win over it)')
      .option('--json', 'print exactly one JSON object on stdout, whatever the outcome'),
  );
}

/** The options of a sync (sync; validate takes only the connection options). */
export function addSyncOptions(command: Command): Command {
  return addJupiterOneTargetOptions(addConnectionOptions(command))
    .option('--upload-batch-bytes <n>', 'largest upload request body (JUPITERONE_UPLOAD_BATCH_BYTES; default 5000000)')
    .option('--upload-concurrency <n>', 'uploads in flight at most (JUPITERONE_UPLOAD_CONCURRENCY; default 6)')
    .option('--account-name <name>', 'account name for summaries and tag.AccountName (JUMPCLOUD_ACCOUNT_NAME)')
    .option('--tag-account-name', 'add tag.AccountName to every entity')
    .option('--include-ssh-keys', "keep users' SSH public keys in _rawData")
    .option('--steps <ids>', 'run only these steps (and the steps they depend on), comma-separated; the types of the others are partial')
    .option('--concurrency <n>', 'JumpCloud requests in flight at most (JUMPCLOUD_CONCURRENCY; default 8)')
    .option('--rules <file>', 'alert rules (YAML or JSON) evaluated after the run, new findings delivered (JUMPCLOUD_GRAPH_RULES; docs/alerts.md)')
    .option('--mode <mode>', 'full, incremental (what Directory Insights events name since the last run) or auto (JUMPCLOUD_SYNC_MODE; default auto; full with --steps)')
    .option('--full-every <duration>', 'auto runs a full sync when the last one is older than this: 30m, 6h, 24h, 2d... at most 80d (JUMPCLOUD_SYNC_FULL_EVERY; default 24h)')
    .option('--max-unresolved <n>', 'more Directory Insights events that cannot be resolved than this make the run a full one (JUMPCLOUD_SYNC_MAX_UNRESOLVED; default 50)')
    .option('--last-login-days <n>', "days of logins a full sync without a previous watermark reads for users' lastLoginOn, 1 to 90 (JUMPCLOUD_LAST_LOGIN_DAYS; default 30)")
    .option('--quiet', 'no progress display and no log lines but errors');
}

export function resolveFromFlags(flags: SyncFlags, env: NodeJS.ProcessEnv) {
  const file = flags.config ? readConfigFile(flags.config) : {};
  return resolveSyncConfig(flags, env, file);
}

export function syncCommand(): Command {
  return addSyncOptions(new Command('sync'))
    .description('read JumpCloud and write the graph to the target (the local graph database by default)')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 failure (nothing finalized), 2 usage/configuration/authentication (also --mode incremental without a previous run or without Directory Insights, or with --target jupiterone without --db), 3 partial.\n\nExamples:\n  JUMPCLOUD_API_KEY=... jumpcloud-graph sync --db ./graph.db --json\n  JUMPCLOUD_API_KEY=... jumpcloud-graph sync --mode incremental --db ./graph.db\n  JUMPCLOUD_API_KEY=... JUPITERONE_API_KEY=... JUPITERONE_ACCOUNT=... jumpcloud-graph sync --target jupiterone --wait\n  JUMPCLOUD_API_KEY=... JUPITERONE_API_KEY=... JUPITERONE_ACCOUNT=... jumpcloud-graph sync --target jupiterone --db ./j1-state.db --mode auto',
    )
    .action(async (flags: SyncFlags) => {
      let config;
      let alerts;
      try {
        config = resolveFromFlags(flags, process.env);
        alerts = config.rules === undefined ? undefined : loadRulesOption(config.rules, process.env);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`jumpcloud-graph: ${error.message}\n`);
        if (flags.json) process.stdout.write(`${JSON.stringify(failureSummary(error.message))}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      const io = { stdout: process.stdout, stderr: process.stderr, json: flags.json === true, quiet: flags.quiet === true, handleSignals: true };
      const { exitCode } = await runSync(config, io, alerts);
      process.exitCode = exitCode;
    });
}
