import type { StorageType } from '../../shared/metadata';
import { patternParts } from '../../shared/datetime-pattern';
import type { ValueForm } from '../../shared/value-form';

/**
 * Spreadsheet number formats for a column in the source's form: its date pattern as a date
 * format, its fixed decimals as a number format. XLSX takes format codes; ODS takes data styles.
 */

const DEFAULT_PATTERN: Partial<Record<StorageType, string>> = { date: 'YYYY-MM-DD', datetime: 'YYYY-MM-DD HH:mm:ss' };

/** The date pattern a column's cells are shown in (the source's, else ISO-like), or undefined for non-dates. */
export function sheetDatePattern(type: StorageType, form: ValueForm | undefined): string | undefined {
  if (type !== 'date' && type !== 'datetime') return undefined;
  return form?.datetimePattern ?? DEFAULT_PATTERN[type];
}

const EXCEL_TOKENS: Record<string, string> = { YYYY: 'yyyy', YY: 'yy', MM: 'mm', M: 'm', DD: 'dd', D: 'd', HH: 'hh', H: 'h', mm: 'mm', ss: 'ss' };
const PLAIN = /^[-/: ,]*$/;

/** An Excel number format code: `mm/dd/yyyy hh:mm`, `0.00`; undefined when General fits. */
export function excelFormat(type: StorageType, form: ValueForm | undefined): string | undefined {
  const pattern = sheetDatePattern(type, form);
  if (pattern) {
    const parts = patternParts(pattern);
    return parts
      .map((p, i) => {
        if ('token' in p) return p.token.startsWith('S') ? '0'.repeat(Math.min(3, p.token.length)) : EXCEL_TOKENS[p.token]!;
        const next = parts[i + 1];
        // The point before a fraction of a second stays bare, as Excel reads `ss.000`.
        if (p.literal.endsWith('.') && next && 'token' in next && next.token.startsWith('S')) return quoteExcel(p.literal.slice(0, -1)) + '.';
        return quoteExcel(p.literal);
      })
      .join('');
  }
  if (form?.decimals !== undefined && (type === 'float' || type === 'decimal')) return form.decimals > 0 ? `0.${'0'.repeat(form.decimals)}` : '0';
  return undefined;
}

const quoteExcel = (s: string): string => (s === '' || PLAIN.test(s) ? s : `"${s.replace(/"/g, '')}"`);

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const ODS_PARTS: Record<string, string> = {
  YYYY: '<number:year number:style="long"/>',
  YY: '<number:year/>',
  MM: '<number:month number:style="long"/>',
  M: '<number:month/>',
  DD: '<number:day number:style="long"/>',
  D: '<number:day/>',
  HH: '<number:hours number:style="long"/>',
  H: '<number:hours/>',
  mm: '<number:minutes number:style="long"/>',
};

/** The inside of an ODF `number:date-style` for a date pattern (fractions of a second as the seconds' decimals). */
export function odsDateStyle(pattern: string): string {
  const parts = patternParts(pattern);
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if ('literal' in p) {
      out += `<number:text>${xml(p.literal)}</number:text>`;
      continue;
    }
    if (p.token === 'ss') {
      const dot = parts[i + 1];
      const frac = parts[i + 2];
      if (dot && 'literal' in dot && dot.literal.startsWith('.') && frac && 'token' in frac && frac.token.startsWith('S') && dot.literal === '.') {
        out += `<number:seconds number:style="long" number:decimal-places="${frac.token.length}"/>`;
        i += 2;
      } else out += '<number:seconds number:style="long"/>';
      continue;
    }
    if (p.token.startsWith('S')) continue;
    out += ODS_PARTS[p.token] ?? '';
  }
  return out;
}

/** The inside of an ODF `number:number-style` with fixed decimals. */
export function odsNumberStyle(decimals: number): string {
  return `<number:number number:decimal-places="${decimals}" number:min-integer-digits="1"/>`;
}
