import type { CellValue, Page } from '../../shared';
import type { PreviewResult } from '../../data/sources/connector';

/** A cell as it crosses the wire: dates as ISO strings, bigint-like numbers as they are. */
export function wireCell(v: CellValue | undefined): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

export function toPage(p: PreviewResult, offset: number): Page {
  return { columns: p.columns, rows: p.rows.map((r) => r.map(wireCell)), offset, total: p.total };
}
