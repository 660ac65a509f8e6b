import { silentLogger } from '@jumpcloud-graph/domain';
import { Command } from 'commander';
import { createJumpCloudSource } from '../container';
import { EXIT_SUCCESS } from '../exit-codes';
import { exitCodeFor, oneLine } from '../run-sync';
import { addSyncOptions, resolveFromFlags, type SyncFlags } from './sync.command';

/** Checks the configuration and the JumpCloud key (a couple of requests), writes nothing. */
export function validateCommand(): Command {
  return addSyncOptions(new Command('validate'))
    .description('check the configuration and the JumpCloud credentials without syncing')
    .addHelpText('after', '\nExample:\n  JUMPCLOUD_API_KEY=... jumpcloud-graph validate')
    .action(async (flags: SyncFlags) => {
      try {
        const config = resolveFromFlags(flags, process.env);
        for (const warning of config.warnings) process.stderr.write(`warning: ${warning}\n`);
        const organizations = await createJumpCloudSource(config, silentLogger).listOrganizations();
        const result = { valid: true, organizations: organizations.map((o) => ({ id: o.id, name: o.displayName ?? o.id })), target: config.target };
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(result)}\n`
            : `configuration valid; the key reads ${organizations.length} organization(s): ${result.organizations.map((o) => `${o.name} (${o.id})`).join(', ')}\n`,
        );
        process.exitCode = EXIT_SUCCESS;
      } catch (error) {
        process.stderr.write(`jumpcloud-graph: ${oneLine(error)}\n`);
        process.exitCode = exitCodeFor(error);
      }
    });
}
