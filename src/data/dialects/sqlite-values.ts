import { AppError } from '../../shared/errors';
import type { StorageType } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * How a destination reads a year outside 0–9999 (and years 0 and before, the astronomical years
 * of 1 BC and earlier): `iso` writes ISO 8601 expanded years (`-000003-03-01`, `+010000-01-01`;
 * SQLite, files, the app), `postgres` its own era form (`0004-03-01 BC` for year −3,
 * `10000-01-01`), `mysql` refuses them (MariaDB/MySQL dates hold the years 0–9999 only).
 */
export type DateStyle = 'iso' | 'postgres' | 'mysql';

/** A date a destination cannot hold, named by its column. */
export function dateOutOfRange(d: Date, column: string | undefined): AppError {
  const where = column === undefined ? 'A date column' : `Column "${column}"`;
  return new AppError('DESTINATION_WRITE_FAILED', `${where} cannot hold the date ${d.toISOString()}: MariaDB/MySQL dates hold the years 0 to 9999 only.`, {
    fix: 'Nothing was kept (the write was rolled back). Keep the column within the years 0 to 9999 (its generated range follows the original data), or write to PostgreSQL or SQLite, which hold such dates.',
  });
}

/** The year part of a date outside 0–9999 in a style, with the suffix that goes after the whole value. */
function yearOf(y: number, style: DateStyle, d: Date, column: string | undefined): { year: string; era: string } {
  if (style === 'mysql') throw dateOutOfRange(d, column);
  if (style === 'postgres') return y <= 0 ? { year: pad(1 - y, 4), era: ' BC' } : { year: String(y), era: '' };
  return { year: `${y < 0 ? '-' : '+'}${pad(Math.abs(y), 6)}`, era: '' };
}

/**
 * A Date as SQL text in UTC: `YYYY-MM-DD` for dates, `YYYY-MM-DD HH:MM:SS.sss` otherwise; years
 * outside 0–9999 (and, for PostgreSQL, year 0) in the destination's `style`.
 */
export function sqlDateText(d: Date, type: StorageType, style: DateStyle = 'iso', column?: string): string {
  const y = d.getUTCFullYear();
  if (y >= (style === 'postgres' ? 1 : 0) && y <= 9999) {
    // toISOString is native and several times faster than assembling the parts.
    const iso = d.toISOString();
    if (type === 'date') return iso.slice(0, 10);
    return type === 'time' ? iso.slice(11, 23) : `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  if (type === 'time') return time;
  const { year, era } = yearOf(y, style, d, column);
  const date = `${year}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return type === 'date' ? `${date}${era}` : `${date} ${time}${era}`;
}

/** `sqlDateText` without `.000` on whole seconds: what a column of whole-second precision (MariaDB `time`, `datetime`) takes without a warning. */
export function wholeDateText(d: Date, type: StorageType, style: DateStyle = 'iso', column?: string): string {
  const t = sqlDateText(d, type, style, column);
  return t.replace(/\.000(?= BC$|$)/, '');
}

const DAY_MS = 86_400_000;
const TWO = Array.from({ length: 100 }, (_, i) => pad(i));
const THREE = Array.from({ length: 1000 }, (_, i) => pad(i, 3));

/**
 * `wholeDateText` (or `sqlDateText` when `whole` is false) as one formatter for a column of many
 * rows: the same text, with the day's text kept for the next rows of the same day and the time of
 * day assembled from lookup tables instead of `toISOString` for every cell.
 */
export function dateTextFormatter(type: 'date' | 'time' | 'datetime', whole = true, style: DateStyle = 'iso', column?: string): (d: Date) => string {
  const days = new Map<number, string>();
  return (d) => {
    const ms = d.getTime();
    const day = Math.floor(ms / DAY_MS);
    let date = type === 'time' ? '' : days.get(day);
    if (date === undefined) {
      if (days.size >= 4096) days.clear();
      date = sqlDateText(d, 'date', style, column);
      days.set(day, date);
    }
    if (type === 'date') return date;
    let t = ms - day * DAY_MS;
    const milli = t % 1000;
    t = (t - milli) / 1000;
    const sec = t % 60;
    t = (t - sec) / 60;
    const min = t % 60;
    const time = `${TWO[(t - min) / 60]}:${TWO[min]}:${TWO[sec]}${whole && milli === 0 ? '' : `.${THREE[milli]}`}`;
    if (type === 'time') return time;
    return date.endsWith(' BC') ? `${date.slice(0, -3)} ${time} BC` : `${date} ${time}`;
  };
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
 * direct path (dates by `dateTextFormatter`, the text of `sqlDateText`), anything else goes
 * through `sqliteValue` (same result, without deciding the type again for every cell).
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
      case 'datetime': {
        const dateText = dateTextFormatter(type, false);
        return (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? dateText(v) : other(v));
      }
      case 'boolean':
        return (v) => (v === true ? 1 : v === false ? 0 : other(v));
      default:
        return (v) => (typeof v === 'string' ? v : other(v));
    }
  });
}
