/**
 * The robust fidelity score ("accuracy", as MOSTLY AI's QA reports it): every column is cut into
 * bins defined on the REAL data only and applied to both sides, so the score does not move when
 * the synthetic range stops short of (or runs past) the real one.
 *
 * - Numerical and datetime columns: up to 10 quantile bins of the real values (deciles; a value
 *   carrying much mass gets its own bin, as the deciles coincide); values outside the real range
 *   fall into the first or last bin. A table read as a sample is cut at its whole-table deciles,
 *   and its real shares of one column's bins are the whole table's (`AccuracyOptions.whole`).
 * - Categorical and boolean columns: the 10 most frequent real categories, everything else in
 *   one "other" bin.
 * - Missing values are a bin of their own.
 *
 * Accuracy of a column, a pair or a triple of columns = 1 − total variation distance between the
 * real and synthetic shares of their (joint) bins. Univariate, bivariate and trivariate accuracy
 * are the means over columns, pairs and (a seeded sample of) triples; the score is their mean.
 */
import { runSteps, type Steps } from '../steps';
import type { RowBatch } from '../../../shared';
import { continuousValues, isContinuous, isEvaluated, sharedCodes, type ColumnSpec } from './columns';
import { nanMean } from './stats';
import { rng, sampleIndices } from './sample';
import { quantileShares, wholeNullShare, wholeQuantiles, type TableStats } from '../../../shared/table-stats';

export const ACCURACY_BINS = 10;

export interface AccuracyResult {
  /** Mean of the univariate, bivariate and trivariate accuracies, 0–1. */
  score: number | null;
  univariate: number | null;
  bivariate: number | null;
  trivariate: number | null;
  columns: { column: string; score: number }[];
}

export interface AccuracyOptions {
  bins?: number;
  /** Most triples scored (a seeded sample when there are more; default 300). */
  maxTriples?: number;
  /** Most pairs scored (default 2,000). */
  maxPairs?: number;
  seed?: number;
  /**
   * Statistics of the real table over every row when the real rows are a sample: a column with
   * whole-table quantiles is cut at the table's deciles, and its real shares (univariate) are the
   * table's, from those quantiles and its empty cells; the synthetic side is measured on its rows.
   */
  whole?: TableStats;
}

/** One column's bins on both sides: code 0 = missing, 1..size-1 = bins. */
interface Binned {
  name: string;
  real: Int32Array;
  syn: Int32Array;
  size: number;
  /** The real shares of the bins by code when known over the whole table (else counted on `real`). */
  realShares?: number[];
}

/** Quantile edges of the real values: distinct deciles (interior cut points). */
function quantileEdges(values: Float64Array, bins: number): number[] {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort();
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const x = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))]!;
    if (edges.length === 0 || x > edges[edges.length - 1]!) edges.push(x);
  }
  return edges;
}

/** Distinct deciles (interior cut points) of a column from its quantiles at evenly spaced points. */
function edgesFromQuantiles(quantiles: readonly number[], bins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const x = quantiles[Math.round((k / bins) * (quantiles.length - 1))]!;
    if (edges.length === 0 || x > edges[edges.length - 1]!) edges.push(x);
  }
  return edges;
}

/** Bin of x: 1 + number of edges strictly below x (missing → 0). */
function binContinuous(values: Float64Array, edges: number[]): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = 1 + lo;
  }
  return out;
}

function binColumn(real: RowBatch, synthetic: RowBatch, spec: ColumnSpec, bins: number, whole: TableStats | undefined): Binned {
  if (isContinuous(spec.sdtype)) {
    const r = continuousValues(real, spec.name, spec.sdtype);
    const s = continuousValues(synthetic, spec.name, spec.sdtype);
    const quantiles = wholeQuantiles(whole?.columns[spec.name]);
    const edges = quantiles ? edgesFromQuantiles(quantiles, bins) : quantileEdges(r, bins);
    const binned: Binned = { name: spec.name, real: binContinuous(r, edges), syn: binContinuous(s, edges), size: edges.length + 2 };
    if (!quantiles) return binned;
    const missing = wholeNullShare(whole, spec.name) ?? r.filter(Number.isNaN).length / Math.max(1, r.length);
    return { ...binned, realShares: [missing, ...quantileShares(quantiles, edges, 'right').map((x) => x * (1 - missing))] };
  }
  const codes = sharedCodes(real, synthetic, spec.name, spec.sdtype);
  const counts = new Float64Array(codes.labels.length);
  for (const c of codes.a) counts[c]!++;
  const top = Array.from({ length: codes.labels.length - 1 }, (_, i) => i + 1)
    .filter((c) => counts[c]! > 0)
    .sort((a, b) => counts[b]! - counts[a]! || a - b)
    .slice(0, bins);
  const map = new Int32Array(codes.labels.length).fill(top.length + 1);
  map[0] = 0;
  top.forEach((c, i) => (map[c] = i + 1));
  return { name: spec.name, real: codes.a.map((c) => map[c]!), syn: codes.b.map((c) => map[c]!), size: top.length + 2 };
}

/** Shares of the rows of each side in one column's bins (index 0: missing), as its univariate accuracy compares them. */
export function columnBinShares(real: RowBatch, synthetic: RowBatch, spec: ColumnSpec, opts: AccuracyOptions = {}): { real: number[]; synthetic: number[] } {
  const b = binColumn(real, synthetic, spec, opts.bins ?? ACCURACY_BINS, opts.whole);
  const shares = (codes: Int32Array): number[] => {
    const out = new Array<number>(b.size).fill(0);
    for (const c of codes) out[c]! += 1 / codes.length;
    return out;
  };
  return { real: b.realShares ?? shares(b.real), synthetic: shares(b.syn) };
}

/** 1 − TVD between the real and synthetic shares of the joint bins of some columns. */
function jointAccuracy(cols: Binned[]): number {
  const nr = cols[0]!.real.length;
  const ns = cols[0]!.syn.length;
  if (nr === 0 || ns === 0) return NaN;
  const counts = new Map<number, number>();
  const key = (side: 'real' | 'syn', i: number): number => cols.reduce((k, c) => k * c.size + c[side][i]!, 0);
  const known = cols.length === 1 ? cols[0]!.realShares : undefined;
  if (known) known.forEach((share, k) => counts.set(k, share));
  else
    for (let i = 0; i < nr; i++) {
      const k = key('real', i);
      counts.set(k, (counts.get(k) ?? 0) + 1 / nr);
    }
  for (let i = 0; i < ns; i++) {
    const k = key('syn', i);
    counts.set(k, (counts.get(k) ?? 0) - 1 / ns);
  }
  let tv = 0;
  for (const d of counts.values()) tv += Math.abs(d);
  return 1 - tv / 2;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Combinations of k out of n indices, or a seeded sample of at most `max` of them. */
function combinations(n: number, k: 2 | 3, max: number, seed: number): number[][] {
  const all: number[][] = [];
  if (k === 2) for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) all.push([a, b]);
  else for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) for (let c = b + 1; c < n; c++) all.push([a, b, c]);
  return all.length <= max ? all : sampleIndices(all.length, max, rng(seed)).map((i) => all[i]!);
}

/** Univariate, bivariate and trivariate accuracy of a synthetic table on bins of the real one. */
export function evaluateAccuracy(real: RowBatch, synthetic: RowBatch, columns: ColumnSpec[], opts: AccuracyOptions = {}): AccuracyResult {
  return runSteps(accuracySteps(real, synthetic, columns, opts));
}

/** Joint accuracies after one another, a yield every few (a pair or triple reads every row of both sides). */
function* accuracies(binned: Binned[], sets: number[][]): Steps<number[]> {
  const out: number[] = [];
  for (const set of sets) {
    out.push(jointAccuracy(set.map((i) => binned[i]!)));
    if (out.length % 20 === 0) yield;
  }
  return out;
}

/** evaluateAccuracy in steps. */
export function* accuracySteps(real: RowBatch, synthetic: RowBatch, columns: ColumnSpec[], opts: AccuracyOptions = {}): Steps<AccuracyResult> {
  const bins = opts.bins ?? ACCURACY_BINS;
  const seed = opts.seed ?? 13;
  const binned: Binned[] = [];
  for (const c of columns.filter((c) => isEvaluated(c.sdtype))) {
    binned.push(binColumn(real, synthetic, c, bins, opts.whole));
    yield;
  }
  const uni = binned.map((b) => ({ column: b.name, score: jointAccuracy([b]) }));
  yield;
  const pairs = yield* accuracies(binned, combinations(binned.length, 2, opts.maxPairs ?? 2000, seed));
  const triples = yield* accuracies(binned, combinations(binned.length, 3, opts.maxTriples ?? 300, seed + 1));
  const univariate = finite(nanMean(uni.map((u) => u.score)));
  const bivariate = finite(nanMean(pairs));
  const trivariate = finite(nanMean(triples));
  return {
    score: finite(nanMean([univariate ?? NaN, bivariate ?? NaN, trivariate ?? NaN])),
    univariate,
    bivariate,
    trivariate,
    columns: uni.filter((u) => Number.isFinite(u.score)),
  };
}
