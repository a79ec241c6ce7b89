/**
 * The statistics behind SDMetrics' single-column and column-pair metrics, on typed arrays.
 * Missing values are NaN (continuous) or code 0 (discrete, see columns.ts `sharedCodes`).
 */

/** SDMetrics rounds to sys.float_info.dig - 1 = 14 decimals before the KS test. */
function round14(x: number): number {
  const y = Math.round(x * 1e14) / 1e14;
  return Number.isFinite(y) ? y : x;
}

/** Non-missing values, rounded like SDMetrics, sorted ascending. */
function sortedPresent(values: Float64Array): Float64Array {
  let n = 0;
  for (const v of values) if (!Number.isNaN(v)) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (const v of values) if (!Number.isNaN(v)) out[j++] = round14(v);
  return out.sort();
}

/** Two-sample Kolmogorov–Smirnov D statistic of two sorted arrays (scipy's ks_2samp statistic). */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < n && a[i]! <= v) i++;
    while (j < m && b[j]! <= v) j++;
    const diff = Math.abs(i / n - j / m);
    if (diff > d) d = diff;
  }
  return d;
}

/**
 * SDMetrics KSComplement: 1 − D on the non-missing values (datetimes as numbers).
 * NaN when either side has no values (SDMetrics returns NaN and leaves the column out).
 */
export function ksComplement(real: Float64Array, synthetic: Float64Array): number {
  const a = sortedPresent(real);
  const b = sortedPresent(synthetic);
  if (a.length === 0 || b.length === 0) return NaN;
  return 1 - ksStatisticSorted(a, b);
}

/** Counts of each code (code 0 = missing) up to `size` codes. */
export function countCodes(codes: Int32Array, size: number): Float64Array {
  const counts = new Float64Array(size);
  for (const c of codes) counts[c]!++;
  return counts;
}

/**
 * SDMetrics TVComplement: 1 − ½·Σ|p_syn − p_real| over the categories, missing values dropped;
 * a synthetic category unseen in the real data gets a real count of 1e-6 (SDMetrics'
 * regularisation). NaN when either side has no values.
 */
export function tvComplement(real: Int32Array, synthetic: Int32Array, size: number): number {
  const r = countCodes(real, size);
  const s = countCodes(synthetic, size);
  r[0] = 0;
  s[0] = 0;
  let rTotal = 0;
  let sTotal = 0;
  for (let k = 1; k < size; k++) {
    if (s[k]! > 0 && r[k] === 0) r[k] = 1e-6;
    rTotal += r[k]!;
    sTotal += s[k]!;
  }
  if (sTotal === 0 || rTotal < 1) return NaN;
  let tv = 0;
  for (let k = 1; k < size; k++) tv += Math.abs(s[k]! / sTotal - r[k]! / rTotal);
  return 1 - 0.5 * tv;
}

/** Number of distinct non-missing values, stopping once `limit` is passed. */
export function distinctCount(values: Float64Array, limit = 2): number {
  const seen = new Set<number>();
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    seen.add(v);
    if (seen.size > limit) break;
  }
  return seen.size;
}

/** Pearson correlation; NaN when a side has zero variance (scipy's pearsonr gives NaN there). */
export function pearson(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** Missing values replaced by 0, as SDMetrics' CorrelationSimilarity does before Pearson. */
export function zeroFilled(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = Number.isNaN(v) ? 0 : v;
  }
  return out;
}

/**
 * SDMetrics CorrelationSimilarity (Pearson): 1 − |ρ_real − ρ_syn| / 2, where missing values count
 * as 0 and an undefined ρ counts as 0. NaN (pair left out) when a column is constant on a side.
 */
export function correlationSimilarity(
  real1: Float64Array,
  real2: Float64Array,
  syn1: Float64Array,
  syn2: Float64Array,
): { score: number; real: number; synthetic: number } {
  if ([real1, real2, syn1, syn2].some((c) => distinctCount(c, 1) === 1)) return { score: NaN, real: NaN, synthetic: NaN };
  const rr = pearson(zeroFilled(real1), zeroFilled(real2));
  const rs = pearson(zeroFilled(syn1), zeroFilled(syn2));
  const real = Number.isNaN(rr) ? 0 : rr;
  const synthetic = Number.isNaN(rs) ? 0 : rs;
  return { score: 1 - Math.abs(real - synthetic) / 2, real, synthetic };
}

/** [min, max] of the values that are not NaN; null when there are none. */
export function finiteRange(values: Float64Array): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? null : [lo, hi];
}

/** numpy.histogram_bin_edges(values without NaN) with the default 10 equal-width bins. */
export function histogramBinEdges(values: Float64Array, bins = 10): Float64Array {
  let [lo, hi] = finiteRange(values) ?? [0, 1];
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + lo;
  edges[bins] = hi;
  return edges;
}

/** numpy.digitize(values, edges) for increasing edges: count of edges ≤ x; NaN → edges.length. */
export function digitize(values: Float64Array, edges: Float64Array): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      out[i] = edges.length;
      continue;
    }
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

/**
 * SDMetrics ContingencySimilarity: 1 − ½·Σ|P_real(a,b) − P_syn(a,b)| over the joint table of two
 * discrete columns, missing values kept as their own category (pandas groupby dropna=False).
 * Codes of column 1 are < size1 and of column 2 < size2.
 */
export function contingencySimilarity(real1: Int32Array, real2: Int32Array, syn1: Int32Array, syn2: Int32Array, size1: number, size2: number): number {
  const nr = real1.length;
  const ns = syn1.length;
  if (nr === 0 || ns === 0) return NaN;
  const cells = size1 * size2;
  let tv = 0;
  if (cells <= 1 << 20) {
    const r = new Float64Array(cells);
    const s = new Float64Array(cells);
    for (let i = 0; i < nr; i++) r[real1[i]! * size2 + real2[i]!]!++;
    for (let i = 0; i < ns; i++) s[syn1[i]! * size2 + syn2[i]!]!++;
    for (let k = 0; k < cells; k++) tv += Math.abs(r[k]! / nr - s[k]! / ns);
    return 1 - tv / 2;
  }
  const counts = new Map<number, [number, number]>();
  const add = (k: number, side: 0 | 1): void => {
    const c = counts.get(k);
    if (c) c[side]++;
    else counts.set(k, side === 0 ? [1, 0] : [0, 1]);
  };
  for (let i = 0; i < nr; i++) add(real1[i]! * size2 + real2[i]!, 0);
  for (let i = 0; i < ns; i++) add(syn1[i]! * size2 + syn2[i]!, 1);
  for (const [r, s] of counts.values()) tv += Math.abs(r / nr - s / ns);
  return 1 - tv / 2;
}

/** Mean of the finite values (numpy.nanmean); NaN when there are none. */
export function nanMean(values: number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}
