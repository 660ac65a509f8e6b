// reflect-metadata must load before any decorated class is evaluated (tsyringe reads it).
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { demoCommand } from './commands/demo.command';
import { EXIT_FAILURE, EXIT_SUCCESS, EXIT_USAGE } from './exit-codes';
import { VERSION } from './version';

const program = new Command('jumpcloud-graph')
  .description('JumpCloud users, groups, organizations, SSO applications and devices as a security graph')
  .version(VERSION)
  .showHelpAfterError()
  .addCommand(demoCommand());

// Commander exits 1 on a usage error; ours is 2. Let its errors reach the catch below instead.
for (const command of [program, ...program.commands]) command.exitOverride();

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has already printed the message (or the help, or the version).
    const done = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    process.exit(done ? EXIT_SUCCESS : EXIT_USAGE);
  }
  process.stderr.write(`jumpcloud-graph: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_FAILURE);
});
