import { basename } from 'node:path';
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import * as XLSX from '@e965/xlsx';
import { AppError } from '../../../shared/errors';
import type { FileTable } from './types';
import { headerNames } from './header';

function workbookError(e: unknown, path: string): AppError {
  if (e instanceof AppError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new AppError('SOURCE_MALFORMED', `${basename(path)} is not a readable workbook (${msg}).`, {
    fix: 'Open the file in its spreadsheet program and save it again as .xlsx or .ods.',
  });
}

/** An exceljs cell value as a plain value (rich text, formulas, hyperlinks resolved). */
function excelCell(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('result' in o) return excelCell(o['result']);
  if ('richText' in o && Array.isArray(o['richText'])) return (o['richText'] as Array<{ text?: string }>).map((p) => p.text ?? '').join('');
  if ('text' in o) return excelCell(o['text']);
  if ('error' in o) return null;
  return JSON.stringify(o);
}

function headerOf(cells: unknown[]): string[] {
  return headerNames(cells.map((c) => (c === null || c === undefined ? '' : c)));
}

/** Lists the sheets of an .xlsx (streaming reader) and makes each a table. */
export async function xlsxTables(path: string, tableName: (sheet: string) => string): Promise<FileTable[]> {
  const names: string[] = [];
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'ignore',
      entries: 'ignore',
    });
    for await (const ws of reader) {
      names.push((ws as unknown as { name: string }).name);
      for await (const _r of ws) void _r; // drain the sheet before the next one
    }
  } catch (e) {
    throw workbookError(e, path);
  }
  if (names.length === 0) throw new AppError('SOURCE_EMPTY', `${basename(path)} has no sheets.`, { fix: 'Pick a workbook with at least one sheet of data.' });
  return names.map((sheet) => ({
    name: tableName(sheet),
    origin: `${path}#${sheet}`,
    textual: false,
    async open() {
      const start = async (): Promise<{ formats: Array<string | undefined>; it: AsyncGenerator<unknown[]>; first: IteratorResult<unknown[]> }> => {
        const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
          worksheets: 'emit',
          sharedStrings: 'cache',
          hyperlinks: 'ignore',
          styles: 'cache',
          entries: 'ignore',
        });
        const formats: Array<string | undefined> = [];
        const it = (async function* (): AsyncGenerator<unknown[]> {
          try {
            for await (const ws of reader) {
              if ((ws as unknown as { name: string }).name !== sheet) {
                for await (const _r of ws) void _r;
                continue;
              }
              let first = true;
              for await (const row of ws) {
                const values = (row as ExcelJS.Row).values as unknown[];
                if (!first) noteFormats(row as ExcelJS.Row, values.length - 1, formats);
                first = false;
                yield values.slice(1).map(excelCell); // exceljs rows are 1-based
              }
            }
          } catch (e) {
            throw workbookError(e, path);
          }
        })();
        return { formats, it, first: await it.next() };
      };
      // On a busy machine the streaming reader has been seen to miss the workbook part (written after the
      // sheets) and fail before the first row: the sheet is read once more before the error stands.
      const { formats, it, first } = await start().catch(() => start());
      if (first.done)
        throw new AppError('SOURCE_EMPTY', `Sheet "${sheet}" of ${basename(path)} is empty.`, { fix: 'Put a header row in the first row of the sheet.' });
      const header = headerOf(first.value);
      async function* rows(): AsyncGenerator<unknown[]> {
        for await (const r of it) {
          const padded = r.length < header.length ? [...r, ...Array<null>(header.length - r.length).fill(null)] : r.slice(0, header.length);
          if (padded.some((c) => c !== null && c !== '')) yield padded;
        }
      }
      return { header, rows: rows(), numberFormats: () => header.map((_, i) => formats[i]) };
    },
  }));
}

/** Keeps the first number format seen in each column (the header row excluded). */
function noteFormats(row: ExcelJS.Row, width: number, formats: Array<string | undefined>): void {
  for (let i = 0; i < width; i++) {
    if (formats[i] !== undefined) continue;
    const cell = row.getCell(i + 1);
    if (cell.value !== null && cell.value !== undefined && cell.numFmt) formats[i] = cell.numFmt;
  }
}

/** An .ods (or .xls) workbook via SheetJS; such files are read whole (no streaming reader exists). */
export async function sheetjsTables(path: string, tableName: (sheet: string) => string): Promise<FileTable[]> {
  let wb: XLSX.WorkBook;
  try {
    wb = XLSX.read(await readFile(path), { cellDates: true, cellNF: true, dense: true });
  } catch (e) {
    throw workbookError(e, path);
  }
  if (wb.SheetNames.length === 0)
    throw new AppError('SOURCE_EMPTY', `${basename(path)} has no sheets.`, { fix: 'Pick a workbook with at least one sheet of data.' });
  return wb.SheetNames.map((sheet) => ({
    name: tableName(sheet),
    origin: `${path}#${sheet}`,
    textual: false,
    async open() {
      const ws = wb.Sheets[sheet];
      const all = ws ? XLSX.utils.sheet_to_json<unknown[]>(ws, { header: 1, raw: true, defval: null, blankrows: false }) : [];
      const [first, ...rest] = all;
      if (!first)
        throw new AppError('SOURCE_EMPTY', `Sheet "${sheet}" of ${basename(path)} is empty.`, { fix: 'Put a header row in the first row of the sheet.' });
      const header = headerOf(first);
      async function* rows(): AsyncGenerator<unknown[]> {
        for (const r of rest) yield header.map((_, i) => r[i] ?? null);
      }
      const cells = (ws?.['!data'] ?? []) as Array<Array<{ z?: unknown } | undefined> | undefined>;
      const numberFormats = (): Array<string | undefined> =>
        header.map((_, i) => {
          for (const r of cells.slice(1)) {
            const z = r?.[i]?.z;
            if (typeof z === 'string' && z !== 'General') return z;
          }
          return undefined;
        });
      return { header, rows: rows(), numberFormats };
    },
  }));
}
