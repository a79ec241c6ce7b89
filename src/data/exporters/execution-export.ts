/**
 * The one way to download an execution's synthetic tables: the app's download action and
 * `doppel export` both list the output's tables and export them through here, so both offer the
 * same tables under the same names and refuse the same requests.
 */
import { exportFormats, type ExportFormat } from '../../shared/api';
import { AppError } from '../../shared/errors';
import { isBookkeepingTable, readStoredNames } from '../dialects/sqlite';
import type { ExportOptions, ExportResult } from './export-dataset';
import { withOutputFile } from './table-reader';

/** Every table of an execution's output SQLite file, under its logical name, in the order it was written. */
export function outputTablesOf(sqlitePath: string): string[] {
  return withOutputFile(sqlitePath, (db) => {
    const rows = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by rowid").all() as Array<{ name: string }>;
    const renames = readStoredNames(db);
    return rows
      .filter((r) => !isBookkeepingTable(r.name))
      .map((r) => renames.find((x) => x.column_name === null && x.stored_table === r.name)?.table_name ?? r.name);
  });
}

/** A checked download format (any case), or UNSUPPORTED_FORMAT naming the ones there are. */
export function exportFormatOf(given: string): ExportFormat {
  const format = given.toLowerCase();
  if (!(exportFormats as readonly string[]).includes(format)) {
    throw new AppError('UNSUPPORTED_FORMAT', `"${given}" is not a download format.`, { fix: `Use one of ${exportFormats.join(', ')}.` });
  }
  return format as ExportFormat;
}

export interface ExecutionExportRequest extends ExportOptions {
  format: string;
  out: string;
  /** Tables to export (default: every table of the output). */
  tables?: string[];
  /** How the execution is named in errors. */
  label?: string;
}

/** Exports tables of an execution's output file (see `exportDataset` for the formats and the target rules). */
export async function exportExecution(output: string, request: ExecutionExportRequest): Promise<ExportResult> {
  const { format, out, tables: chosen, label, ...opts } = request;
  const checked = exportFormatOf(format);
  const all = outputTablesOf(output);
  const tables = chosen && chosen.length > 0 ? chosen : all;
  const unknown = tables.filter((t) => !all.includes(t));
  if (unknown.length) {
    const where = label ? ` execution "${label}"` : ` the synthetic output ${output}`;
    throw new AppError('TABLE_NOT_FOUND', `Table${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t}"`).join(', ')} not in${where}.`, {
      fix: `Pick among ${all.join(', ')}.`,
    });
  }
  const { exportDataset } = await import('./export-dataset');
  return exportDataset(output, tables, checked, out, opts);
}
