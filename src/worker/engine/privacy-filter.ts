/**
 * Privacy filter: a synthetic row may not equal a training row on every modelled column unless
 * that combination is common in the training data (>= k occurrences, k = the rare-category
 * threshold). Rows that do are redrawn by the sampler.
 */
import type { CellValue, Row } from '../../shared/values';
import { categoryKey } from './encoders/categorical';

export function rowKey(row: readonly CellValue[], positions: readonly number[]): string {
  let key = '';
  for (const p of positions) key += (categoryKey(row[p] ?? null) ?? '\u0000') + '\u0001';
  return key;
}

export class CopyFilter {
  private constructor(
    private readonly rare: Set<string>,
    private readonly positions: number[],
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
    const row: CellValue[] = new Array(values.length);
    const idx = values.map((_, i) => i);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < values.length; c++) row[c] = values[c]?.[r] ?? null;
      const key = rowKey(row, idx);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const rare = new Set<string>();
    for (const [key, c] of counts) if (c < k) rare.add(key);
    return new CopyFilter(rare, positions);
  }

  static fromPrepared(prepared: { copyFilter?: CopyFilter }): CopyFilter {
    return prepared.copyFilter ?? CopyFilter.none();
  }

  /** True when the row equals a rare training row on every modelled column. */
  isCopy(row: Row): boolean {
    return this.positions.length > 0 && this.rare.has(rowKey(row, this.positions));
  }

  get size(): number {
    return this.rare.size;
  }
}
