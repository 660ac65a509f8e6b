import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { renderJupiterOneDocs } from '../docs';
import { EXIT_FAILURE } from '../exit-codes';

export function docsCommand(): Command {
  return new Command('docs')
    .description('regenerate docs/jupiterone.md (entity and relationship tables) from the registry')
    .option('--out <file>', 'where to write', 'docs/jupiterone.md')
    .option('--check', 'exit 1 when the file is not what would be generated')
    .addHelpText('after', '\nExample:\n  jumpcloud-graph docs --check')
    .action((flags: { out: string; check?: boolean }) => {
      const text = renderJupiterOneDocs();
      if (flags.check) {
        let current = '';
        try {
          current = readFileSync(flags.out, 'utf8');
        } catch {
          // a missing file is stale too
        }
        if (current !== text) {
          process.stderr.write(`jumpcloud-graph: ${flags.out} is stale; run jumpcloud-graph docs\n`);
          process.exitCode = EXIT_FAILURE;
        }
        return;
      }
      mkdirSync(dirname(flags.out), { recursive: true });
      writeFileSync(flags.out, text);
      process.stderr.write(`wrote ${flags.out}\n`);
    });
}
