/**
 * Smooth tails beyond a privacy clip bound. Clipping keeps the few most extreme real values out
 * of the model, but cutting the tail off at the bound changes the column's shape (and every
 * metric that bins on the synthetic range). Instead, values beyond the bound are drawn from a
 * generalized Pareto distribution fitted (method of moments) on the excesses of the few percent
 * of real values just inside the bound, by the threshold stability of the GPD, and capped at a
 * noised point strictly between the bound and the real extreme: the synthetic range follows the
 * real tail without reaching, or being drawn from, any real extreme value.
 */
import type { Rng } from '../rng';

export interface TailModel {
  /** The clip bound: tail values lie strictly beyond it (above for the upper tail, below for the lower). */
  bound: number;
  /** The noised cap: no value lies beyond it; strictly inside the real extreme. */
  cap: number;
  /** GPD shape (clamped to [-0.5, 0.5]) and scale at the bound. */
  xi: number;
  sigma: number;
}

/** Share of the values inside the bound the tail is fitted on (at least MIN_FIT values). */
const FIT_SHARE = 0.05;
const MIN_FIT = 10;

/**
 * Fits the upper tail beyond `bound` from ascending `sorted` values (use negated, reversed
 * values for a lower tail). `inside` = number of values ≤ bound. Null when there is nothing
 * beyond the bound or too little to fit.
 */
export function fitUpperTail(sorted: ArrayLike<number>, inside: number, bound: number, rng: Rng): TailModel | null {
  const m = sorted.length;
  const max = sorted[m - 1] as number;
  if (inside >= m || !(max > bound) || inside < 2 * MIN_FIT) return null;
  const k = Math.max(MIN_FIT, Math.round(FIT_SHARE * inside));
  const u = sorted[inside - 1 - k] as number;
  if (!(bound > u)) return null;
  // Excesses beyond 1e150 are taken in units of the largest one, so that their squares stay finite.
  const largest = (sorted[inside - 1] as number) - u;
  if (!Number.isFinite(largest)) return null;
  const unit = largest > 1e150 ? largest : 1;
  let mean = 0;
  for (let i = inside - k; i < inside; i++) mean += ((sorted[i] as number) - u) / unit;
  mean /= k;
  let v = 0;
  for (let i = inside - k; i < inside; i++) v += (((sorted[i] as number) - u) / unit - mean) ** 2;
  v /= Math.max(1, k - 1);
  if (!(mean > 0)) return null;
  const ratio = v > 0 ? (mean * mean) / v : 1;
  const xi = Math.max(-0.5, Math.min(0.5, 0.5 * (1 - ratio)));
  const sigmaU = Math.max(1e-12, 0.5 * mean * unit * (ratio + 1));
  // Threshold stability: the excesses over the bound follow a GPD with the same shape.
  const sigma = Math.max(1e-12, sigmaU + xi * (bound - u));
  if (!Number.isFinite(sigma) || !Number.isFinite(xi)) return null;
  const cap = bound + (max - bound) * (0.75 + 0.2 * rng.next());
  return { bound, cap, xi, sigma };
}

/** GPD quantile of an excess: F^-1(p). */
function gpdQuantile(p: number, xi: number, sigma: number): number {
  if (Math.abs(xi) < 1e-9) return -sigma * Math.log(1 - p);
  return (sigma / xi) * ((1 - p) ** -xi - 1);
}

function gpdCdf(y: number, xi: number, sigma: number): number {
  if (y <= 0) return 0;
  if (Math.abs(xi) < 1e-9) return 1 - Math.exp(-y / sigma);
  const t = 1 + (xi * y) / sigma;
  return t <= 0 ? 1 : 1 - t ** (-1 / xi);
}

/** A draw beyond the bound (upper orientation), truncated at the cap. */
export function drawUpperTail(t: TailModel, rng: Rng): number {
  const span = t.cap - t.bound;
  const pMax = gpdCdf(span, t.xi, t.sigma);
  const y = gpdQuantile(rng.next() * pMax, t.xi, t.sigma);
  return t.bound + Math.min(span, Math.max(0, y));
}

/** The same for a tail below the bound (bound and cap given as real values, cap < bound). */
export function fitLowerTail(sorted: ArrayLike<number>, inside: number, bound: number, rng: Rng): TailModel | null {
  const m = sorted.length;
  const neg = new Float64Array(m);
  for (let i = 0; i < m; i++) neg[i] = -(sorted[m - 1 - i] as number);
  const t = fitUpperTail(neg, inside, -bound, rng);
  return t ? { ...t, bound, cap: -t.cap } : null;
}

export function drawLowerTail(t: TailModel, rng: Rng): number {
  return -drawUpperTail({ ...t, bound: -t.bound, cap: -t.cap }, rng);
}
