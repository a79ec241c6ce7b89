/**
 * Encoders fitted with differential privacy: the category set, numeric/datetime ranges and
 * quantile bins come from Gaussian-noised histograms (noise std `sigma` per cell), so a value
 * only a few rows have never shapes the vocabulary or the range.
 *
 * - Categorical: noisy count per category; a category is kept when its noisy count reaches
 *   the threshold (which also pays δ_sel for categories a single row could add). The null and
 *   rare tokens always exist (their presence would otherwise reveal data).
 * - Numeric / datetime: (1) a noisy histogram on a data-independent grid (sign-log cells for
 *   numbers, ~56-day cells for datetimes) gives the range: the outermost cells whose noisy count
 *   reaches the range threshold; (2) a noisy histogram of up to 1024 equal cells over that range
 *   (plus a null cell and an exact-zero cell when the range starts at 0) gives the quantile
 *   bins; heavy exact cells (zero, integer values) become point bins.
 * - Every histogram also yields noisy token counts, used to start the network's output biases
 *   (instead of the exact log-frequencies).
 * The column's format (decimals, text or number, date granularity and format) is treated as
 * schema, like the column types.
 */
import type { CellValue } from '../../../shared/values';
import type { CategoricalSpec } from '../encoders/categorical';
import { analyze as analyzeCategorical } from '../encoders/categorical';
import { millisOf, type DatetimeSpec } from '../encoders/datetime';
import type { EncoderSpec } from '../encoders/index';
import { toNumber, type NumericSpec } from '../encoders/numeric';
import type { Rng } from '../rng';

export interface DpNoise {
  sigma: number;
  categoryThreshold: number;
  rangeThreshold: number;
  rng: Rng;
  /** Target number of numeric bins. */
  bins: number;
  maxCategories: number;
}

export interface DpFit<S> {
  spec: S;
  /** Noisy count of each token of the (single) sub-column, clamped at 0. */
  tokenCounts: Float64Array;
}

function noisy(count: number, noise: DpNoise): number {
  return count + noise.sigma * noise.rng.normal();
}

export function dpCategorical(base: CategoricalSpec, values: readonly CellValue[], noise: DpNoise, n: number): DpFit<CategoricalSpec> {
  const stats = analyzeCategorical(values);
  const nullCount = Math.max(0, noisy(stats.nulls, noise));
  const kept = [...stats.counts.values()]
    .map((e) => ({ value: e.value, c: noisy(e.count, noise) }))
    .filter((e) => e.c >= noise.categoryThreshold)
    .sort((a, b) => b.c - a.c)
    .slice(0, noise.maxCategories);
  const spec: CategoricalSpec = { ...base, hasNull: true, hasRare: true, categories: kept.map((e) => e.value), weights: kept.map((e) => Math.max(1, e.c)) };
  const keptMass = kept.reduce((a, e) => a + e.c, 0);
  const tokenCounts = Float64Array.from([nullCount, Math.max(0, n - nullCount - keptMass), ...kept.map((e) => e.c)]);
  return { spec, tokenCounts };
}

/** Booleans keep their (schema-level) representations; only the token counts are noisy. */
export function dpBoolean<S extends { hasNull: boolean; hasRare: boolean; categories: (string | number | boolean)[]; weights: number[] }>(
  base: S,
  values: readonly CellValue[],
  noise: DpNoise,
): DpFit<S> {
  const stats = analyzeCategorical(values);
  const counts = base.categories.map((c) => Math.max(0, noisy([...stats.counts.values()].find((e) => e.value === c)?.count ?? 0, noise)));
  const spec: S = { ...base, hasNull: true, hasRare: base.hasRare, weights: counts.map((c) => Math.max(1, c)) };
  const nulls = Math.max(0, noisy(stats.nulls, noise));
  const tokenCounts = Float64Array.from([nulls, ...(base.hasRare ? [0] : []), ...counts]);
  return { spec, tokenCounts };
}

// ---- numeric ranges ----------------------------------------------------------------------

const PER_DECADE = 8;
const MIN_EXP = -6 * PER_DECADE;
const MAX_EXP = 16 * PER_DECADE;
const SIDE = MAX_EXP - MIN_EXP;

/** Coarse range grid for numbers: [negative cells (large -> small)][zero][positive cells (small -> large)]. */
function logCell(x: number): number {
  if (x === 0) return SIDE;
  const k = Math.min(MAX_EXP - 1, Math.max(MIN_EXP, Math.floor(PER_DECADE * Math.log10(Math.abs(x))))) - MIN_EXP;
  return x > 0 ? SIDE + 1 + k : SIDE - 1 - k;
}

function logEdges(cell: number): [number, number] {
  if (cell === SIDE) return [0, 0];
  if (cell > SIDE) {
    const k = cell - SIDE - 1 + MIN_EXP;
    return [cell === SIDE + 1 ? 0 : 10 ** (k / PER_DECADE), 10 ** ((k + 1) / PER_DECADE)];
  }
  const k = SIDE - 1 - cell + MIN_EXP;
  return [-(10 ** ((k + 1) / PER_DECADE)), cell === SIDE - 1 ? 0 : -(10 ** (k / PER_DECADE))];
}

const DATE_LO = -1e13;
const DATE_HI = 1e13;
const DATE_CELLS = 4096;

function dateCell(ms: number): number {
  return Math.min(DATE_CELLS - 1, Math.max(0, Math.floor(((ms - DATE_LO) / (DATE_HI - DATE_LO)) * DATE_CELLS)));
}

function dateEdges(cell: number): [number, number] {
  const w = (DATE_HI - DATE_LO) / DATE_CELLS;
  return [DATE_LO + cell * w, DATE_LO + (cell + 1) * w];
}

/** DP range [lo, hi] of finite values from a noisy coarse histogram. */
export function dpRange(nums: readonly number[], dates: boolean, noise: DpNoise): [number, number] | null {
  const cells = dates ? DATE_CELLS : 2 * SIDE + 1;
  const cellOf = dates ? dateCell : logCell;
  const edges = dates ? dateEdges : logEdges;
  const counts = new Float64Array(cells);
  for (const x of nums) counts[cellOf(x)]! += 1;
  let first = -1;
  let last = -1;
  let best = 0;
  for (let c = 0; c < cells; c++) {
    const v = noisy(counts[c] as number, noise);
    counts[c] = v;
    if (v >= noise.rangeThreshold) {
      if (first < 0) first = c;
      last = c;
    }
    if (v > (counts[best] as number)) best = c;
  }
  if (first < 0) {
    // Nothing clearly above the noise: the single most populated cell.
    first = best;
    last = best;
  }
  return [edges(first)[0], edges(last)[1]];
}

export function dpNumericBins(base: NumericSpec, nums: readonly (number | null)[], dates: boolean, noise: DpNoise): DpFit<NumericSpec> {
  const present = nums.filter((x): x is number => x !== null && Number.isFinite(x));
  const nullCount = nums.length - present.length;
  const range = dpRange(present, dates, noise);
  const integer = base.decimals === 0 && !dates;
  let [lo, hi] = range ?? [0, 0];
  if (integer) {
    lo = Math.floor(lo);
    hi = Math.ceil(hi);
  }
  const zeroAtom = lo === 0 && hi > 0;
  const start = zeroAtom && integer ? 1 : lo;
  const M = 1024;
  const width = integer ? Math.max(1, Math.ceil((hi - start + 1) / M)) : (hi - start) / M || 1;
  const cellsN = integer ? Math.max(1, Math.ceil((hi - start + 1) / width)) : M;
  // Cells: [zero atom?][regular 0..cellsN-1]
  const off = zeroAtom ? 1 : 0;
  const counts = new Float64Array(off + cellsN);
  for (const x0 of present) {
    const x = Math.min(hi, Math.max(lo, x0));
    if (zeroAtom && x === 0) counts[0]! += 1;
    else counts[off + Math.min(cellsN - 1, Math.max(0, Math.floor((x - start) / width)))]! += 1;
  }
  const noisyNull = Math.max(0, noisy(nullCount, noise));
  for (let c = 0; c < counts.length; c++) counts[c] = Math.max(0, noisy(counts[c] as number, noise));
  const cellLo = (c: number): number => (zeroAtom && c === 0 ? 0 : start + (c - off) * width);
  const cellHi = (c: number): number =>
    zeroAtom && c === 0 ? 0 : integer ? Math.min(hi, start + (c - off + 1) * width - 1) : Math.min(hi, start + (c - off + 1) * width);
  const total = counts.reduce((a, b) => a + b, 0);
  const heavy = total / noise.bins;
  const isPoint = (c: number): boolean => cellLo(c) === cellHi(c);
  const binLo: number[] = [];
  const binHi: number[] = [];
  const mass: number[] = [];
  let openAt = -1;
  let acc = 0;
  const target = Math.max(1e-9, total / noise.bins);
  const close = (end: number): void => {
    if (openAt < 0) return;
    binLo.push(cellLo(openAt));
    binHi.push(cellHi(end));
    mass.push(acc);
    openAt = -1;
    acc = 0;
  };
  for (let c = 0; c < counts.length; c++) {
    const v = counts[c] as number;
    if (isPoint(c) && v >= heavy && v > 0) {
      close(c - 1);
      binLo.push(cellLo(c));
      binHi.push(cellHi(c));
      mass.push(v);
      continue;
    }
    if (openAt < 0) openAt = c;
    acc += v;
    if (acc >= target) close(c);
  }
  close(counts.length - 1);
  const spec: NumericSpec = { ...base, hasNull: true, lo: binLo, hi: binHi, clip: [lo, hi], tails: undefined };
  return { spec, tokenCounts: Float64Array.from([noisyNull, ...mass]) };
}

/** The DP version of a modelled column's spec (same kind, same format), with noisy token counts. */
export function dpSpec(base: EncoderSpec, values: readonly CellValue[], noise: DpNoise, n: number): DpFit<EncoderSpec> {
  switch (base.kind) {
    case 'categorical':
      return dpCategorical(base, values, noise, n);
    case 'boolean':
      return dpBoolean(base, values, noise);
    case 'numeric':
      return dpNumericBins(
        base,
        values.map((v) => toNumber(v) ?? null),
        false,
        noise,
      );
    case 'datetime': {
      const fit = dpNumericBins(base.inner, millisOf(base, values), true, noise);
      const spec: DatetimeSpec = { ...base, inner: fit.spec };
      return { spec, tokenCounts: fit.tokenCounts };
    }
  }
}
