import type { StorageType } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';
import { formText, type ValueForm } from '../../shared/value-form';
import { wholeDateText } from '../dialects/sqlite-values';

/** A Date as text for delimited files: `YYYY-MM-DD`, `HH:MM:SS` or `YYYY-MM-DD HH:MM:SS[.sss]` (UTC). */
export function dateText(d: Date, type: StorageType): string {
  return wholeDateText(d, type === 'date' || type === 'time' ? type : 'datetime');
}

/** A cell as the text written in CSV/TSV, in the source's form when known; null is the empty field. */
export function cellText(v: CellValue, type: StorageType, form?: ValueForm): string {
  if (v === null) return '';
  const own = formText(v, form);
  if (own !== undefined) return own;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : dateText(v, type);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Storage types whose values are numbers in a spreadsheet: never neutralised (a negative number stays a number). */
const NUMERIC_TYPES: ReadonlySet<StorageType> = new Set(['integer', 'bigint', 'float', 'decimal', 'boolean']);

/** What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): = + - @ tab CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text a spreadsheet would run as a formula, made inert with a leading apostrophe (OWASP guidance); other text unchanged. */
export function inertText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** A cell as the text written in CSV/TSV, text cells neutralised against formulas unless `allowFormulas`. */
export function delimitedCell(v: CellValue, type: StorageType, allowFormulas: boolean, form?: ValueForm): string {
  const text = cellText(v, type, form);
  return allowFormulas || typeof v !== 'string' || NUMERIC_TYPES.has(type) ? text : inertText(text);
}
