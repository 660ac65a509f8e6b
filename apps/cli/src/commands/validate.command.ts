import { createJumpCloudClient, JumpCloudApiSource } from '@jumpcloud-graph/jumpcloud-client';
import { Command } from 'commander';
import { UsageError } from '../config/sync-config';
import { EXIT_SUCCESS, EXIT_USAGE } from '../exit-codes';
import { exitCodeFor } from '../run-sync';
import { VERSION } from '../version';
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
        if (config.target === 'jupiterone') throw new UsageError('--target jupiterone is not available in this build; use --target local');
        const client = createJumpCloudClient({
          apiKey: config.jumpcloudApiKey,
          orgId: config.jumpcloudOrgId,
          baseUrl: config.jumpcloudBaseUrl,
          allowInsecureHttp: config.allowInsecureHttp,
          version: VERSION,
        });
        const organizations = await new JumpCloudApiSource(client, { orgId: config.jumpcloudOrgId }).listOrganizations();
        const result = { valid: true, organizations: organizations.map((o) => ({ id: o.id, name: o.displayName ?? o.id })), target: config.target };
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(result)}\n`
            : `configuration valid; the key reads ${organizations.length} organization(s): ${result.organizations.map((o) => `${o.name} (${o.id})`).join(', ')}\n`,
        );
        process.exitCode = EXIT_SUCCESS;
      } catch (error) {
        process.stderr.write(`jumpcloud-graph: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`);
        process.exitCode = error instanceof UsageError ? EXIT_USAGE : exitCodeFor(error);
      }
    });
}
