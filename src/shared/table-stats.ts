/**
 * Statistics of a table over every row of the source, computed where the data is (SQL
 * aggregates in a database, one streamed pass over a file) when the training rows are only a
 * sample. The encoders' rare-category decisions and the report's rare-category and extreme
 * checks read them, so a category that many rows of the table hold is not protected because the
 * sample happened to hold it a few times, and a minimum held by many rows is not called rare.
 */
import type { CellValue } from './values';

/** Most distinct values counted per column (the most frequent ones in a database). */
export const MAX_COUNTED_CATEGORIES = 10_000;

export interface ColumnStats {
  /** Rows with an empty cell. */
  nulls: number;
  /** Values with the rows holding them over the whole table, as the loader reads them (at most MAX_COUNTED_CATEGORIES). */
  categories?: Array<[CellValue, number]>;
  /** Whether every distinct value is listed (else a value not listed has an unknown count). */
  complete?: boolean;
  /** Numeric and datetime columns: the smallest and largest values and the rows holding each. */
  range?: { min: CellValue; max: CellValue; atMin: number; atMax: number };
}

export interface TableStats {
  /** Rows of the table. */
  rows: number;
  columns: Record<string, ColumnStats>;
}

/** Which columns to count: `categories` get value counts, `ranges` their extremes; every named column (and those of `nulls`) its empty cells. */
export interface StatsRequest {
  categories: string[];
  ranges: string[];
  /** Columns whose empty cells alone are counted (foreign keys: the share of rows linked to no parent). */
  nulls?: string[];
  signal?: AbortSignal;
}

/** Every column a request names, once. */
export function statsColumns(request: StatsRequest): string[] {
  return [...new Set([...request.categories, ...request.ranges, ...(request.nulls ?? [])])];
}

/** The share of a table's rows whose cell of `column` is empty, over the whole table (undefined when not counted). */
export function wholeNullShare(stats: TableStats | undefined, column: string): number | undefined {
  const c = stats?.columns[column];
  return c && stats.rows > 0 ? c.nulls / stats.rows : undefined;
}

/**
 * Rows of the table holding each category, by a key the caller chooses (its own category key):
 * the count to decide rarity by is the table's when listed, else the sample's (a lower bound,
 * so an unlisted value is protected unless the sample alone holds it often enough).
 */
export function wholeCounts(stats: ColumnStats | undefined, keyOf: (v: CellValue) => string | null): Map<string, number> | undefined {
  if (!stats?.categories) return undefined;
  const out = new Map<string, number>();
  for (const [v, n] of stats.categories) {
    const k = keyOf(v);
    if (k !== null) out.set(k, (out.get(k) ?? 0) + n);
  }
  return out;
}
