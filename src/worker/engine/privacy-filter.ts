/**
 * Privacy filter: a synthetic row may not equal a training row on every modelled column unless
 * that combination is common in the training data (>= k occurrences, k = the rare-category
 * threshold). Rows that do are redrawn by the sampler.
 *
 * Checking a row is cheap: a row can only be a copy if its value in the PIVOT column (the one
 * with the most distinct values among the rare training rows) is one of theirs, a Set lookup on
 * the raw value; only those rows build the full key.
 */
import type { CellValue, Row } from '../../shared/values';
import { categoryKey } from './encoders/categorical';

export function rowKey(row: readonly CellValue[], positions: readonly number[]): string {
  let key = '';
  for (const p of positions) key += (categoryKey(row[p] ?? null) ?? '\u0000') + '\u0001';
  return key;
}

/**
 * A value that is equal for two cells whenever their categoryKey is (SameValueZero for numbers,
 * Dates by time); a few different keys may share one (strings 'd:…'), which only costs a full check.
 */
function pivotValue(v: CellValue | undefined): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return `d:${v.getTime()}`;
  if (typeof v === 'number' && Number.isNaN(v)) return null;
  return v;
}

export class CopyFilter {
  private constructor(
    private readonly rare: Set<string>,
    private readonly positions: number[],
    /** Index into `positions` of the pivot column and its values in the rare rows. */
    private readonly pivot: number = -1,
    private readonly pivotValues: Set<string | number | boolean | null> = new Set(),
  ) {}

  /** No filtering (filter disabled, or nothing modelled). */
  static none(): CopyFilter {
    return new CopyFilter(new Set(), []);
  }

  /**
   * From the training values of the modelled columns (column-major, aligned with `positions`,
   * the positions of those columns in output rows).
   */
  static fromColumns(values: readonly (readonly CellValue[])[], positions: number[], k: number): CopyFilter {
    if (values.length === 0) return CopyFilter.none();
    const n = values[0]?.length ?? 0;
    const counts = new Map<string, number>();
    const keys: string[] = new Array(n);
    const row: CellValue[] = new Array(values.length);
    const idx = values.map((_, i) => i);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < values.length; c++) row[c] = values[c]?.[r] ?? null;
      const key = rowKey(row, idx);
      keys[r] = key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const rare = new Set<string>();
    for (const [key, c] of counts) if (c < k) rare.add(key);
    if (rare.size === 0) return new CopyFilter(rare, positions);
    const rareRows: number[] = [];
    for (let r = 0; r < n; r++) if (rare.has(keys[r] as string)) rareRows.push(r);
    // The pivot: the column whose values among the rare rows are the most diverse.
    let pivot = 0;
    let pivotValues = new Set<string | number | boolean | null>();
    values.forEach((col, c) => {
      const set = new Set<string | number | boolean | null>();
      for (const r of rareRows) set.add(pivotValue(col[r]));
      if (set.size > pivotValues.size) {
        pivot = c;
        pivotValues = set;
      }
    });
    return new CopyFilter(rare, positions, pivot, pivotValues);
  }

  static fromPrepared(prepared: { copyFilter?: CopyFilter }): CopyFilter {
    return prepared.copyFilter ?? CopyFilter.none();
  }

  /** True when the row equals a rare training row on every modelled column. */
  isCopy(row: Row): boolean {
    if (this.rare.size === 0 || this.positions.length === 0) return false;
    if (this.pivot >= 0 && !this.pivotValues.has(pivotValue(row[this.positions[this.pivot] as number]))) return false;
    return this.rare.has(rowKey(row, this.positions));
  }

  /** Same as isCopy for row r of column-major output (`cols[p]` = the column at output position p). */
  isCopyAt(cols: readonly (readonly CellValue[])[], r: number): boolean {
    if (this.rare.size === 0 || this.positions.length === 0) return false;
    if (this.pivot >= 0 && !this.pivotValues.has(pivotValue(cols[this.positions[this.pivot] as number]?.[r]))) return false;
    let key = '';
    for (const p of this.positions) key += (categoryKey(cols[p]?.[r] ?? null) ?? '\u0000') + '\u0001';
    return this.rare.has(key);
  }

  get size(): number {
    return this.rare.size;
  }
}
