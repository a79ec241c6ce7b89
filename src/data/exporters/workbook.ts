import { writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import * as XLSX from '@e965/xlsx';
import type { CellValue, RowBatch } from '../../shared/values';
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

function excelCell(v: CellValue): ExcelJS.CellValue {
  if (typeof v === 'string' && v.length > 32767) return v.slice(0, 32767);
  return v;
}

/** Writes one sheet per table with exceljs's streaming WorkbookWriter (rows committed as they come). */
export async function writeXlsx(tables: ExportTable[], rowsOf: TableRows, file: string, onRows: (n: number) => void): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  const names = sheetNames(tables.map((t) => t.name));
  for (const [ti, t] of tables.entries()) {
    const ws = wb.addWorksheet(names[ti]);
    ws.columns = t.columns.map((c) => {
      const style: Partial<ExcelJS.Style> = {};
      if (c.storageType === 'date') style.numFmt = 'yyyy-mm-dd';
      if (c.storageType === 'datetime') style.numFmt = 'yyyy-mm-dd hh:mm:ss';
      return { header: c.name, key: c.name, style };
    });
    for await (const batch of rowsOf(t)) {
      for (const r of batch.rows) ws.addRow(r.map(excelCell)).commit();
      onRows(batch.rows.length);
    }
    ws.commit();
  }
  await wb.commit();
}

/** Writes one sheet per table as ODS with SheetJS (built in memory: the row limit bounds it). */
export async function writeOds(tables: ExportTable[], rowsOf: TableRows, file: string, onRows: (n: number) => void): Promise<void> {
  const wb = XLSX.utils.book_new();
  const names = sheetNames(tables.map((t) => t.name));
  for (const [ti, t] of tables.entries()) {
    const aoa: CellValue[][] = [t.columns.map((c) => c.name)];
    for await (const batch of rowsOf(t)) {
      for (const r of batch.rows) aoa.push(r);
      onRows(batch.rows.length);
    }
    const ws = XLSX.utils.aoa_to_sheet(aoa, { cellDates: true, UTC: true });
    t.columns.forEach((c, ci) => {
      if (c.storageType !== 'date' && c.storageType !== 'datetime') return;
      for (let ri = 1; ri < aoa.length; ri++) {
        const cell = ws[XLSX.utils.encode_cell({ r: ri, c: ci })] as XLSX.CellObject | undefined;
        if (cell && cell.t === 'd') cell.z = c.storageType === 'date' ? 'yyyy"-"mm"-"dd' : 'yyyy"-"mm"-"dd" "hh":"mm":"ss';
      }
    });
    XLSX.utils.book_append_sheet(wb, ws, names[ti]);
  }
  const out = XLSX.write(wb, { bookType: 'ods', type: 'buffer', cellDates: true, compression: true }) as Buffer;
  writeFileSync(file, out);
}
