import type { Command } from 'commander';
import { hasErrors, validateConfig, type Problem } from '../../../shared';
import { validationEnv } from '../../../data/sources/canonical-path';
import { action, printJson, readConfigFile, storeDirOf, withServices } from '../context';

function line(p: Problem): string {
  const where = [p.table, p.column].filter(Boolean).join('.');
  return `${p.severity === 'error' ? 'error  ' : 'warning'} ${p.code}${where ? ` [${where}]` : ''}: ${p.message}${p.fix ? `\n        fix: ${p.fix}` : ''}`;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a configuration against its source, as the wizard does')
    .argument('<config>', 'a configuration JSON file (see `doppel init`)')
    .option('--json', 'print the problems as JSON')
    .action(
      action(async (file: string, opts: { json?: boolean }, cmd: Command) => {
        const config = readConfigFile(file);
        const problems = await withServices(storeDirOf(cmd), async (s) => {
          const { metadata } = await s.sources.inspect(config.source);
          return validateConfig(config, metadata, await s.sources.facts(config), validationEnv);
        });
        if (opts.json) printJson(problems);
        else if (problems.length === 0) process.stdout.write(`${file}: no problems.\n`);
        else process.stdout.write(`${problems.map(line).join('\n')}\n`);
        if (hasErrors(problems)) process.exitCode = 1;
      }),
    );
}
