import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultConfig, parseSourceString, withoutSecrets } from '../../../shared';
import { action, printJson } from '../context';
import { inspectSource } from './inspect';

export function register(program: Command): void {
  program
    .command('init')
    .description('write a complete default synthesis configuration for a source')
    .argument('<source>', 'a file, a folder, sqlite:<path>, postgres://… or mysql://…')
    .option('-o, --out <file>', 'write the configuration here (default: print it)')
    .option('--name <name>', 'name of the synthesis')
    .action(
      action(async (source: string, opts: { out?: string; name?: string }) => {
        const r = await inspectSource(source, { emptyKeys: true });
        const spec = withoutSecrets(parseSourceString(source));
        const config = defaultConfig(r.metadata, spec, {
          name: opts.name ?? `${r.source.split(/[\\/]/).pop() ?? 'Source'} synthesis`,
          sensitive: r.sensitive,
          emptyKeys: r.emptyKeys,
        });
        if (!opts.out) return printJson(config);
        writeFileSync(opts.out, `${JSON.stringify(config, null, 2)}\n`);
        process.stderr.write(
          `Wrote ${opts.out}: ${Object.keys(config.tables).length} table(s), ${config.foreignKeys.length} foreign key(s), ${r.sensitive.length} sensitive column(s) flagged.\nNext: doppel validate ${opts.out}\n`,
        );
      }),
    );
}
