import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AppError, defaultConfig } from '../../../shared';
import { action, printJson, storeDirOf, withServices } from '../context';
import { inspectSource } from './inspect';
import { reportOutcome, runConfig } from './run';

/** The bundled demo dataset (assets/demo, CC0). */
export function demoDataPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../../../../assets/demo/penguins.csv', '../../assets/demo/penguins.csv', '../assets/demo/penguins.csv']) {
    const p = path.resolve(here, rel);
    if (existsSync(p)) return p;
  }
  throw new AppError('SOURCE_NOT_FOUND', 'The bundled demo data (assets/demo/penguins.csv) is missing from this installation.', {
    fix: 'Reinstall Doppel, or run `doppel run` on your own configuration.',
  });
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('the whole flow on the bundled demo data: inspect, configure, synthesize, report')
    .option('--json', 'print the summary JSON on stdout')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        const file = demoDataPath();
        process.stderr.write(`Doppel demo on ${file}\n`);
        const inspected = await inspectSource(file);
        const t = inspected.metadata.tables[0]!;
        process.stderr.write(
          `Inspected: table "${t.name}", ${t.rowCount} rows, ${t.columns.length} columns (${t.columns.map((c) => `${c.name}: ${c.sdtype}`).join(', ')}).\n`,
        );
        const config = defaultConfig(inspected.metadata, { kind: 'files', path: file }, { name: 'Demo: penguins', sensitive: inspected.sensitive });
        const record = await withServices(storeDirOf(cmd), (s) => runConfig(s, config));
        if (opts.json) printJson(record.summary);
        if (record.status === 'succeeded' && record.summary) {
          const s = record.summary;
          process.stdout.write(
            [
              '',
              `Done: execution ${record.id}, quality ${s.quality === null ? 'n/a' : `${(s.quality * 100).toFixed(1)}%`}, backend ${s.backend}.`,
              `Synthetic data (SQLite): ${s.outputPath}`,
              `Report (HTML):           ${s.reportPath}`,
              `Next: npm run doppel -- export ${record.id} --format csv --out penguins-synthetic.csv`,
              '',
            ].join('\n'),
          );
        }
        reportOutcome(record);
      }),
    );
}
