/**
 * Data behind the report's charts: per-column distributions (shared bins for real and
 * synthetic) and the real-vs-synthetic correlation (Pearson, numeric columns) and association
 * (Cramér's V, every column, numbers binned) matrices.
 */
import type { RowBatch } from '../../../shared';
import { continuousValues, isContinuous, sharedCodes, type ColumnSpec } from '../evaluate/columns';
import { quantileSorted } from '../evaluate/sample';
import { digitize, histogramBinEdges, pearson, zeroFilled } from '../evaluate/stats';
import type { Distribution, Matrix } from '../../../report/schema';
import { quantileShares, wholeQuantile, wholeQuantiles, type ColumnStats } from '../../../shared/table-stats';

const NUMERIC_BINS = 24;
const MAX_CATEGORIES = 16;

function shareOfMissing(values: Float64Array | Int32Array, missing: (v: number) => boolean): number {
  let m = 0;
  for (const v of values) if (missing(v)) m++;
  return values.length ? m / values.length : 0;
}

function isoDay(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '';
}

function fmt(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e6 || (a > 0 && a < 1e-3)) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}

function numericDistribution(real: RowBatch, synthetic: RowBatch, spec: ColumnSpec, whole: ColumnStats | undefined): Distribution {
  const r = continuousValues(real, spec.name, spec.sdtype);
  const s = continuousValues(synthetic, spec.name, spec.sdtype);
  const sorted = r.filter((v) => !Number.isNaN(v)).sort();
  // Range: the real 0.5–99.5% quantiles, so a few extremes do not flatten the chart; values
  // outside land in the first or last bin. A sampled table's are the whole table's.
  let lo = wholeQuantile(whole, 0.005) ?? quantileSorted(sorted, 0.005);
  let hi = wholeQuantile(whole, 0.995) ?? quantileSorted(sorted, 0.995);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi <= lo) hi = lo + 1;
  const distinct = new Set(sorted).size;
  const bins = Math.max(1, Math.min(NUMERIC_BINS, distinct));
  const width = (hi - lo) / bins;
  const count = (values: Float64Array): number[] => {
    const c = new Array<number>(bins).fill(0);
    let n = 0;
    for (const v of values) {
      if (Number.isNaN(v)) continue;
      n++;
      c[Math.max(0, Math.min(bins - 1, Math.floor((v - lo) / width)))]!++;
    }
    return c.map((x) => (n ? x / n : 0));
  };
  // A sampled table's real bars are the whole table's shares, from its quantiles.
  const quantiles = wholeQuantiles(whole);
  const edges = Array.from({ length: bins - 1 }, (_, i) => lo + (i + 1) * width);
  const rc = quantiles ? quantileShares(quantiles, edges, 'left') : count(r);
  const sc = count(s);
  const kind = spec.sdtype === 'datetime' ? 'datetime' : 'numeric';
  return {
    column: spec.name,
    sdtype: spec.sdtype,
    kind,
    bins: rc.map((real, i) => {
      const from = lo + i * width;
      const to = from + width;
      return { label: kind === 'datetime' ? isoDay(from) : fmt(from), from, to, real, synthetic: sc[i]! };
    }),
    missing: { real: shareOfMissing(r, Number.isNaN), synthetic: shareOfMissing(s, Number.isNaN) },
  };
}

function categoricalDistribution(real: RowBatch, synthetic: RowBatch, spec: ColumnSpec): Distribution {
  const { a, b, labels } = sharedCodes(real, synthetic, spec.name, spec.sdtype);
  const rc = new Float64Array(labels.length);
  const sc = new Float64Array(labels.length);
  for (const c of a) rc[c]!++;
  for (const c of b) sc[c]!++;
  const rn = a.length - rc[0]!;
  const sn = b.length - sc[0]!;
  const order = labels
    .map((_, i) => i)
    .filter((i) => i > 0)
    .sort((x, y) => rc[y]! - rc[x]! || sc[y]! - sc[x]!);
  const top = order.slice(0, MAX_CATEGORIES);
  const rest = order.slice(MAX_CATEGORIES);
  const bins = top.map((i) => ({ label: labels[i]!, real: rn ? rc[i]! / rn : 0, synthetic: sn ? sc[i]! / sn : 0 }));
  if (rest.length) {
    let r = 0;
    let s = 0;
    for (const i of rest) {
      r += rc[i]!;
      s += sc[i]!;
    }
    bins.push({ label: `(${rest.length} others)`, real: rn ? r / rn : 0, synthetic: sn ? s / sn : 0 });
  }
  return {
    column: spec.name,
    sdtype: spec.sdtype,
    kind: 'categorical',
    bins,
    missing: { real: a.length ? rc[0]! / a.length : 0, synthetic: b.length ? sc[0]! / b.length : 0 },
  };
}

/** A column's distribution on both sides; `whole`: the column's statistics over the whole table when the real rows are a sample. */
export function distribution(real: RowBatch, synthetic: RowBatch, spec: ColumnSpec, whole?: ColumnStats): Distribution {
  return isContinuous(spec.sdtype) ? numericDistribution(real, synthetic, spec, whole) : categoricalDistribution(real, synthetic, spec);
}

function round3(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  const r = Math.round(x * 1000) / 1000;
  return r === 0 ? 0 : r; // no -0
}

/** Pearson correlation matrix of the numeric/datetime columns (missing as 0, like SDMetrics). */
export function correlationMatrix(real: RowBatch, synthetic: RowBatch, specs: ColumnSpec[]): Matrix | null {
  const cols = specs.filter((c) => isContinuous(c.sdtype));
  if (cols.length < 2) return null;
  const build = (batch: RowBatch): (number | null)[][] => {
    const v = cols.map((c) => zeroFilled(continuousValues(batch, c.name, c.sdtype)));
    return v.map((x, i) => v.map((y, j) => (i === j ? 1 : round3(pearson(x, y)))));
  };
  return { columns: cols.map((c) => c.name), real: build(real), synthetic: build(synthetic) };
}

/** Cramér's V between two code arrays. */
export function cramersV(x: Int32Array, y: Int32Array, nx: number, ny: number): number {
  const n = x.length;
  if (n === 0 || nx * ny > 1 << 20) return NaN;
  const joint = new Float64Array(nx * ny);
  const rx = new Float64Array(nx);
  const ry = new Float64Array(ny);
  for (let i = 0; i < n; i++) {
    joint[x[i]! * ny + y[i]!]!++;
    rx[x[i]!]!++;
    ry[y[i]!]!++;
  }
  const kx = rx.filter((v) => v > 0).length;
  const ky = ry.filter((v) => v > 0).length;
  if (kx < 2 || ky < 2) return NaN;
  let chi2 = 0;
  for (let a = 0; a < nx; a++) {
    if (rx[a] === 0) continue;
    for (let b = 0; b < ny; b++) {
      if (ry[b] === 0) continue;
      const e = (rx[a]! * ry[b]!) / n;
      const d = joint[a * ny + b]! - e;
      chi2 += (d * d) / e;
    }
  }
  return Math.sqrt(chi2 / n / Math.min(kx - 1, ky - 1));
}

/** Cramér's V matrix over every column (numeric columns in 10 equal-width bins, missing as a category). */
export function associationMatrix(real: RowBatch, synthetic: RowBatch, specs: ColumnSpec[]): Matrix | null {
  if (specs.length < 2) return null;
  const codes = specs.map((c) => {
    if (isContinuous(c.sdtype)) {
      const r = continuousValues(real, c.name, c.sdtype);
      const s = continuousValues(synthetic, c.name, c.sdtype);
      const edges = histogramBinEdges(r);
      return { a: digitize(r, edges), b: digitize(s, edges), size: edges.length + 1 };
    }
    const sc = sharedCodes(real, synthetic, c.name, c.sdtype);
    return { a: sc.a, b: sc.b, size: sc.labels.length };
  });
  const build = (side: 'a' | 'b'): (number | null)[][] =>
    codes.map((x, i) => codes.map((y, j) => (i === j ? 1 : round3(cramersV(x[side], y[side], x.size, y.size)))));
  return { columns: specs.map((c) => c.name), real: build('a'), synthetic: build('b') };
}
