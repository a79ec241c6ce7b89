/**
 * Privacy metrics of a synthetic table against the real training rows and a real holdout that
 * the model never saw:
 *
 * - DCR (distance to closest record, Gower distance of distance.ts) of each synthetic row to the
 *   training rows, next to the baseline: the DCR of holdout rows to the training rows (what a
 *   fresh real person looks like).
 * - DCR share: the share of synthetic rows closer to the training set than to an equal-sized
 *   holdout set (ties count ½). 0.50 is ideal: the synthetic data is no closer to the people it
 *   was trained on than to people it never saw.
 * - NNDR: nearest / second-nearest training distance (near 0 = a row sits on an isolated real
 *   record), synthetic vs holdout baseline.
 * - Exact matches: synthetic rows equal on every compared column to some training row, and to a
 *   training row that is unique in the training data (the dangerous kind). Computed on all rows.
 *
 * Distances are computed on seeded subsamples (default ≤ 5,000 training and holdout rows, ≤ 2,000
 * synthetic rows).
 */
import { runSteps, type Steps } from '../steps';
import type { RowBatch } from '../../../shared';
import { isEvaluated, type ColumnSpec } from './columns';
import { exactMatches } from './exact-matches';
import { attackSteps, type AttackResult } from './attacks';

export { exactMatches };
import { encodeForDistance, nearestTwo, type EncodedRows } from './distance';
import { quantileSorted, rng, sampleRows } from './sample';

export interface PrivacyInput {
  train: RowBatch;
  holdout: RowBatch;
  synthetic: RowBatch;
  columns: ColumnSpec[];
  /** Training and holdout rows (each) for the distance metrics (default 5000). */
  maxRealRows?: number;
  /** Synthetic rows for the distance metrics (default 2000). */
  maxSyntheticRows?: number;
  seed?: number;
}

export interface DistanceSummary {
  p5: number;
  median: number;
  mean: number;
}

export interface Histogram {
  /** Bin edges, length = counts + 1. */
  edges: number[];
  synthetic: number[];
  holdout: number[];
}

export interface PrivacyResult {
  /** Share of synthetic rows closer to training than to holdout; 0.50 ideal; null if no holdout. */
  dcrShare: number | null;
  dcr: { synthetic: DistanceSummary; holdout: DistanceSummary | null; histogram: Histogram };
  nndr: { synthetic: DistanceSummary; holdout: DistanceSummary | null; histogram: Histogram };
  /** Synthetic rows equal to some training row on every compared column. */
  exactMatches: number;
  /** … equal to a training row that occurs once in the training data. */
  exactMatchesUnique: number;
  exactMatchRate: number;
  /** exactMatchesUnique / synthetic rows. */
  uniqueMatchRate: number;
  /** Same rate for holdout rows vs training (a baseline: real data also repeats). */
  holdoutExactMatchRate: number | null;
  /** Share of holdout rows equal to a unique training row (what fresh real data does by chance). */
  holdoutUniqueMatchRate: number | null;
  sampleSizes: { train: number; holdout: number; synthetic: number };
  columns: string[];
  /** Singling-out, linkability, attribute inference and membership inference against the holdout as control (attacks.ts). */
  attacks: AttackResult | null;
}

function summary(values: Float64Array): DistanceSummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p5: quantileSorted(sorted, 0.05), median: quantileSorted(sorted, 0.5), mean: sorted.length ? sum / sorted.length : NaN };
}

function histogram(synthetic: Float64Array, holdout: Float64Array | null, bins = 30): Histogram {
  let hi = 0;
  for (const v of synthetic) if (v > hi) hi = v;
  if (holdout) for (const v of holdout) if (v > hi) hi = v;
  if (hi === 0) hi = 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (hi * i) / bins);
  const count = (values: Float64Array): number[] => {
    const c = new Array<number>(bins).fill(0);
    for (const v of values) c[Math.min(bins - 1, Math.floor((v / hi) * bins))]!++;
    return c;
  };
  return { edges, synthetic: count(synthetic), holdout: holdout ? count(holdout) : [] };
}

function nndr(d1: Float64Array, d2: Float64Array): Float64Array {
  const out = new Float64Array(d1.length);
  for (let i = 0; i < d1.length; i++) {
    const b = d2[i]!;
    out[i] = !Number.isFinite(b) || b === 0 ? (d1[i] === 0 ? 1 : 0) : d1[i]! / b;
  }
  return out;
}

/**
 * DCR share alone (for the engine's tuning loop): share of synthetic rows closer to `train`
 * than to `holdout`, on equal-sized seeded subsamples.
 */
export function dcrShare(
  train: RowBatch,
  holdout: RowBatch,
  synthetic: RowBatch,
  columns: ColumnSpec[],
  opts: { maxRealRows?: number; maxSyntheticRows?: number; seed?: number } = {},
): number {
  const r = evaluatePrivacy({ train, holdout, synthetic, columns, ...opts, baseline: false });
  return r.dcrShare ?? NaN;
}

/** All privacy metrics of one table. */
export function evaluatePrivacy(input: PrivacyInput & { baseline?: boolean }): PrivacyResult {
  return runSteps(privacySteps(input));
}

/** evaluatePrivacy in steps: a yield after each nearest-row search, the exact matches and each attack. */
export function* privacySteps(input: PrivacyInput & { baseline?: boolean }): Steps<PrivacyResult> {
  const columns = input.columns.filter((c) => isEvaluated(c.sdtype));
  const random = rng(input.seed ?? 7);
  const maxSyn = input.maxSyntheticRows ?? 2000;
  const haveHoldout = input.holdout.rows.length > 0;
  const realN = Math.min(input.maxRealRows ?? 5000, input.train.rows.length, haveHoldout ? input.holdout.rows.length : Infinity);
  const trainS = sampleRows(input.train, realN, random);
  const holdS = haveHoldout ? sampleRows(input.holdout, realN, random) : { columns: input.train.columns, rows: [] };
  const synS = sampleRows(input.synthetic, maxSyn, random);
  const holdQ = sampleRows(holdS, maxSyn, random);
  const [trainE, synE, holdE, holdQE] = encodeForDistance(input.train, [trainS, synS, holdS, holdQ], columns) as [
    EncodedRows,
    EncodedRows,
    EncodedRows,
    EncodedRows,
  ];
  yield;
  const synTrain = nearestTwo(synE, trainE);
  yield;
  let share: number | null = null;
  let holdTrain: { d1: Float64Array; d2: Float64Array } | null = null;
  if (haveHoldout) {
    const synHold = nearestTwo(synE, holdE);
    yield;
    let closer = 0;
    for (let i = 0; i < synE.n; i++) {
      const a = synTrain.d1[i]!;
      const b = synHold.d1[i]!;
      closer += a < b ? 1 : a === b ? 0.5 : 0;
    }
    share = synE.n ? closer / synE.n : null;
    if (input.baseline !== false) holdTrain = nearestTwo(holdQE, trainE);
    yield;
  }
  const synNndr = nndr(synTrain.d1, synTrain.d2);
  const holdNndr = holdTrain ? nndr(holdTrain.d1, holdTrain.d2) : null;
  const exact = exactMatches(input.train, input.synthetic, columns);
  yield;
  const holdExact = haveHoldout && input.baseline !== false ? exactMatches(input.train, input.holdout, columns) : null;
  yield;
  const attacks =
    haveHoldout && input.baseline !== false
      ? yield* attackSteps({ train: input.train, control: input.holdout, synthetic: input.synthetic, columns, seed: input.seed })
      : null;
  return {
    dcrShare: share,
    dcr: { synthetic: summary(synTrain.d1), holdout: holdTrain ? summary(holdTrain.d1) : null, histogram: histogram(synTrain.d1, holdTrain?.d1 ?? null) },
    nndr: { synthetic: summary(synNndr), holdout: holdNndr ? summary(holdNndr) : null, histogram: histogram(synNndr, holdNndr) },
    exactMatches: exact.matches,
    exactMatchesUnique: exact.uniqueMatches,
    exactMatchRate: input.synthetic.rows.length ? exact.matches / input.synthetic.rows.length : 0,
    uniqueMatchRate: input.synthetic.rows.length ? exact.uniqueMatches / input.synthetic.rows.length : 0,
    holdoutExactMatchRate: holdExact && input.holdout.rows.length ? holdExact.matches / input.holdout.rows.length : null,
    holdoutUniqueMatchRate: holdExact && input.holdout.rows.length ? holdExact.uniqueMatches / input.holdout.rows.length : null,
    sampleSizes: { train: trainE.n, holdout: holdE.n, synthetic: synE.n },
    columns: columns.map((c) => c.name),
    attacks,
  };
}
