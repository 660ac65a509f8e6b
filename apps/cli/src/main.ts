// reflect-metadata must load before any decorated class is evaluated (tsyringe reads it).
import 'reflect-metadata';
import { Command } from 'commander';
import { demoCommand } from './commands/demo.command';
import { VERSION } from './version';

const program = new Command('jumpcloud-graph')
  .description('JumpCloud users, groups, organizations, SSO applications and devices as a security graph')
  .version(VERSION)
  .showHelpAfterError()
  .addCommand(demoCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`jumpcloud-graph: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
