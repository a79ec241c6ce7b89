/**
 * Measured checks of the privacy protections, on the data itself (whatever the engine says):
 * - rare categories: categories seen fewer than `threshold` times in the training rows, and how
 *   many synthetic rows still carry one of them (0 expected when protection is on);
 * - extremes: per numeric/datetime column, whether the synthetic data reaches a real minimum or
 *   maximum that is rare (held by fewer than `threshold` training rows); outlier clipping keeps
 *   the synthetic values strictly inside. A common extreme (e.g. a zero held by most rows) is
 *   not a disclosure and is not counted.
 */
import type { RowBatch } from '../../../shared';
import { continuousValues, isContinuous, sharedCodes, type ColumnSpec } from './columns';
import { finiteRange } from './stats';

export interface RareCategoryCheck {
  column: string;
  /** Categories occurring fewer than the threshold times in the training rows. */
  categories: number;
  /** Training rows holding one of them. */
  trainRows: number;
  /** Synthetic rows holding one of them. */
  syntheticRows: number;
}

export interface ExtremeCheck {
  column: string;
  sdtype: ColumnSpec['sdtype'];
  real: [number, number];
  synthetic: [number, number] | null;
  /** Which real extremes are rare (held by fewer than the threshold rows). */
  rareExtremes: { min: boolean; max: boolean };
  /** The synthetic data reaches a rare real extreme. */
  reachesExtreme: boolean;
}

/** A threshold for all columns, or one per column (the effective settings'). */
export type Threshold = number | ((column: string) => number);
const thresholdOf = (t: Threshold, column: string): number => (typeof t === 'number' ? t : t(column));

export function rareCategoryChecks(train: RowBatch, synthetic: RowBatch, columns: ColumnSpec[], threshold: Threshold): RareCategoryCheck[] {
  const out: RareCategoryCheck[] = [];
  for (const c of columns) {
    if (isContinuous(c.sdtype)) continue;
    const k = thresholdOf(threshold, c.name);
    const { a, b, labels } = sharedCodes(train, synthetic, c.name, c.sdtype);
    const counts = new Int32Array(labels.length);
    for (const code of a) counts[code]!++;
    const rare = new Uint8Array(labels.length);
    let categories = 0;
    let trainRows = 0;
    for (let i = 1; i < labels.length; i++) {
      if (counts[i]! > 0 && counts[i]! < k) {
        rare[i] = 1;
        categories++;
        trainRows += counts[i]!;
      }
    }
    if (categories === 0) continue;
    let syntheticRows = 0;
    for (const code of b) if (rare[code]) syntheticRows++;
    out.push({ column: c.name, categories, trainRows, syntheticRows });
  }
  return out;
}

export function extremeChecks(train: RowBatch, synthetic: RowBatch, columns: ColumnSpec[], threshold: Threshold): ExtremeCheck[] {
  const out: ExtremeCheck[] = [];
  for (const c of columns) {
    if (!isContinuous(c.sdtype)) continue;
    const values = continuousValues(train, c.name, c.sdtype);
    const real = finiteRange(values);
    if (!real || real[0] === real[1]) continue;
    let atMin = 0;
    let atMax = 0;
    for (const v of values) {
      if (v === real[0]) atMin++;
      else if (v === real[1]) atMax++;
    }
    const k = thresholdOf(threshold, c.name);
    const rareExtremes = { min: atMin < k, max: atMax < k };
    const syn = finiteRange(continuousValues(synthetic, c.name, c.sdtype));
    const reachesExtreme = syn !== null && ((rareExtremes.min && syn[0] <= real[0]) || (rareExtremes.max && syn[1] >= real[1]));
    out.push({ column: c.name, sdtype: c.sdtype, real, synthetic: syn, rareExtremes, reachesExtreme });
  }
  return out;
}
