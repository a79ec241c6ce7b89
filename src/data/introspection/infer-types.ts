import type { Sdtype, StorageType } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';
import { detectDatetimeFormat, formatByName, parseDatetime } from './datetime-formats';

const ID_NAME = /(^id$|_id$|[a-z]Id$|ID$|_key$|^uuid$|_uuid$|^guid$)/;
const DATE_NAME = /date|time|_at$|_on$|^(start|stop|end|issued|birth|created|updated|dob|day)$/i;
const CODE_NAME = /(zip|postal|postcode|code|fips|plz|cp$)/i;
export const TRUE_WORDS = new Set(['true', 'yes', 'y', 't']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'f']);

export function isIdLikeName(name: string): boolean {
  return ID_NAME.test(name);
}

export interface InferredColumn {
  storageType: StorageType;
  sdtype: Sdtype;
  datetimeFormat?: string;
}

/** Infers storage type, sdtype and datetime format of a text column (CSV) from sampled values. */
export function inferTextColumn(name: string, raw: (string | null)[]): InferredColumn {
  const values = raw.filter((v): v is string => v !== null && v.trim() !== '');
  if (values.length === 0) return { storageType: 'string', sdtype: 'categorical' };
  const lower = new Set(values.map((v) => v.trim().toLowerCase()));
  // Both a true and a false word: a column of only "No" in the sample may hold "Steady" further down.
  if (lower.size === 2 && [...lower].some((v) => TRUE_WORDS.has(v)) && [...lower].some((v) => FALSE_WORDS.has(v))) {
    return { storageType: 'boolean', sdtype: 'boolean' };
  }
  const dateNamed = DATE_NAME.test(name);
  const allInt = values.every((v) => /^\s*-?\d+\s*$/.test(v));
  const leadingZeros = values.some((v) => /^0\d/.test(v.trim()));
  if (allInt && (dateNamed || values.every((v) => v.trim().length === 8))) {
    const f = detectDatetimeFormat(values, dateNamed);
    if (f) return { storageType: 'datetime', sdtype: 'datetime', datetimeFormat: f.name };
  }
  if (allInt && !leadingZeros) {
    const big = values.some((v) => !Number.isSafeInteger(Number(v)));
    const storageType: StorageType = big ? 'bigint' : 'integer';
    return { storageType, sdtype: inferSdtype(name, storageType, values.map(Number)) };
  }
  if (allInt && leadingZeros) return { storageType: 'string', sdtype: isIdLikeName(name) ? 'id' : 'categorical' };
  if (values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)))) {
    return { storageType: 'float', sdtype: inferSdtype(name, 'float', values.map(Number)) };
  }
  const f = detectDatetimeFormat(values, dateNamed);
  if (f) {
    const hasTime = values.some((v) => /\d[ T]\d{1,2}:\d{2}/.test(v));
    return { storageType: hasTime ? 'datetime' : 'date', sdtype: 'datetime', datetimeFormat: f.name };
  }
  return { storageType: 'string', sdtype: inferSdtype(name, 'string', values) };
}

/** Converts one CSV text to the inferred storage type (unparseable -> the text itself, empty -> null). */
export function convertText(v: string | null | undefined, col: { storageType: StorageType; datetimeFormat?: string | undefined }): CellValue {
  if (v === null || v === undefined) return null;
  const s = v.trim();
  if (s === '') return null;
  switch (col.storageType) {
    case 'integer':
    case 'float': {
      const x = Number(s);
      return Number.isFinite(x) ? x : v;
    }
    case 'bigint':
      return Number.isSafeInteger(Number(s)) ? Number(s) : s;
    case 'boolean': {
      const l = s.toLowerCase();
      return TRUE_WORDS.has(l) ? true : FALSE_WORDS.has(l) ? false : v;
    }
    case 'date':
    case 'datetime': {
      const f = col.datetimeFormat ? formatByName(col.datetimeFormat) : undefined;
      return (f && parseDatetime(s, f)) ?? v;
    }
    default:
      return v;
  }
}

/** The sdtype of a column from its storage type, name and sampled (typed) values. */
export function inferSdtype(name: string, storageType: StorageType, values: readonly CellValue[], opts: { isKey?: boolean } = {}): Sdtype {
  const present = values.filter((v) => v !== null && v !== undefined && v !== '');
  if (opts.isKey) return 'id';
  switch (storageType) {
    case 'boolean':
      return 'boolean';
    // Times of day are learned as instants within a day, so every generated time is a valid one.
    case 'date':
    case 'datetime':
    case 'time':
      return 'datetime';
    case 'binary':
    case 'json':
      return 'text';
  }
  const distinct = new Set(present.map((v) => (v instanceof Date ? v.getTime() : v)));
  const n = present.length;
  const unique = n > 0 && distinct.size === n;
  if (storageType === 'integer' || storageType === 'bigint' || storageType === 'float' || storageType === 'decimal') {
    const integral = storageType === 'integer' || storageType === 'bigint' || present.every((v) => typeof v === 'number' && Number.isInteger(v));
    if (integral && isIdLikeName(name) && (unique || n > 0)) return 'id';
    if (integral && n >= 10 && distinct.size === 2 && [...distinct].every((v) => v === 0 || v === 1)) return 'boolean';
    if (integral && CODE_NAME.test(name)) return 'categorical';
    if (integral && n >= 20 && distinct.size <= 10) return 'categorical';
    return 'numerical';
  }
  // strings
  const strs = present.map(String);
  if (isIdLikeName(name) && (unique || distinct.size > n * 0.5)) return 'id';
  if (strs.length > 0 && strs.every((s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s))) return 'id';
  const lower = new Set(strs.map((s) => s.trim().toLowerCase()));
  if (lower.size === 2 && [...lower].every((v) => TRUE_WORDS.has(v) || FALSE_WORDS.has(v))) return 'boolean';
  // Almost every value different (postcodes of 59 customers, company names): nothing to learn as
  // categories, and rare-category protection would replace nearly all of them. Text, mocked by default.
  // (Not in tables of under 20 rows: there, unique labels are the codes of a lookup table.)
  const common = commonShare(strs);
  const nearUnique = values.length >= 20 && n >= 5 && common < 0.5 && distinct.size > n * 0.5;
  if (CODE_NAME.test(name) && strs.every((s) => s.length <= 12)) return nearUnique ? 'text' : 'categorical';
  const avgLen = strs.reduce((a, s) => a + s.length, 0) / Math.max(1, strs.length);
  if (avgLen > 40 || nearUnique) return 'text';
  if (n > 0 && distinct.size <= Math.max(10, n * 0.2)) return 'categorical';
  // Short labels most of which repeat (countries of a small customer table): categories with a long tail.
  if (avgLen <= 30 && common >= 0.5) return 'categorical';
  return 'text';
}

/** Values seen at least this often are common (rare-category protection's default threshold). */
const COMMON_COUNT = 5;

/** Share of the values whose category is seen at least COMMON_COUNT times. */
function commonShare(values: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let common = 0;
  for (const c of counts.values()) if (c >= COMMON_COUNT) common += c;
  return values.length ? common / values.length : 0;
}
