import type { CellValue, Page, StorageType } from '../../shared';
import type { PreviewResult } from '../../data/sources/connector';
import { sqlDateText } from '../../data/dialects/sqlite-values';

/**
 * A cell as it crosses the wire: dates as text the way the column holds them (`YYYY-MM-DD` for a
 * date-only column, `YYYY-MM-DD HH:MM:SS` for a datetime; ISO when the type is unknown),
 * bigint-like numbers as they are.
 */
export function wireCell(v: CellValue | undefined, type?: StorageType): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    if (type === 'date' || type === 'datetime' || type === 'time') return sqlDateText(v, type).replace(/\.000$/, '');
    return v.toISOString();
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

/** A page of rows for the renderer; `types` (storage type per column name) decides how dates read. */
export function toPage(p: PreviewResult, offset: number, types: Record<string, StorageType> = {}): Page {
  const byIndex = p.columns.map((c) => types[c]);
  return { columns: p.columns, rows: p.rows.map((r) => r.map((v, i) => wireCell(v, byIndex[i]))), offset, total: p.total };
}

/** Storage type per column name of a table described by its columns. */
export function columnTypes(columns: readonly { name: string; storageType: StorageType }[] | undefined): Record<string, StorageType> {
  return Object.fromEntries((columns ?? []).map((c) => [c.name, c.storageType]));
}
