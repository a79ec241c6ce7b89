import { AppError } from '../../shared/errors';
import type { StorageType, TableMeta } from '../../shared/metadata';
import type { CellValue, Row, RowBatch } from '../../shared/values';
import { dateTextFormatter, wholeDateText } from './sqlite-values';

/** What the writers of every dialect share: rows in a table's column order, cancellation, and the tab-separated text of COPY / LOAD DATA. */

/** Rows of a batch in the table's column order (batches may name their columns in another order). */
export function aligned(t: TableMeta, batch: RowBatch): Row[] {
  const idx = t.columns.map((c) => batch.columns.indexOf(c.name));
  if (idx.every((i, k) => i === k) && batch.columns.length === t.columns.length) return batch.rows;
  return batch.rows.map((r) => idx.map((i) => (i < 0 ? null : (r[i] ?? null))));
}

export function checkAbort(signal: AbortSignal | undefined, table: string): void {
  if (signal?.aborted) throw new AppError('EXECUTION_CANCELED', `Writing ${table} was canceled; nothing was kept.`);
}

const SPECIAL = /[\\\t\n\r]/;

/** A cell in PostgreSQL COPY text / MySQL LOAD DATA format (tab-separated, \N for null, backslash escapes). */
export function textCell(v: CellValue, type: StorageType, pg: boolean, column?: string): string {
  if (v === null) return '\\N';
  if (v instanceof Date)
    return Number.isNaN(v.getTime()) ? '\\N' : wholeDateText(v, type === 'date' || type === 'time' ? type : 'datetime', pg ? 'postgres' : 'mysql', column);
  if (typeof v === 'boolean') return pg ? (v ? 't' : 'f') : v ? '1' : '0';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
  if (!SPECIAL.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export type CellFormat = (v: CellValue) => string;

/**
 * One formatter per column, chosen once from its storage type: the common value of the column
 * takes a direct path, anything else goes through `textCell` (same output, without deciding
 * the type again for every cell). `names` name the columns in errors.
 */
export function columnFormatters(types: StorageType[], pg: boolean, names: string[] = []): CellFormat[] {
  return types.map((type, i): CellFormat => {
    const column = names[i];
    const other = (v: CellValue): string => textCell(v, type, pg, column);
    switch (type) {
      case 'integer':
      case 'bigint':
      case 'float':
      case 'decimal':
        return (v) => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '\\N') : other(v));
      case 'date':
      case 'time':
      case 'datetime': {
        const dateText = dateTextFormatter(type, true, pg ? 'postgres' : 'mysql', column);
        return (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? dateText(v) : other(v));
      }
      case 'boolean': {
        const [yes, no] = pg ? ['t', 'f'] : ['1', '0'];
        return (v) => (v === true ? yes : v === false ? no : other(v));
      }
      default:
        return (v) => (typeof v === 'string' && !SPECIAL.test(v) ? v : other(v));
    }
  });
}

/** Rows as COPY / LOAD DATA text, one string built by appending (no array per row or per batch). */
export function textLines(rows: Row[], formats: CellFormat[]): string {
  const last = formats.length - 1;
  if (last < 0) return '\n'.repeat(rows.length);
  let text = '';
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    for (let i = 0; i < last; i++) text += `${formats[i]!(r[i] ?? null)}\t`;
    text += `${formats[last]!(r[last] ?? null)}\n`;
  }
  return text;
}
