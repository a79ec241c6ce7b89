/**
 * Mixed-type row distance for the privacy metrics (a Gower distance): the mean over columns of
 * - numerical/datetime: |a − b| / scale, capped at 1, where scale is the training values'
 *   1st–99th percentile range (the full range if that is 0; 1 if constant);
 * - categorical/boolean: 0 if equal, 1 otherwise;
 * - missing: 0 if both missing, 1 if one is.
 * So distances are in [0, 1]. Rows are encoded once into flat typed arrays for speed.
 */
import type { RowBatch } from '../../../shared';
import { categoryKey, columnIndex, continuousValues, isContinuous, type ColumnSpec } from './columns';
import { quantileSorted } from './sample';

export interface EncodedRows {
  n: number;
  /** Row-major scaled numerics (NaN = missing), `numCols` per row. */
  num: Float64Array;
  numCols: number;
  /** Row-major category codes (0 = missing), `catCols` per row. */
  cat: Int32Array;
  catCols: number;
}

/** Encodes several batches of the same table with one scaling (from `reference`) and one dictionary. */
export function encodeForDistance(reference: RowBatch, batches: RowBatch[], columns: ColumnSpec[]): EncodedRows[] {
  const numeric = columns.filter((c) => isContinuous(c.sdtype));
  const discrete = columns.filter((c) => !isContinuous(c.sdtype));
  const scales = numeric.map((c) => {
    const v = continuousValues(reference, c.name, c.sdtype)
      .filter((x) => !Number.isNaN(x))
      .sort();
    if (v.length === 0) return 1;
    const spread = quantileSorted(v, 0.99) - quantileSorted(v, 0.01);
    const range = v[v.length - 1]! - v[0]!;
    return spread > 0 ? spread : range > 0 ? range : 1;
  });
  const dicts = discrete.map(() => new Map<string, number>());
  return batches.map((batch) => {
    const n = batch.rows.length;
    const num = new Float64Array(n * numeric.length);
    numeric.forEach((c, j) => {
      const v = continuousValues(batch, c.name, c.sdtype);
      const s = scales[j]!;
      for (let i = 0; i < n; i++) num[i * numeric.length + j] = v[i]! / s;
    });
    const cat = new Int32Array(n * discrete.length);
    discrete.forEach((c, j) => {
      const idx = columnIndex(batch, c.name);
      const dict = dicts[j]!;
      if (idx < 0) return;
      for (let i = 0; i < n; i++) {
        const key = categoryKey(batch.rows[i]![idx], c.sdtype);
        if (key === null) continue;
        let code = dict.get(key);
        if (code === undefined) {
          code = dict.size + 1;
          dict.set(key, code);
        }
        cat[i * discrete.length + j] = code;
      }
    });
    return { n, num, numCols: numeric.length, cat, catCols: discrete.length };
  });
}

/**
 * For each query row, the distances to its nearest and second-nearest reference rows (sum over
 * columns divided by the column count). Pruned: a candidate stops as soon as its partial sum
 * exceeds the current second-best.
 */
export function nearestTwo(query: EncodedRows, ref: EncodedRows): { d1: Float64Array; d2: Float64Array } {
  const cols = query.numCols + query.catCols;
  const d1 = new Float64Array(query.n);
  const d2 = new Float64Array(query.n);
  const { numCols, catCols } = query;
  const qn = query.num;
  const qc = query.cat;
  const rn = ref.num;
  const rc = ref.cat;
  for (let i = 0; i < query.n; i++) {
    let best1 = Infinity;
    let best2 = Infinity;
    const qnOff = i * numCols;
    const qcOff = i * catCols;
    for (let r = 0; r < ref.n; r++) {
      let sum = 0;
      const rcOff = r * catCols;
      for (let j = 0; j < catCols; j++) if (qc[qcOff + j] !== rc[rcOff + j]) sum += 1;
      if (sum > best2) continue;
      const rnOff = r * numCols;
      for (let j = 0; j < numCols; j++) {
        const a = qn[qnOff + j]!;
        const b = rn[rnOff + j]!;
        const d = a - b;
        if (d === d) sum += d < 0 ? (d < -1 ? 1 : -d) : d > 1 ? 1 : d;
        else if ((a === a) !== (b === b)) sum += 1;
        if (sum > best2) break;
      }
      if (sum < best1) {
        best2 = best1;
        best1 = sum;
      } else if (sum < best2) best2 = sum;
    }
    const denom = cols === 0 ? 1 : cols;
    d1[i] = best1 / denom;
    d2[i] = best2 / denom;
  }
  return { d1, d2 };
}

/** Columns of an encoded row set: indexes into its numeric and its categorical parts. */
export interface ColumnSubset {
  num: number[];
  cat: number[];
}

/**
 * For each query row, the reference rows at its smallest distance over a subset of columns
 * (all ties, up to `maxTies`, in reference order). Distances as in nearestTwo.
 */
export function nearestSets(query: EncodedRows, ref: EncodedRows, cols: ColumnSubset, maxTies = 50): number[][] {
  const out: number[][] = [];
  const { numCols, catCols } = query;
  for (let i = 0; i < query.n; i++) {
    let best = Infinity;
    let set: number[] = [];
    for (let r = 0; r < ref.n; r++) {
      let sum = 0;
      for (const j of cols.cat) if (query.cat[i * catCols + j] !== ref.cat[r * catCols + j]) sum += 1;
      if (sum > best) continue;
      for (const j of cols.num) {
        const a = query.num[i * numCols + j]!;
        const b = ref.num[r * numCols + j]!;
        const d = a - b;
        if (d === d) sum += d < 0 ? (d < -1 ? 1 : -d) : d > 1 ? 1 : d;
        else if ((a === a) !== (b === b)) sum += 1;
        if (sum > best) break;
      }
      if (sum < best - 1e-12) {
        best = sum;
        set = [r];
      } else if (sum <= best + 1e-12 && set.length < maxTies) set.push(r);
    }
    out.push(set);
  }
  return out;
}
