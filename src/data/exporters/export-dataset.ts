import { rmSync } from 'node:fs';
import { AppError, isAppError } from '../../shared/errors';
import type { RowBatch } from '../../shared/values';
import { writeDelimited } from './csv';
import { checkExportTarget, publish, type TargetRules } from './export-target';
import { tempPathFor } from '../platform/partial-files';
import { writeParquet } from './parquet';
import { bareTarget, zipTarget, type ExportTarget } from './sinks';
import { describeOutputTables, readOutputTable, type ExportTable } from './table-reader';
import { SHEET_ROW_LIMIT, writeOds, writeXlsx } from './workbook';

import { exportFormats, type ExportFormat } from '../../shared/api';
export { exportFormats, type ExportFormat };

export interface ExportOptions extends TargetRules {
  /** Rows written so far out of all rows of the exported tables. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Rows read per batch from the output file. */
  batchSize?: number;
  /**
   * CSV/TSV: write text cells starting with = + - @ tab or CR as they are. Off by default: such
   * cells get a leading apostrophe so that a spreadsheet shows them as text instead of running them.
   */
  allowFormulas?: boolean;
}

export interface ExportResult {
  path: string;
  /** `zip` when several files were archived together. */
  container: 'zip' | 'file';
  rows: number;
  tables: Array<{ name: string; rows: number; file: string }>;
}

/** The file name a table gets inside an archive (or as a bare file). */
function fileName(table: string, format: ExportFormat): string {
  return `${table.replace(/[/\\:*?"<>|]/g, '_')}.${format}`;
}

function checkSheetLimit(tables: ExportTable[], format: ExportFormat): void {
  const over = tables.filter((t) => t.rowCount + 1 > SHEET_ROW_LIMIT);
  if (!over.length) return;
  const list = over.map((t) => `"${t.name}" (${t.rowCount.toLocaleString('en-US')} rows)`).join(', ');
  throw new AppError(
    'EXPORT_LIMIT_EXCEEDED',
    `${format.toUpperCase()} sheets hold at most ${(SHEET_ROW_LIMIT - 1).toLocaleString('en-US')} rows plus the header; too many rows in ${list}.`,
    {
      fix: 'Download as CSV or Parquet, which have no row limit.',
      details: { tables: over.map((t) => t.name), limit: SHEET_ROW_LIMIT },
    },
  );
}

/**
 * Exports tables of a finished execution's output SQLite file: csv/tsv/parquet as one file per
 * table in a zip (a single table is a bare file unless outPath ends with .zip), xlsx/ods as one
 * sheet per table. Streams in batches; writes a temp file moved to outPath at the end, so a
 * failure or cancel leaves nothing at outPath. Never replaces an existing file without `force`,
 * never writes over the exported file or into `protectedDirs`; every write error is thrown.
 */
export async function exportDataset(
  outputSqlitePath: string,
  tables: string[],
  format: ExportFormat,
  outPath: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  if (!exportFormats.includes(format)) {
    throw new AppError('UNSUPPORTED_FORMAT', `"${String(format)}" is not a download format.`, { fix: `Use one of ${exportFormats.join(', ')}.` });
  }
  if (!tables.length) throw new AppError('BAD_REQUEST', 'No table to export.', { fix: 'Pick at least one table of the execution.' });
  checkExportTarget(outPath, outputSqlitePath, opts);
  const force = opts.force ?? false;
  const metas = describeOutputTables(outputSqlitePath, tables);
  if (format === 'xlsx' || format === 'ods') checkSheetLimit(metas, format);
  const total = metas.reduce((s, t) => s + t.rowCount, 0);
  let done = 0;
  const onRows = (n: number): void => {
    done += n;
    opts.onProgress?.(done, total);
  };
  const rowsOf = (t: ExportTable): AsyncIterable<RowBatch> => readOutputTable(outputSqlitePath, t.name, opts.batchSize ?? 5000, opts.signal);
  const fail = (e: unknown): AppError =>
    isAppError(e)
      ? e
      : new AppError('EXPORT_FAILED', `Writing the ${format.toUpperCase()} download to ${outPath} failed: ${(e as Error).message}`, {
          fix: 'Check that the folder is writable and the disk has space.',
          cause: e,
        });

  opts.onProgress?.(0, total);
  if (format === 'xlsx' || format === 'ods') {
    const tmp = tempPathFor(outPath);
    try {
      await (format === 'xlsx' ? writeXlsx : writeOds)(metas, rowsOf, tmp, onRows);
      if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'The download was canceled.');
      publish(tmp, outPath, force);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw fail(e);
    }
    return { path: outPath, container: 'file', rows: total, tables: metas.map((t) => ({ name: t.name, rows: t.rowCount, file: outPath })) };
  }

  const zipped = metas.length > 1 || outPath.toLowerCase().endsWith('.zip');
  let target: ExportTarget;
  try {
    target = zipped ? zipTarget(outPath, force) : bareTarget(outPath, force);
  } catch (e) {
    throw fail(e);
  }
  try {
    for (const t of metas) {
      const sink = target.file(fileName(t.name, format));
      if (format === 'parquet') await writeParquet(t, rowsOf(t), sink, onRows);
      else await writeDelimited(t, rowsOf(t), sink, format === 'csv' ? ',' : '\t', onRows, opts.allowFormulas ?? false);
    }
    target.finish();
  } catch (e) {
    target.discard();
    throw fail(e);
  }
  return {
    path: outPath,
    container: zipped ? 'zip' : 'file',
    rows: total,
    tables: metas.map((t) => ({ name: t.name, rows: t.rowCount, file: zipped ? fileName(t.name, format) : outPath })),
  };
}
