import { existsSync } from 'node:fs';
import { silentLogger } from '@jumpcloud-graph/domain';
import { Command } from 'commander';
import { type SyncConfig } from '../config/sync-config';
import { jumpCloudSourceFor, jupiterOnePublisherFor } from '../container';
import { EXIT_SUCCESS } from '../exit-codes';
import { exitCodeFor, oneLine } from '../run-sync';
import { openExistingStore } from './export.command';
import { addConnectionOptions, resolveFromFlags, type SyncFlags } from './sync.command';

/** What `validate --json` prints: one object, whatever the outcome. */
interface ValidateResult {
  valid: boolean;
  error?: string;
  target?: 'local' | 'jupiterone';
  organizations: Array<{ id: string; name: string }>;
  /** The JupiterOne credentials check (target jupiterone): accepted, and jumpcloud_account entities found. */
  jupiterone?: { credentials: 'accepted'; accountsFound: number };
  /** The local graph database (target local): an existing database of ours, or none yet. */
  db?: { path: string; exists: boolean };
}

/** The target's own check: JupiterOne's credentials with a harmless read, or the local database is ours. */
async function checkTarget(config: SyncConfig, result: ValidateResult): Promise<void> {
  if (config.target === 'jupiterone') {
    const { accountsFound } = await jupiterOnePublisherFor(config, silentLogger).verifyCredentials();
    result.jupiterone = { credentials: 'accepted', accountsFound };
    return;
  }
  const exists = existsSync(config.db);
  // Opening checks that an existing file is a jumpcloud-graph database, and changes nothing.
  if (exists) openExistingStore(config.db).close();
  result.db = { path: config.db, exists };
}

function describe(result: ValidateResult): string {
  const organizations = result.organizations.map((o) => `${o.name} (${o.id})`).join(', ');
  const lines = [`configuration valid; the JumpCloud key reads ${result.organizations.length} organization(s): ${organizations}`];
  if (result.jupiterone) lines.push(`JupiterOne accepted the API key and account (found ${result.jupiterone.accountsFound} jumpcloud_account entities)`);
  if (result.db) lines.push(result.db.exists ? `local graph database ${result.db.path} is a jumpcloud-graph database` : `local graph database ${result.db.path} will be created by the first sync`);
  return lines.join('\n');
}

/** Checks the configuration, the JumpCloud key and the target's credentials (a few reads); writes nothing. */
export function validateCommand(): Command {
  return addConnectionOptions(new Command('validate'))
    .description('check the configuration, the JumpCloud key and the target (JupiterOne credentials, or the local database) without syncing')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid, 1 a service could not be reached, 2 configuration or credentials refused.\n\nExamples:\n  JUMPCLOUD_API_KEY=... jumpcloud-graph validate\n  JUMPCLOUD_API_KEY=... JUPITERONE_API_KEY=... JUPITERONE_ACCOUNT=... jumpcloud-graph validate --target jupiterone --json',
    )
    .action(async (flags: SyncFlags) => {
      const result: ValidateResult = { valid: false, organizations: [] };
      try {
        const config = resolveFromFlags(flags, process.env);
        result.target = config.target;
        for (const warning of config.warnings) process.stderr.write(`warning: ${warning}\n`);
        const organizations = await jumpCloudSourceFor(config, silentLogger).listOrganizations();
        result.organizations = organizations.map((o) => ({ id: o.id, name: o.displayName ?? o.id }));
        await checkTarget(config, result);
        result.valid = true;
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${describe(result)}\n`);
        process.exitCode = EXIT_SUCCESS;
      } catch (error) {
        result.error = oneLine(error);
        process.stderr.write(`jumpcloud-graph: ${result.error}\n`);
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        process.exitCode = exitCodeFor(error);
      }
    });
}
