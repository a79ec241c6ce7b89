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
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { fail } from '../context';
import { defaultStoreDir } from '../../../data/store/index';
import { exportFormats, type ExportFormat } from '../../../shared/api';
import type { ExportResult } from '../../../data/exporters/export-dataset';
import { readStoredNames, STORED_NAMES_TABLE } from '../../../data/dialects/sqlite';

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
  const files = readdirSync(arg).filter((f) => /\.(sqlite|sqlite3|db)$/i.test(f));
  const preferred = files.find((f) => /^output\./i.test(f)) ?? (files.length === 1 ? files[0] : undefined);
  return preferred ? join(arg, preferred) : null;
}

/** Every table of an output SQLite file, in creation order. */
export function outputTableNames(sqlitePath: string): string[] {
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by rowid").all() as Array<{ name: string }>;
    const renames = readStoredNames(db);
    return rows
      .filter((r) => r.name !== STORED_NAMES_TABLE)
      .map((r) => renames.find((x) => x.column_name === null && x.stored_table === r.name)?.table_name ?? r.name);
  } finally {
    db.close();
  }
}

export async function runExportCommand(
  execution: string,
  opts: ExportCommandOptions,
  locate?: OutputLocator,
  onProgress?: (done: number, total: number) => void,
): Promise<ExportResult> {
  const format = opts.format.toLowerCase();
  if (!(exportFormats as readonly string[]).includes(format)) {
    throw new AppError('UNSUPPORTED_FORMAT', `"${opts.format}" is not a download format.`, { fix: `Use --format ${exportFormats.join('|')}.` });
  }
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
  const all = outputTableNames(output);
  const tables = opts.tables
    ? opts.tables
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
    : all;
  const unknown = tables.filter((t) => !all.includes(t));
  if (unknown.length) {
    throw new AppError('TABLE_NOT_FOUND', `Table${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t}"`).join(', ')} not in execution "${execution}".`, {
      fix: `Pick among ${all.join(', ')}.`,
    });
  }
  return (await import('../../../data/exporters/export-dataset')).exportDataset(output, tables, format as ExportFormat, opts.out, {
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
        let last = 0;
        const progress = (done: number, total: number): void => {
          const now = Date.now();
          if (now - last < 500 && done < total) return;
          last = now;
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
