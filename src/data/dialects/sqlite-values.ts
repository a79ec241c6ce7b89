import type { StorageType } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A Date as SQL text in UTC: `YYYY-MM-DD` for dates, `YYYY-MM-DD HH:MM:SS.sss` otherwise. */
export function sqlDateText(d: Date, type: StorageType): string {
  const y = d.getUTCFullYear();
  if (y >= 0 && y <= 9999) {
    // toISOString is native and several times faster than assembling the parts.
    const iso = d.toISOString();
    if (type === 'date') return iso.slice(0, 10);
    return type === 'time' ? iso.slice(11, 23) : `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (type === 'date') return date;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  return type === 'time' ? time : `${date} ${time}`;
}

/** `sqlDateText` without `.000` on whole seconds: what a column of whole-second precision (MariaDB `time`, `datetime`) takes without a warning. */
export function wholeDateText(d: Date, type: StorageType): string {
  const t = sqlDateText(d, type);
  return t.endsWith('.000') ? t.slice(0, -4) : t;
}

export type SqliteBindable = string | number | bigint | Buffer | null;

/** A cell as a value better-sqlite3 can bind, for a column of the given storage type. */
export function sqliteValue(v: CellValue, type: StorageType): SqliteBindable {
  if (v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : sqlDateText(v, type);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && (type === 'integer' || type === 'bigint') && /^[-+]?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

/**
 * One converter per column, chosen once from its storage type: the column's common value takes a
 * direct path, anything else goes through `sqliteValue` (same result, without deciding the type
 * again for every cell).
 */
export function sqliteConverters(types: StorageType[]): Array<(v: CellValue) => SqliteBindable> {
  return types.map((type): ((v: CellValue) => SqliteBindable) => {
    const other = (v: CellValue): SqliteBindable => sqliteValue(v, type);
    switch (type) {
      case 'integer':
      case 'bigint':
      case 'float':
      case 'decimal':
        return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : other(v));
      case 'date':
      case 'time':
      case 'datetime':
        return (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? sqlDateText(v, type) : other(v));
      case 'boolean':
        return (v) => (v === true ? 1 : v === false ? 0 : other(v));
      default:
        return (v) => (typeof v === 'string' ? v : other(v));
    }
  });
}
