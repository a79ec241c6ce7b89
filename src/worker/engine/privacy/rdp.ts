/**
 * Rényi-DP accountant for the (Poisson-)subsampled Gaussian mechanism, integer orders
 * (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian
 * Mechanism", Section 3.3), composed additively over steps and converted to (ε, δ) with the
 * conversion of Balle et al. 2020 (Theorem 21) that Opacus uses:
 *
 *   ε = min_α  rdp(α) − (ln δ + ln α)/(α − 1) + ln((α − 1)/α)
 *
 * Plain Gaussian mechanisms (noisy histograms for the encoders) compose in the same ledger:
 * RDP(α) = α·Δ²/(2σ²).
 */

/** Integer orders the accountant tracks (2..64, then a few large ones for tiny ε). */
export const ORDERS: readonly number[] = [...Array.from({ length: 63 }, (_, i) => i + 2), 80, 96, 128, 160, 256, 512];

function logAdd(a: number, b: number): number {
  const hi = Math.max(a, b);
  const lo = Math.min(a, b);
  if (lo === -Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

/** ln C(n, k) via a running sum (exact enough for n <= a few thousand). */
function logBinomials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) out[k] = (out[k - 1] as number) + Math.log(n - k + 1) - Math.log(k);
  return out;
}

/** RDP at integer order α of one step of the sampled Gaussian mechanism (sampling rate q, noise multiplier σ). */
export function sgmRdp(q: number, sigma: number, alpha: number): number {
  if (q <= 0) return 0;
  if (sigma <= 0) return Infinity;
  if (q >= 1) return alpha / (2 * sigma * sigma);
  const lb = logBinomials(alpha);
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  let logA = -Infinity;
  for (let i = 0; i <= alpha; i++) {
    logA = logAdd(logA, (lb[i] as number) + i * lq + (alpha - i) * l1q + (i * i - i) / (2 * sigma * sigma));
  }
  return logA / (alpha - 1);
}

/** RDP curve (one value per order in ORDERS) of `steps` steps of the sampled Gaussian mechanism. */
export function sgmCurve(q: number, sigma: number, steps: number, orders: readonly number[] = ORDERS): Float64Array {
  return Float64Array.from(orders, (a) => steps * sgmRdp(q, sigma, a));
}

/** RDP curve of a plain Gaussian mechanism with L2 sensitivity Δ and noise std σ (same units). */
export function gaussianCurve(sensitivity: number, sigma: number, orders: readonly number[] = ORDERS): Float64Array {
  return Float64Array.from(orders, (a) => (a * sensitivity * sensitivity) / (2 * sigma * sigma));
}

/** (ε, best order) for an RDP curve at δ. */
export function epsilonFromRdp(rdp: ArrayLike<number>, delta: number, orders: readonly number[] = ORDERS): { epsilon: number; order: number } {
  let best = Infinity;
  let order = orders[0] ?? 2;
  orders.forEach((a, i) => {
    const r = rdp[i] as number;
    if (!Number.isFinite(r)) return;
    const eps = r - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
    if (eps < best) {
      best = eps;
      order = a;
    }
  });
  return { epsilon: Math.max(0, best), order };
}

/** ε after `steps` of DP-SGD with sampling rate q and noise multiplier σ (plus an optional RDP already spent). */
export function dpSgdEpsilon(q: number, sigma: number, steps: number, delta: number, spent?: ArrayLike<number>): number {
  const curve = sgmCurve(q, sigma, steps);
  if (spent) curve.forEach((v, i) => (curve[i] = v + (spent[i] as number)));
  return epsilonFromRdp(curve, delta).epsilon;
}

/**
 * The smallest noise multiplier whose ε after `steps` steps (plus `spent`) is at most
 * `targetEpsilon` (bisection on σ; ε decreases with σ). Infinity when even huge noise cannot
 * meet the target (the pre-spent part alone exceeds it).
 */
export function noiseForEpsilon(targetEpsilon: number, q: number, steps: number, delta: number, spent?: ArrayLike<number>): number {
  const eps = (s: number): number => dpSgdEpsilon(q, s, steps, delta, spent);
  let hi = 1;
  while (eps(hi) > targetEpsilon) {
    hi *= 2;
    if (hi > 1e4) return Infinity;
  }
  let lo = 0.05;
  if (eps(lo) <= targetEpsilon) return lo;
  for (let k = 0; k < 40 && hi - lo > 1e-4; k++) {
    const mid = (lo + hi) / 2;
    if (eps(mid) > targetEpsilon) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Steps of DP-SGD (q, σ) that fit in the target ε (with `spent` already used). */
export function stepsWithin(targetEpsilon: number, q: number, sigma: number, delta: number, maxSteps: number, spent?: ArrayLike<number>): number {
  if (dpSgdEpsilon(q, sigma, 1, delta, spent) > targetEpsilon) return 0;
  let lo = 1;
  let hi = maxSteps;
  if (dpSgdEpsilon(q, sigma, hi, delta, spent) <= targetEpsilon) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dpSgdEpsilon(q, sigma, mid, delta, spent) <= targetEpsilon) lo = mid;
    else hi = mid;
  }
  return lo;
}
