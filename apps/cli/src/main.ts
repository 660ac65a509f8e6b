// reflect-metadata must load before any decorated class is evaluated (tsyringe reads it).
import 'reflect-metadata';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isLocalGraphWorkerData, serveLocalGraphStore } from '@jumpcloud-graph/jupiterone-publisher';
import { Command, CommanderError } from 'commander';
import { demoCommand } from './commands/demo.command';
import { diffCommand } from './commands/diff.command';
import { docsCommand } from './commands/docs.command';
import { exportCommand } from './commands/export.command';
import { syncCommand } from './commands/sync.command';
import { validateCommand } from './commands/validate.command';
import { EXIT_SUCCESS, EXIT_USAGE } from './exit-codes';
import { exitCodeFor, oneLine } from './run-sync';
import { VERSION } from './version';

function runCli(): void {
  const program = new Command('jumpcloud-graph')
    .description('JumpCloud users, groups, organizations, SSO applications and devices as a security graph')
    .version(VERSION)
    .showHelpAfterError()
    .addCommand(syncCommand())
    .addCommand(validateCommand())
    .addCommand(exportCommand())
    .addCommand(diffCommand())
    .addCommand(demoCommand())
    .addCommand(docsCommand());

  // Commander exits 1 on a usage error; ours is 2. Let its errors reach the catch below instead.
  for (const command of [program, ...program.commands]) command.exitOverride();

  program.parseAsync(process.argv).catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help, or the version).
      const done = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
      process.exit(done ? EXIT_SUCCESS : EXIT_USAGE);
    }
    process.stderr.write(`jumpcloud-graph: ${oneLine(error)}\n`);
    process.exit(exitCodeFor(error));
  });
}

// The bundle is also the entry of the local graph's worker thread (one file to ship).
if (!isMainThread && parentPort && isLocalGraphWorkerData(workerData)) {
  serveLocalGraphStore(parentPort, workerData);
} else {
  runCli();
}
