/**
 * `doppel export <execution> --format csv|tsv|xlsx|ods|parquet --out <path> [--tables a,b] [--force] [--allow-formulas]`
 *
 * Downloads the synthetic tables of an execution: csv/tsv/parquet as one file per table in a zip
 * (a single table is a bare file unless --out ends in .zip), xlsx/ods as one sheet per table.
 * `<execution>` is an execution id of the project store (found through the locator the CLI
 * passes in), or the path of an execution folder or of its output SQLite file. An existing
 * file is replaced only with --force; nothing is ever written inside the project store.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { fail } from '../context';
import { defaultStoreDir } from '../../../data/store/index';
import { ORIGINALS_FILE } from '../../../data/store/workspace-files';
import { exportFormats } from '../../../shared/api';
import { progressGate } from '../../../shared/progress-gate';
import type { ExportResult } from '../../../data/exporters/export-dataset';
import { exportExecution, exportFormatOf } from '../../../data/exporters/execution-export';

/** Finds the output SQLite file of an execution id in a project store; null when unknown. */
export type OutputLocator = (execution: string, storeDir: string | undefined) => Promise<string | null>;

export interface ExportCommandOptions {
  format: string;
  out: string;
  tables?: string;
  store?: string;
  /** CSV/TSV: write text cells starting with = + - @ tab CR as they are (no leading apostrophe). */
  allowFormulas?: boolean;
  /** Replace an existing file at `out`. */
  force?: boolean;
}

/** The output SQLite file of a path: the file itself, or the one `.sqlite` file of an execution folder. */
function outputFromPath(arg: string): string | null {
  if (!existsSync(arg)) return null;
  if (!statSync(arg).isDirectory()) return arg;
  // The originals a run kept beside an output that went into its destination are not its output.
  const files = readdirSync(arg).filter((f) => /\.(sqlite|sqlite3|db)$/i.test(f) && f !== ORIGINALS_FILE);
  const preferred = files.find((f) => /^output\./i.test(f)) ?? (files.length === 1 ? files[0] : undefined);
  return preferred ? join(arg, preferred) : null;
}

export async function runExportCommand(
  execution: string,
  opts: ExportCommandOptions,
  locate?: OutputLocator,
  onProgress?: (done: number, total: number) => void,
): Promise<ExportResult> {
  exportFormatOf(opts.format);
  const output = outputFromPath(execution) ?? (locate ? await locate(execution, opts.store) : null);
  if (!output) {
    throw new AppError(
      'EXECUTION_NOT_FOUND',
      `No execution "${execution}" with synthetic data was found${opts.store ? ` in the project store ${opts.store}` : ''}.`,
      {
        fix: 'List the executions with `doppel executions` and pass the id of a finished one (or the path of its output file).',
      },
    );
  }
  return exportExecution(output, {
    format: opts.format,
    out: opts.out,
    label: execution,
    ...(opts.tables
      ? {
          tables: opts.tables
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        }
      : {}),
    onProgress,
    allowFormulas: opts.allowFormulas ?? false,
    force: opts.force ?? false,
    // The project store (and an execution folder given by path) is never written into.
    protectedDirs: [opts.store ?? defaultStoreDir(), dirname(output)],
  });
}

export function register(program: Command, locate?: OutputLocator): void {
  program
    .command('export')
    .description('download the synthetic tables of an execution as CSV, TSV, XLSX, ODS or Parquet')
    .argument('<execution>', 'execution id (or the path of an execution folder or its output SQLite file)')
    .requiredOption('-f, --format <format>', `one of ${exportFormats.join(', ')}`)
    .requiredOption('-o, --out <path>', 'output file (.zip for several tables in csv/tsv/parquet)')
    .option('--tables <names>', 'comma-separated tables to export (default: all)')
    .option('--force', 'replace the file at --out if it exists (by default an existing file is left as it was)')
    .option('--allow-formulas', "csv/tsv: write text cells starting with = + - @ as they are (by default they get a leading ' so spreadsheets do not run them)")
    .action(async (execution: string, cmdOpts: { format: string; out: string; tables?: string; allowFormulas?: boolean; force?: boolean }, cmd: Command) => {
      try {
        const globals = cmd.optsWithGlobals<{ store?: string }>();
        const gate = progressGate();
        const progress = (done: number, total: number): void => {
          if (!gate.due(done >= total)) return;
          process.stderr.write(`exporting ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows\r`);
        };
        const result = await runExportCommand(execution, { ...cmdOpts, store: globals.store }, locate, progress);
        process.stderr.write('\n');
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } catch (e) {
        fail(e);
      }
    });
}
