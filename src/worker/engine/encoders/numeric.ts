/**
 * Numeric encoding: quantile bins with uniform draws inside a bin. Values that carry much mass
 * (>= 1/bins of the rows, e.g. the 0 of a capital-gain column, or every value of a column with
 * few distinct values) get a bin of their own, so they come back exactly. Tokens: [null][bins].
 * Privacy: extremes are clipped at reduce time (to about the 6th-8th most extreme value, or to
 * the configured quantiles). With the default clip, the values beyond the bound become a tail
 * token of their own ([null][lower tail][bins][upper tail]) and come back drawn from a smooth
 * tail model capped strictly inside the real extreme (tail.ts), so the shape of the tail is kept
 * and no real extreme is reproduced; configured quantiles clip hard. Precision is kept.
 * When the training rows are a sample and the whole table's quantiles are known, the bins and
 * the tails' shape are fitted on the whole table's quantile function (`quantileShape`) and the
 * default clip reaches out to the table's outermost 0.5% points when enough rows lie beyond them
 * (`wholeBounds`): values in the tails the sample missed come back, within the table's range,
 * while the sample only says how often each bin is used.
 */
import type { CellValue } from '../../../shared/values';
import { QUANTILE_POINTS, discreteOffset } from '../../../shared/table-stats';
import type { Rng } from '../rng';
import { drawLowerTail, drawUpperTail, fitLowerTail, fitUpperTail, type TailModel } from './tail';
import { lowerBound, type ReduceOptions, type SubColumn, type Tokens } from './types';

export interface NumericStats {
  /** Finite values, sorted ascending. */
  sorted: Float64Array;
  nulls: number;
  /** Values that were present but not numbers (mixed types). */
  invalid: number;
  /** Max digits after the decimal point seen (capped at 10). */
  decimals: number;
  /** Share of present values given as strings (kept as strings on output when most were). */
  strings: number;
  n: number;
}

export interface NumericSpec {
  kind: 'numeric';
  hasNull: boolean;
  /** Bin i covers [lo[i], hi[i]]; a point bin has lo == hi. Sorted, non-overlapping. */
  lo: number[];
  hi: number[];
  decimals: number;
  asString: boolean;
  clip: [number, number];
  /** Smooth tails beyond the clip bounds (absent: values are clipped to the bounds). */
  tails?: { low: TailModel | null; high: TailModel | null };
}

/** Parses a cell as a number; undefined when it is not one (null stays null). */
export function toNumber(v: CellValue): number | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.isNaN(v) ? null : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  const s = v.trim();
  if (s === '') return null;
  const x = Number(s);
  return Number.isFinite(x) ? x : undefined;
}

export function decimalsOf(x: number): number {
  if (Number.isInteger(x)) return 0;
  const s = String(x);
  const e = s.indexOf('e-');
  if (e >= 0) return Math.min(10, Number(s.slice(e + 2)) + (s.indexOf('.') >= 0 ? e - s.indexOf('.') - 1 : 0));
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : Math.min(10, s.length - dot - 1);
}

export function analyze(values: readonly CellValue[]): NumericStats {
  const buf = new Float64Array(values.length);
  let m = 0;
  let nulls = 0;
  let invalid = 0;
  let decimals = 0;
  let strings = 0;
  for (const v of values) {
    const x = toNumber(v);
    if (x === null) nulls++;
    else if (x === undefined) invalid++;
    else {
      buf[m++] = x;
      if (typeof v === 'string') strings++;
      if (decimals < 10 && !Number.isInteger(x)) decimals = Math.max(decimals, decimalsOf(x));
    }
  }
  const sorted = buf.slice(0, m).sort();
  return { sorted, nulls, invalid, decimals, strings: m > 0 ? strings / m : 0, n: values.length };
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[pos] as number;
}

/** Clip bounds: configured quantiles, else about the 6th-8th most extreme value (not a whole-table extreme many rows hold, see `wholeExtremes`). */
export function clipBounds(sorted: Float64Array, opts: ReduceOptions, rng: Rng): [number, number] {
  const m = sorted.length;
  if (m === 0) return [0, 0];
  let lo = sorted[0] as number;
  let hi = sorted[m - 1] as number;
  if (opts.clip) {
    const k = 6 + rng.int(3);
    const kk = Math.min(k - 1, Math.floor((m - 1) / 4));
    const whole = opts.wholeExtremes;
    const common = (rows: number): boolean => !!whole && rows >= Math.max(k, whole.rareBelow);
    if (!common(whole?.atMin ?? 0)) lo = sorted[kk] as number;
    if (!common(whole?.atMax ?? 0)) hi = sorted[m - 1 - kk] as number;
    if (opts.wholeQuantiles) {
      const need = Math.max(k, whole?.rareBelow ?? opts.rareThreshold);
      const [wlo, whi] = wholeBounds(opts.wholeQuantiles, need, { min: common(whole?.atMin ?? 0), max: common(whole?.atMax ?? 0) });
      lo = Math.min(lo, wlo);
      hi = Math.max(hi, whi);
    }
  }
  if (opts.clipLowerQuantile !== undefined) lo = quantile(sorted, opts.clipLowerQuantile);
  if (opts.clipUpperQuantile !== undefined) hi = quantile(sorted, opts.clipUpperQuantile);
  return lo <= hi ? [lo, hi] : [hi, lo];
}

/**
 * The default clip's bounds the whole table allows: its extreme when many rows hold it
 * (`common`), else the outermost quantile point with at least `need` rows at or beyond it (the
 * 0.5% and 99.5% points once the table has 200 × `need` values): a value many rows reach, never
 * a rare extreme.
 */
function wholeBounds(w: { points: readonly number[]; rows: number }, need: number, common: { min: boolean; max: boolean }): [number, number] {
  const last = w.points.length - 1;
  let lo = common.min ? w.points[0]! : w.points[last]!;
  let hi = common.max ? w.points[last]! : w.points[0]!;
  for (let j = 1; j < last && !common.min; j++) {
    if (discreteOffset(QUANTILE_POINTS[j]!, w.rows) + 1 >= need) {
      lo = w.points[j]!;
      break;
    }
  }
  for (let j = last - 1; j > 0 && !common.max; j--) {
    if (w.rows - discreteOffset(QUANTILE_POINTS[j]!, w.rows) >= need) {
      hi = w.points[j]!;
      break;
    }
  }
  return [lo, hi];
}

/** Ranked values per step between two quantile points in `quantileShape`. */
const SHAPE_STEPS = 20;

/**
 * The whole table's values as its quantile points give them: SHAPE_STEPS evenly ranked values
 * between each two points (linear between them, at the column's decimals), ascending. The
 * table's extremes themselves are not among them.
 */
export function quantileShape(points: readonly number[], decimals: number): Float64Array {
  const out = new Float64Array((points.length - 1) * SHAPE_STEPS);
  for (let j = 0; j + 1 < points.length; j++) {
    const [a, b] = [points[j]!, points[j + 1]!];
    for (let s = 0; s < SHAPE_STEPS; s++) {
      const t = (s + 0.5) / SHAPE_STEPS;
      out[j * SHAPE_STEPS + s] = Math.min(b, Math.max(a, round((1 - t) * a + t * b, decimals)));
    }
  }
  return out;
}

/** Quantile bins over clipped sorted values; heavy values get point bins. */
export function makeBins(sorted: Float64Array, clip: [number, number], nBins: number): { lo: number[]; hi: number[] } {
  const lo: number[] = [];
  const hi: number[] = [];
  const m = sorted.length;
  if (m === 0) return { lo: [], hi: [] };
  // Distinct values with counts, after clipping.
  const vals: number[] = [];
  const cnts: number[] = [];
  for (let i = 0; i < m; i++) {
    const x = Math.min(clip[1], Math.max(clip[0], sorted[i] as number));
    if (vals.length > 0 && vals[vals.length - 1] === x) cnts[cnts.length - 1]! += 1;
    else {
      vals.push(x);
      cnts.push(1);
    }
  }
  const heavy = m / nBins;
  let atomMass = 0;
  let atoms = 0;
  for (const c of cnts)
    if (c >= heavy) {
      atomMass += c;
      atoms++;
    }
  const target = Math.max(1, (m - atomMass) / Math.max(1, nBins - atoms));
  let start = -1;
  let acc = 0;
  const close = (end: number): void => {
    if (start < 0) return;
    lo.push(vals[start] as number);
    hi.push(vals[end] as number);
    start = -1;
    acc = 0;
  };
  for (let i = 0; i < vals.length; i++) {
    const c = cnts[i] as number;
    if (c >= heavy) {
      close(i - 1);
      lo.push(vals[i] as number);
      hi.push(vals[i] as number);
      continue;
    }
    if (start < 0) start = i;
    acc += c;
    if (acc >= target) close(i);
  }
  close(vals.length - 1);
  return { lo, hi };
}

/** Index of the first element > x in a sorted array. */
function upperBound(sorted: Float64Array, x: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if ((sorted[mid] as number) <= x) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** Tail models beyond the default clip's bounds (a side clipped at a configured quantile stays hard). */
function fitTails(sorted: Float64Array, clip: [number, number], opts: ReduceOptions, rng: Rng): NumericSpec['tails'] {
  if (!opts.clip || opts.clipTails === false) return undefined;
  const high = opts.clipUpperQuantile === undefined ? fitUpperTail(sorted, upperBound(sorted, clip[1]), clip[1], rng) : null;
  const low = opts.clipLowerQuantile === undefined ? fitLowerTail(sorted, sorted.length - lowerBound(sorted, clip[0]), clip[0], rng) : null;
  return low || high ? { low, high } : undefined;
}

export function reduce(stats: NumericStats, opts: ReduceOptions, rng: Rng): NumericSpec {
  const clip = clipBounds(stats.sorted, opts, rng);
  const whole = opts.wholeQuantiles;
  // The values bins and tails are fitted on: the whole table's when known, else the training values.
  const shape = whole && stats.sorted.length > 0 ? quantileShape(whole.points, opts.precision ?? stats.decimals) : stats.sorted;
  const { lo, hi } = makeBins(shape, clip, opts.bins);
  const tails = lo.length > 0 ? fitTails(shape, clip, opts, rng) : undefined;
  return {
    kind: 'numeric',
    hasNull: stats.nulls + stats.invalid > 0 || stats.sorted.length === 0,
    lo,
    hi,
    decimals: opts.precision ?? stats.decimals,
    asString: stats.strings > 0.5,
    clip,
    ...(tails ? { tails } : {}),
  };
}

/** Tokens before the bins: the null token, then the lower tail's. */
function binOffset(spec: NumericSpec): number {
  return (spec.hasNull ? 1 : 0) + (spec.tails?.low ? 1 : 0);
}

export function subColumns(spec: NumericSpec, name: string): SubColumn[] {
  return [{ name, cardinality: binOffset(spec) + spec.lo.length + (spec.tails?.high ? 1 : 0) }];
}

/** Bin of a (clipped) value: the first bin whose upper end is >= x. */
export function binOf(spec: NumericSpec, x: number): number {
  const c = Math.min(spec.clip[1], Math.max(spec.clip[0], x));
  return Math.min(spec.hi.length - 1, lowerBound(spec.hi, c));
}

/** Token of a present value: a tail token beyond a bound that has a tail, else its bin's. */
function tokenOf(spec: NumericSpec, x: number): number {
  const off = binOffset(spec);
  if (spec.tails?.low && x < spec.clip[0]) return off - 1;
  if (spec.tails?.high && x > spec.clip[1]) return off + spec.lo.length;
  return off + binOf(spec, x);
}

export function encodeNumbers(spec: NumericSpec, nums: ArrayLike<number | null>): Tokens {
  const out = new Int32Array(nums.length);
  for (let i = 0; i < nums.length; i++) {
    const x = nums[i];
    out[i] = x === null || x === undefined || spec.lo.length === 0 ? 0 : tokenOf(spec, x);
  }
  return [out];
}

export function encode(spec: NumericSpec, values: readonly CellValue[]): Tokens {
  return encodeNumbers(
    spec,
    values.map((v) => toNumber(v) ?? null),
  );
}

export function round(x: number, decimals: number): number {
  if (decimals <= 0) return Math.round(x);
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return Number.isFinite(r) ? r : x;
}

/** Draws a number inside a bin, with the column's precision. */
export function drawInBin(spec: NumericSpec, bin: number, rng: Rng): number {
  const a = spec.lo[bin] as number;
  const b = spec.hi[bin] as number;
  if (a === b) return a;
  const u = rng.next();
  if (spec.decimals === 0 && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return a + Math.floor(u * (b - a + 1));
  // (1-u)a + ub stays finite even when b - a overflows.
  const x = (1 - u) * a + u * b;
  return Math.min(b, Math.max(a, round(x, spec.decimals)));
}

/** Rounds a tail draw to the column's precision without crossing its cap (nor coming back inside the bound's bin). */
function tailValue(x: number, t: TailModel, decimals: number): number {
  const r = round(x, decimals);
  const upper = t.cap > t.bound;
  const f = 10 ** Math.max(0, decimals);
  const capR = upper ? Math.floor(t.cap * f) / f : Math.ceil(t.cap * f) / f;
  return upper ? Math.max(t.bound, Math.min(capR, r)) : Math.min(t.bound, Math.max(capR, r));
}

export function decodeNumbers(spec: NumericSpec, tokens: Tokens, rng: Rng): (number | null)[] {
  const t = tokens[0] ?? new Int32Array(0);
  const off = binOffset(spec);
  const low = spec.tails?.low ?? null;
  const high = spec.tails?.high ?? null;
  const out: (number | null)[] = new Array(t.length);
  for (let i = 0; i < t.length; i++) {
    const tok = t[i] as number;
    if ((spec.hasNull && tok === 0) || spec.lo.length === 0) out[i] = null;
    else if (low && tok === off - 1) out[i] = tailValue(drawLowerTail(low, rng), low, spec.decimals);
    else if (high && tok === off + spec.lo.length) out[i] = tailValue(drawUpperTail(high, rng), high, spec.decimals);
    else out[i] = drawInBin(spec, Math.min(spec.lo.length - 1, Math.max(0, tok - off)), rng);
  }
  return out;
}

export function decode(spec: NumericSpec, tokens: Tokens, rng: Rng): CellValue[] {
  const nums = decodeNumbers(spec, tokens, rng);
  if (!spec.asString) return nums;
  return nums.map((x) => (x === null ? null : spec.decimals > 0 ? x.toFixed(spec.decimals) : String(x)));
}
