import type { CellValue } from '../../shared/values';
import type { StorageType } from '../../shared/metadata';
import { zoneOffsetMs } from '../introspection/datetime-formats';

const SQL_DATETIME = /^([+-]\d{4,6}|\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?( BC)?$/;

/**
 * Parses `YYYY-MM-DD[ HH:mm[:ss[.fff]]][Z|±hh:mm]` as a Date (UTC when no offset); null when not
 * such a text. Years outside 0–9999 as written by the destinations: ISO 8601 expanded years
 * (`-000003-03-01`, `+010000-01-01`) and PostgreSQL's (`0004-03-01 BC` is year −3, `10000-01-01`).
 */
export function parseSqlDatetime(s: string): Date | null {
  const m = SQL_DATETIME.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, se, frac, tz, bc] = m;
  if (Number(mo) === 0 || Number(d) === 0) return null; // MySQL zero dates
  const year = bc ? 1 - Number(y) : Number(y);
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const date = new Date(Date.UTC(2000, Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(se ?? 0), ms));
  date.setUTCFullYear(year); // Date.UTC reads the years 0–99 as 1900–1999
  const t = date.getTime();
  if (Number.isNaN(t)) return null;
  return new Date(t - zoneOffsetMs(tz));
}

/** An integer (number, bigint or text) as a number when exact, else as its decimal text. */
export function integerCell(v: number | bigint | string): CellValue {
  if (typeof v === 'number') return v;
  const b = typeof v === 'bigint' ? v : BigInt(v.trim());
  return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(b) : b.toString();
}

/** A decimal text as a number when the number prints back the same value, else the text. */
export function decimalCell(s: string): CellValue {
  const t = s.trim();
  const n = Number(t);
  if (!Number.isFinite(n)) return t;
  const canon = (x: string): string => {
    let r = x.replace(/^\+/, '');
    const neg = r.startsWith('-');
    if (neg) r = r.slice(1);
    if (r.includes('.')) r = r.replace(/0+$/, '').replace(/\.$/, '');
    r = r.replace(/^0+(?=\d)/, '');
    return (neg && r !== '0' ? '-' : '') + r;
  };
  if (/e/i.test(t)) return n;
  const back = n.toFixed(Math.min(20, (t.split('.')[1] ?? '').length));
  return canon(back) === canon(t) ? n : t;
}

function toBoolean(v: unknown): CellValue {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v !== 0 && v !== 0n;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['t', 'true', '1', 'y', 'yes'].includes(s)) return true;
    if (['f', 'false', '0', 'n', 'no'].includes(s)) return false;
    return v;
  }
  if (Buffer.isBuffer(v)) return v.length > 0 && v[0] !== 0;
  return null;
}

/** Normalizes a driver value to a CellValue for a column of the given storage type. */
export function normalizeCell(v: unknown, type: StorageType): CellValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'boolean':
      return toBoolean(v);
    case 'integer':
    case 'bigint':
      if (typeof v === 'number' || typeof v === 'bigint') return integerCell(v);
      if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return integerCell(v);
      break;
    case 'float':
    case 'decimal':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return integerCell(v);
      if (typeof v === 'string') return decimalCell(v);
      break;
    case 'date':
    case 'datetime':
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
      if (typeof v === 'string') return /^0000-00-00/.test(v) ? null : (parseSqlDatetime(v) ?? v); // MySQL zero dates mean "no date"
      if (typeof v === 'number') return v;
      break;
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'bigint') return integerCell(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? integerCell(x) : x));
}
