/**
 * Measured checks of the privacy protections, on the data itself (whatever the engine says):
 * - rare categories: categories seen fewer than `threshold` times in the training rows, and how
 *   many synthetic rows still carry one of them (0 expected when protection is on);
 * - extremes: per numeric/datetime column, whether the synthetic data reaches a real minimum or
 *   maximum that is rare (held by fewer than `threshold` training rows); outlier clipping keeps
 *   the synthetic values strictly inside. A common extreme (e.g. a zero held by most rows) is
 *   not a disclosure and is not counted.
 * When the training rows are a sample, rarity is counted over every row of the source table
 * (`whole`, aggregates in the source): a category or extreme that many rows of the table hold is
 * not rare because the sample holds it a few times.
 */
import type { RowBatch } from '../../../shared';
import { wholeCounts, type TableStats } from '../../../shared/table-stats';
import { categoryKey, continuousValues, datetimeValue, isContinuous, numericValue, sharedCodes, type ColumnSpec } from './columns';
import { finiteRange } from './stats';

export interface RareCategoryCheck {
  column: string;
  /** Categories occurring fewer than the threshold times in the training rows. */
  categories: number;
  /** Training rows holding one of them. */
  trainRows: number;
  /** Synthetic rows holding one of them. */
  syntheticRows: number;
  /** Rarity counted over every row of the source table (the training rows were a sample). */
  wholeTable?: boolean;
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
  /** The real extremes and their rows are the source table's (the training rows were a sample). */
  wholeTable?: boolean;
}

/** A threshold for all columns, or one per column (the effective settings'). */
export type Threshold = number | ((column: string) => number);
const thresholdOf = (t: Threshold, column: string): number => (typeof t === 'number' ? t : t(column));

export function rareCategoryChecks(train: RowBatch, synthetic: RowBatch, columns: ColumnSpec[], threshold: Threshold, whole?: TableStats): RareCategoryCheck[] {
  const out: RareCategoryCheck[] = [];
  for (const c of columns) {
    if (isContinuous(c.sdtype)) continue;
    const k = thresholdOf(threshold, c.name);
    const { a, b, labels } = sharedCodes(train, synthetic, c.name, c.sdtype);
    const counts = new Int32Array(labels.length);
    for (const code of a) counts[code]!++;
    // The table's rows per category when known (the sample's count is a lower bound otherwise).
    const table = wholeCounts(whole?.columns[c.name], (v) => categoryKey(v, c.sdtype));
    const rows = (i: number): number => Math.max(counts[i]!, table?.get(labels[i] ?? '') ?? 0);
    const rare = new Uint8Array(labels.length);
    let categories = 0;
    let trainRows = 0;
    for (let i = 1; i < labels.length; i++) {
      if (counts[i]! > 0 && rows(i) < k) {
        rare[i] = 1;
        categories++;
        trainRows += counts[i]!;
      }
    }
    if (categories === 0) continue;
    let syntheticRows = 0;
    for (const code of b) if (rare[code]) syntheticRows++;
    out.push({ column: c.name, categories, trainRows, syntheticRows, ...(table ? { wholeTable: true } : {}) });
  }
  return out;
}

/** A column's real extremes and the rows holding each: the source table's when given, else the training rows'. */
function realExtremes(train: RowBatch, c: ColumnSpec, whole: TableStats | undefined): { real: [number, number]; atMin: number; atMax: number } | null {
  const range = whole?.columns[c.name]?.range;
  if (range) {
    const value = c.sdtype === 'datetime' ? datetimeValue : numericValue;
    const real: [number, number] = [value(range.min), value(range.max)];
    if (Number.isFinite(real[0]) && Number.isFinite(real[1])) return { real, atMin: range.atMin, atMax: range.atMax };
  }
  const values = continuousValues(train, c.name, c.sdtype);
  const real = finiteRange(values);
  if (!real) return null;
  let atMin = 0;
  let atMax = 0;
  for (const v of values) {
    if (v === real[0]) atMin++;
    else if (v === real[1]) atMax++;
  }
  return { real, atMin, atMax };
}

export function extremeChecks(train: RowBatch, synthetic: RowBatch, columns: ColumnSpec[], threshold: Threshold, whole?: TableStats): ExtremeCheck[] {
  const out: ExtremeCheck[] = [];
  for (const c of columns) {
    if (!isContinuous(c.sdtype)) continue;
    const extremes = realExtremes(train, c, whole);
    if (!extremes || extremes.real[0] === extremes.real[1]) continue;
    const { real, atMin, atMax } = extremes;
    const k = thresholdOf(threshold, c.name);
    const rareExtremes = { min: atMin < k, max: atMax < k };
    const syn = finiteRange(continuousValues(synthetic, c.name, c.sdtype));
    const reachesExtreme = syn !== null && ((rareExtremes.min && syn[0] <= real[0]) || (rareExtremes.max && syn[1] >= real[1]));
    const wholeTable = whole?.columns[c.name]?.range !== undefined;
    out.push({ column: c.name, sdtype: c.sdtype, real, synthetic: syn, rareExtremes, reachesExtreme, ...(wholeTable ? { wholeTable } : {}) });
  }
  return out;
}
