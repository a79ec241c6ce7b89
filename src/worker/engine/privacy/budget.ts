/**
 * The differential-privacy budget of one table: how (ε, δ) is split between the encoders'
 * noisy histograms (category sets, numeric ranges and bins, the token marginals that start the
 * network's output biases) and DP-SGD, and the resulting noise scales.
 *
 * - δ: the user's, else min(1e-5, 1/(10·n)). A quarter of it pays for category selection
 *   (a category only one row has survives the threshold with probability ≤ δ_sel), the rest is
 *   the δ of the RDP → (ε, δ) conversion.
 * - ε: 15% of the zCDP-equivalent budget ρ ≈ (√(ε+ln 1/δ) − √(ln 1/δ))² goes to the
 *   histograms (one Gaussian mechanism over all of them: each row adds 1 to one cell of each
 *   histogram, so the L2 sensitivity is √H), the rest to DP-SGD, whose noise multiplier is
 *   then chosen by exact RDP accounting of both parts together.
 * - The number of training rows n is treated as public (it sets the sampling rate).
 */
import { dpSgdEpsilon, gaussianCurve, noiseForEpsilon } from './rdp';

export const PREPROCESSING_SHARE = 0.15;

export function defaultDelta(n: number): number {
  return Math.min(1e-5, 1 / (10 * Math.max(1, n)));
}

/** Upper tail of the standard normal, P(Z > x) (erfc approximation, relative error < 1.2e-7). */
export function normalTail(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const erfc = r;
  return x >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** x with P(Z > x) = p (bisection). */
export function normalTailInverse(p: number): number {
  let lo = -10;
  let hi = 40;
  for (let k = 0; k < 100; k++) {
    const mid = (lo + hi) / 2;
    if (normalTail(mid) > p) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface PreprocessingPlan {
  epsilon: number;
  delta: number;
  /** δ of the RDP conversion (δ minus the category-selection part). */
  deltaRdp: number;
  /** δ paid by category selection (threshold on noisy counts). */
  deltaSelection: number;
  /** Noise std of every histogram cell. */
  sigma: number;
  /** Number of histograms (the squared L2 sensitivity). */
  histograms: number;
  /** Noisy count a category needs to be kept. */
  categoryThreshold: number;
  /** Noisy count a numeric range cell needs to bound the range. */
  rangeThreshold: number;
  /** RDP already spent by the histograms, per order. */
  rdp: Float64Array;
}

/** Plans the histogram part of the budget for a table with these column kinds. */
export function planPreprocessing(opts: {
  n: number;
  epsilon: number;
  delta?: number;
  categorical: number;
  numeric: number;
  boolean: number;
  rareThreshold: number;
}): PreprocessingPlan {
  const delta = opts.delta ?? defaultDelta(opts.n);
  const deltaSelection = opts.categorical > 0 ? delta / 4 : 0;
  const deltaRdp = delta - deltaSelection;
  const histograms = opts.categorical + opts.boolean + 2 * opts.numeric;
  const L = Math.log(1 / deltaRdp);
  const rho = (Math.sqrt(opts.epsilon + L) - Math.sqrt(L)) ** 2;
  const sigma = histograms > 0 ? Math.sqrt(histograms / (2 * PREPROCESSING_SHARE * rho)) : Infinity;
  const categoryThreshold = opts.categorical > 0 ? Math.max(opts.rareThreshold, 1 + sigma * normalTailInverse(deltaSelection / opts.categorical)) : Infinity;
  const rdp = histograms > 0 ? gaussianCurve(Math.sqrt(histograms), sigma) : gaussianCurve(0, 1);
  return { epsilon: opts.epsilon, delta, deltaRdp, deltaSelection, sigma, histograms, categoryThreshold, rangeThreshold: 4 * sigma, rdp };
}

export interface SgdPlan {
  noiseMultiplier: number;
  batchSize: number;
  sampleRate: number;
  steps: number;
  epochs: number;
}

/** Batch size under DP: larger batches add relatively less noise (√n·4, a power of two in [256, 2048], ≤ n/4). */
export function dpBatchSize(n: number, requested?: number): number {
  if (requested) return Math.max(1, Math.min(requested, n));
  const b = 2 ** Math.round(Math.log2(Math.sqrt(n) * 4));
  return Math.max(16, Math.min(2048, Math.max(256, b), Math.floor(n / 4)));
}

/** The DP-SGD noise multiplier that spends exactly the rest of the budget in `epochs` epochs. */
export function planSgd(pre: PreprocessingPlan, n: number, batchSize: number, epochs: number): SgdPlan {
  const sampleRate = Math.min(1, batchSize / n);
  const steps = Math.max(1, Math.round((epochs * n) / batchSize));
  const noiseMultiplier = noiseForEpsilon(pre.epsilon, sampleRate, steps, pre.deltaRdp, pre.rdp);
  return { noiseMultiplier, batchSize, sampleRate, steps, epochs };
}

export interface DpSpent {
  epsilon: number;
  delta: number;
  targetEpsilon: number;
  noiseMultiplier: number;
  sampleRate: number;
  steps: number;
  plannedSteps: number;
  maxGradNorm: number;
  histogramNoise: number;
  categoryThreshold: number;
}

/** (ε, δ) actually spent after `steps` DP-SGD steps. */
export function spent(pre: PreprocessingPlan, sgd: SgdPlan, steps: number, maxGradNorm: number): DpSpent {
  const epsilon =
    steps > 0
      ? dpSgdEpsilon(sgd.sampleRate, sgd.noiseMultiplier, steps, pre.deltaRdp, pre.rdp)
      : dpSgdEpsilon(sgd.sampleRate, Infinity, 1, pre.deltaRdp, pre.rdp);
  return {
    epsilon,
    delta: pre.delta,
    targetEpsilon: pre.epsilon,
    noiseMultiplier: sgd.noiseMultiplier,
    sampleRate: sgd.sampleRate,
    steps,
    plannedSteps: sgd.steps,
    maxGradNorm,
    histogramNoise: pre.sigma,
    categoryThreshold: pre.categoryThreshold,
  };
}
