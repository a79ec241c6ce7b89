import type { StorageType } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';
import { sqlDateText } from '../destinations/sqlite-types';

/** A Date as text for delimited files: `YYYY-MM-DD`, `HH:MM:SS` or `YYYY-MM-DD HH:MM:SS[.sss]` (UTC). */
export function dateText(d: Date, type: StorageType): string {
  const t = sqlDateText(d, type === 'date' || type === 'time' ? type : 'datetime');
  return t.endsWith('.000') ? t.slice(0, -4) : t;
}

/** A cell as the text written in CSV/TSV; null is the empty field. */
export function cellText(v: CellValue, type: StorageType): string {
  if (v === null) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : dateText(v, type);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}
