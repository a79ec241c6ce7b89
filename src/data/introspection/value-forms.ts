import type { StorageType } from '../../shared/metadata';
import { formOrUndefined, type ValueForm } from '../../shared/value-form';
import { TRUE_WORDS } from './infer-types';

/**
 * Learns how a source wrote a column's values (shared/value-form.ts) from the texts of a sample:
 * the words of a boolean column, the fixed decimals of a number column, the pattern of a date
 * column. Only what every value agrees on is learned.
 */
export function learnTextForm(storageType: StorageType, texts: readonly string[], datetimeFormat?: string): ValueForm | undefined {
  const values = texts.map((t) => t.trim()).filter((t) => t !== '');
  if (values.length === 0) return undefined;
  switch (storageType) {
    case 'boolean':
      return { booleanWords: booleanWords(values) };
    case 'float':
    case 'decimal': {
      const d = fixedDecimals(values);
      return d === undefined ? undefined : { decimals: d };
    }
    case 'date':
    case 'datetime': {
      const p = datetimeFormat ? datetimePattern(datetimeFormat, values, storageType === 'date') : undefined;
      return p ? { datetimePattern: p } : undefined;
    }
    default:
      return undefined;
  }
}

/** The form a database or typed file declares: decimals of a scaled decimal type. */
export function declaredForm(storageType: StorageType, scale: number | undefined): ValueForm | undefined {
  return storageType === 'decimal' && scale !== undefined && scale >= 0 ? formOrUndefined({ decimals: scale }) : undefined;
}

/** The most written spelling of the true and of the false values (`Yes`/`No`, `y`/`n`, `T`/`F`…). */
function booleanWords(values: readonly string[]): [string, string] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const best = (truth: boolean): string | undefined =>
    [...counts.entries()].filter(([w]) => TRUE_WORDS.has(w.toLowerCase()) === truth).sort((a, b) => b[1] - a[1])[0]?.[0];
  return [best(true) ?? 'true', best(false) ?? 'false'];
}

/** Digits after the point when every value has the same number of them (none for integers or mixed). */
function fixedDecimals(values: readonly string[]): number | undefined {
  let d: number | undefined;
  for (const v of values) {
    if (/e/i.test(v)) return undefined;
    const k = v.includes('.') ? v.length - v.indexOf('.') - 1 : 0;
    if (d === undefined) d = k;
    else if (d !== k) return undefined;
  }
  return d === 0 ? undefined : d;
}

const DATE_PARTS: Record<string, { order: Array<'Y' | 'M' | 'D'>; sep: string; year: string }> = {
  ISO: { order: ['Y', 'M', 'D'], sep: '-', year: 'YYYY' },
  'YYYY/MM/DD': { order: ['Y', 'M', 'D'], sep: '/', year: 'YYYY' },
  'DD/MM/YYYY': { order: ['D', 'M', 'Y'], sep: '/', year: 'YYYY' },
  'MM/DD/YYYY': { order: ['M', 'D', 'Y'], sep: '/', year: 'YYYY' },
  'DD.MM.YYYY': { order: ['D', 'M', 'Y'], sep: '.', year: 'YYYY' },
  'DD-MM-YYYY': { order: ['D', 'M', 'Y'], sep: '-', year: 'YYYY' },
  YYYYMMDD: { order: ['Y', 'M', 'D'], sep: '', year: 'YYYY' },
  YYMMDD: { order: ['Y', 'M', 'D'], sep: '', year: 'YY' },
};

const DATE_TIME = /^(\d{1,4})\D?(\d{1,2})\D?(\d{1,4})(?:([ T])(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The pattern a detected date format (introspection/datetime-formats.ts) was written in, refined
 * by the values: unpadded day or month, the time part (separator, seconds, fraction digits) and
 * the zone mark. Values with an offset are written back in UTC with `Z`.
 */
export function datetimePattern(formatName: string, values: readonly string[], dateOnly: boolean): string | undefined {
  const parts = DATE_PARTS[formatName];
  if (!parts) return undefined;
  const fields = parts.sep === '' ? null : values.map((v) => DATE_TIME.exec(v));
  if (fields?.some((m) => m === null)) return undefined;
  const at = (f: 'Y' | 'M' | 'D'): number => parts.order.indexOf(f) + 1;
  const padded = (f: 'M' | 'D'): boolean => !fields || fields.every((m) => (m![at(f)] ?? '').length === 2);
  const token = (f: 'Y' | 'M' | 'D'): string => (f === 'Y' ? parts.year : padded(f) ? f + f : f);
  let pattern = parts.order.map(token).join(parts.sep);
  if (dateOnly || !fields) return pattern;
  const timed = fields.filter((m) => m![4] !== undefined).map((m) => m!);
  if (timed.length === 0) return pattern;
  pattern += timed[0]![4]! + (timed.every((m) => m[5]!.length === 2) ? 'HH' : 'H') + ':mm';
  if (timed.some((m) => m[7] !== undefined)) pattern += ':ss';
  const fraction = Math.max(0, ...timed.map((m) => m[8]?.length ?? 0));
  if (fraction > 0) pattern += '.' + 'S'.repeat(Math.min(fraction <= 3 ? fraction : 6, 6));
  if (timed.some((m) => m[9] !== undefined)) pattern += timed.every((m) => m[9] === 'Z') ? 'Z' : '+00:00';
  return pattern;
}

const EXCEL_DATE_TOKENS: Array<[RegExp, string]> = [
  [/^yyyy/i, 'YYYY'],
  [/^yy/i, 'YY'],
  [/^dd(?!d)/i, 'DD'],
  [/^d(?!d)/i, 'D'],
  [/^hh/i, 'HH'],
  [/^h/i, 'H'],
  [/^ss/i, 'ss'],
];

/**
 * The form a spreadsheet cell's number format gives (`dd/mm/yyyy`, `yyyy-mm-dd hh:mm`, `0.00`):
 * a date pattern for date columns, fixed decimals for number columns; undefined for formats the
 * pattern language cannot say (month names, AM/PM, percentages).
 */
export function formOfNumberFormat(storageType: StorageType, code: string | undefined): ValueForm | undefined {
  if (!code) return undefined;
  const clean = code.replace(/^\[\$-[0-9a-f]+\]/i, '').replace(/;.*$/, '');
  if (storageType === 'float' || storageType === 'decimal') {
    const m = /^(?:#,##)?0(?:\.(0+))?$/.exec(clean);
    return m?.[1] ? { decimals: m[1].length } : undefined;
  }
  if (storageType !== 'date' && storageType !== 'datetime') return undefined;
  let out = '';
  let rest = clean;
  let afterHour = false;
  while (rest.length > 0) {
    const quoted = /^"([^"]*)"/.exec(rest) ?? /^\\(.)/.exec(rest);
    if (quoted) {
      if (/[A-Za-z]/.test(quoted[1]!) && !/^[TZ]$/.test(quoted[1]!)) return undefined;
      out += quoted[1];
      rest = rest.slice(quoted[0].length);
      continue;
    }
    const fraction = /^\.(0{1,3})/.exec(rest);
    if (fraction && out.endsWith('ss')) {
      out += '.' + 'S'.repeat(fraction[1]!.length);
      rest = rest.slice(fraction[0].length);
      continue;
    }
    const month = /^m{1,2}(?!m)/i.exec(rest);
    if (month) {
      // `m` after an hour or before seconds is minutes, else the month.
      const minutes = afterHour || /^m{1,2}[^a-z]*s/i.test(rest);
      out += minutes ? 'mm' : month[0].length === 2 ? 'MM' : 'M';
      rest = rest.slice(month[0].length);
      afterHour = false;
      continue;
    }
    const token = EXCEL_DATE_TOKENS.find(([re]) => re.test(rest));
    if (token) {
      const m = token[0].exec(rest)!;
      out += token[1];
      afterHour = token[1].startsWith('H');
      rest = rest.slice(m[0].length);
      continue;
    }
    if (/^[a-z[]/i.test(rest)) return undefined;
    out += rest[0];
    rest = rest.slice(1);
  }
  if (!/Y/.test(out) && !/H/.test(out)) return undefined;
  return { datetimePattern: storageType === 'date' ? out.replace(/[ T]+H.*$/, '') : out };
}
