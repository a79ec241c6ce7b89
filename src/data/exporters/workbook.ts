import { createWriteStream } from 'node:fs';
import ExcelJS from 'exceljs';
import type { CellValue, RowBatch } from '../../shared/values';
import { roundToForm, type ValueForm } from '../../shared/value-form';
import { excelFormat } from './sheet-formats';
import { writeOdsStream } from './ods';
import type { ExportTable } from './table-reader';

/** Rows per sheet in XLSX and ODS, header row included. */
export const SHEET_ROW_LIMIT = 1_048_576;

type TableRows = (table: ExportTable) => AsyncIterable<RowBatch>;

/** Sheet names are at most 31 characters, without []:*?/\ and unique in the workbook. */
export function sheetNames(tables: string[]): string[] {
  const used = new Set<string>();
  return tables.map((t) => {
    const base = t.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'Sheet';
    let name = base;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)}~${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** A cell for exceljs: booleans the source wrote as words as those words, numbers rounded to its decimals. */
function excelCell(v: CellValue, form: ValueForm | undefined): ExcelJS.CellValue {
  if (typeof v === 'string' && v.length > 32767) return v.slice(0, 32767);
  if (typeof v === 'boolean' && form?.booleanWords) return form.booleanWords[v ? 0 : 1];
  if (typeof v === 'number') return roundToForm(v, form);
  return v;
}

/**
 * Writes one sheet per table with exceljs's streaming WorkbookWriter (rows committed as they come)
 * into a file stream of our own, so that a write error (missing folder, full disk) is thrown
 * instead of leaving the export waiting forever.
 */
export async function writeXlsx(tables: ExportTable[], rowsOf: TableRows, file: string, onRows: (n: number) => void): Promise<void> {
  const stream = createWriteStream(file);
  let failure: Error | null = null;
  const failed = new Promise<never>((_, reject) =>
    stream.once('error', (e) => {
      failure = e;
      reject(e);
    }),
  );
  failed.catch(() => undefined);
  const closed = new Promise<void>((resolve) => stream.once('close', resolve));
  const write = async (): Promise<void> => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    await writeSheets(wb, tables, rowsOf, onRows, () => {
      if (failure) throw failure;
    });
    await wb.commit();
    await closed;
  };
  try {
    await Promise.race([write(), failed]);
  } finally {
    stream.destroy();
  }
}

async function writeSheets(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  tables: ExportTable[],
  rowsOf: TableRows,
  onRows: (n: number) => void,
  check: () => void,
): Promise<void> {
  const names = sheetNames(tables.map((t) => t.name));
  for (const [ti, t] of tables.entries()) {
    const ws = wb.addWorksheet(names[ti]);
    // Dates shown in the source's pattern, numbers with its decimals (sheet-formats.ts).
    ws.columns = t.columns.map((c) => {
      const style: Partial<ExcelJS.Style> = {};
      const numFmt = excelFormat(c.storageType, c.form);
      if (numFmt) style.numFmt = numFmt;
      return { header: c.name, key: c.name, style };
    });
    const forms = t.columns.map((c) => c.form);
    for await (const batch of rowsOf(t)) {
      check();
      for (const r of batch.rows) ws.addRow(r.map((v, i) => excelCell(v, forms[i]))).commit();
      onRows(batch.rows.length);
    }
    ws.commit();
  }
}

/** Writes one sheet per table as ODS, streamed like XLSX (see ods.ts). */
export async function writeOds(tables: ExportTable[], rowsOf: TableRows, file: string, onRows: (n: number) => void): Promise<void> {
  await writeOdsStream(tables, sheetNames(tables.map((t) => t.name)), rowsOf, file, onRows);
}
