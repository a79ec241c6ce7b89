/**
 * Training loop: seeded shuffles, mini-batches built as one-hot on the host, AdamW, loss read
 * back once per epoch, validation split with early stopping (patience) and best-weights
 * restore, a cosine learning-rate schedule over the planned epochs (or lr halved on plateau),
 * time budget, AbortSignal checked between batches.
 */
import { AppError } from '../../../shared/errors';
import { progressGate } from '../../../shared/progress-gate';
import { tf } from '../backend';
import { createRng, shuffle } from '../rng';
import {
  cloneParams,
  disposeParams,
  dropoutMask,
  initAdam,
  initParams,
  makeMasks,
  offsets,
  trainStep,
  batchLoss,
  type Arch,
  type Masks,
  type Params,
  type Hyper,
} from './network';

export interface TrainData {
  /** One token array per column (model order), each of length n. */
  tokens: Int32Array[];
  cards: number[];
  n: number;
  /** Row-major context matrix n x contextDim (one encoded parent row per row), or none. */
  context?: Float32Array;
  contextDim?: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** Batches done in this epoch / per epoch. */
  batch: number;
  batches: number;
  trainLoss?: number;
  valLoss?: number;
}

export interface TrainOptions {
  hidden: number;
  direct: boolean;
  dropout: number;
  weightDecay: number;
  batchSize: number;
  lr: number;
  maxEpochs: number;
  patience: number;
  /** Relative validation-loss improvement that counts as progress (default 1e-4). */
  minDelta?: number;
  /** 0 = no limit. */
  timeBudgetMs: number;
  seed: number;
  valFraction: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /**
   * DP-SGD: per-example clipping + Gaussian noise, Poisson-sampled batches (each row joins a
   * step with probability batchSize/n, as the accountant assumes), at most `maxSteps` steps, no
   * validation split, no best-epoch pick, no lr plateau schedule (those would read the data).
   */
  dp?: { clip: number; noiseMultiplier: number; maxSteps?: number };
  /** Initial output-bias log-frequencies (DP: from noisy counts); default from the data. */
  initLogFreq?: Float32Array;
  /**
   * Learning-rate schedule. 'cosine': `lr` is the peak, reached after a short linear warm-up,
   * then a cosine decay to `lr × floor` at the end of `maxEpochs` (early stopping still ends
   * sooner). 'plateau' (default): constant `lr`, halved after every second epoch without progress.
   */
  schedule?: { kind: 'cosine'; warmupSteps: number; floor: number } | { kind: 'plateau' };
  /** Where batches are built (default: on the host; see model/compute.ts). */
  batches?: BatchSourceFactory;
  /**
   * A refit: train on every row (no validation split, no early stopping) for exactly this many
   * epochs, keeping the final weights; the schedule is still planned over `maxEpochs`, so the
   * run follows the learning rates of the fit that chose the epoch count.
   */
  runEpochs?: number;
}

export interface TrainedNet {
  arch: Arch;
  params: Params;
  masks: Masks;
  /** Per epoch: mean losses and the learning rate of its last step. */
  history: { epoch: number; trainLoss: number; valLoss: number | null; lr?: number }[];
  bestEpoch: number;
  stoppedBy: 'early-stopping' | 'max-epochs' | 'time-budget' | 'privacy-budget';
  /** Training rows x epochs actually processed, for throughput figures. */
  rowsProcessed: number;
  /** Floating-point operations of the matMuls actually run (training forward + backward, validation forward). */
  flops: number;
  /** Optimizer steps taken. */
  steps: number;
  /** Rows held out for validation (never trained on; empty when the model was read back). */
  validationRows: Int32Array;
}

export function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('EXECUTION_CANCELED', 'The execution was cancelled.');
}

/**
 * Lets a cancel that has arrived be heard, then throws when it has. A cancel is a message, read
 * only when the event loop turns, and a run of awaited promises (drawing chunk after chunk in this
 * thread) never lets it turn: checking the signal alone would not see it. Call between pieces of
 * work (a chunk, a table, a batch).
 */
export async function heedCancel(signal?: AbortSignal): Promise<void> {
  if (!signal) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  checkAborted(signal);
}

/** Builds the one-hot (and context) tensors of the rows idx[start, end); `transposed` also X^T [C, B]. */
export function batchTensors(
  data: TrainData,
  offs: number[],
  C: number,
  idx: Int32Array,
  start: number,
  end: number,
  transposed = false,
): { X: tf.Tensor2D; Z: tf.Tensor2D | null; XT?: tf.Tensor2D } {
  const B = end - start;
  const buf = new Float32Array(B * C);
  const bufT = transposed ? new Float32Array(B * C) : null;
  const J = data.tokens.length;
  for (let j = 0; j < J; j++) {
    const t = data.tokens[j] as Int32Array;
    const o = offs[j] as number;
    for (let r = 0; r < B; r++) {
      const k = o + (t[idx[start + r] as number] as number);
      buf[r * C + k] = 1;
      if (bufT) bufT[k * B + r] = 1;
    }
  }
  const X = tf.tensor2d(buf, [B, C]);
  const XT = bufT ? tf.tensor2d(bufT, [C, B]) : undefined;
  let Z: tf.Tensor2D | null = null;
  const K = data.contextDim ?? 0;
  if (K > 0 && data.context) {
    const z = new Float32Array(B * K);
    for (let r = 0; r < B; r++) {
      const row = idx[start + r] as number;
      z.set(data.context.subarray(row * K, row * K + K), r * K);
    }
    Z = tf.tensor2d(z, [B, K]);
  }
  return { X, Z, XT };
}

/** Builds the tensors of a batch of rows; where they are built (host memory or the device) is the implementation's. */
export interface BatchSource {
  batch(idx: Int32Array, start: number, end: number, transposed?: boolean): { X: tf.Tensor2D; Z: tf.Tensor2D | null; XT?: tf.Tensor2D };
  dispose(): void;
}
export type BatchSourceFactory = (data: TrainData, offs: number[], C: number) => BatchSource;

/** Batches built on the host (typed arrays uploaded per batch): the fastest on the WASM and CPU backends. */
export const hostBatches: BatchSourceFactory = (data, offs, C) => ({
  batch: (idx, start, end, transposed = false) => batchTensors(data, offs, C, idx, start, end, transposed),
  dispose: () => undefined,
});

/** Smoothed empirical log-frequencies of every token (head bias init). */
export function logFrequencies(data: TrainData, rows: Int32Array): Float32Array {
  const offs = offsets(data.cards);
  const C = data.cards.reduce((a, b) => a + b, 0);
  const out = new Float32Array(C);
  data.cards.forEach((c, j) => {
    const counts = new Float64Array(c);
    const t = data.tokens[j] as Int32Array;
    for (const r of rows) counts[t[r] as number]! += 1;
    const o = offs[j] as number;
    for (let k = 0; k < c; k++) out[o + k] = Math.log((counts[k]! + 0.1) / (rows.length + 0.1 * c));
  });
  return out;
}

async function meanLoss(params: Params, masks: Masks, source: BatchSource, idx: Int32Array, batch: number): Promise<number> {
  if (idx.length === 0) return NaN;
  let total: tf.Scalar = tf.scalar(0);
  for (let s = 0; s < idx.length; s += batch) {
    const { X, Z } = source.batch(idx, s, Math.min(idx.length, s + batch));
    const l = batchLoss(params, masks, X, Z);
    const next = tf.add(total, l) as tf.Scalar;
    total.dispose();
    l.dispose();
    X.dispose();
    Z?.dispose();
    total = next;
  }
  const v = (await total.data())[0] as number;
  total.dispose();
  return v / idx.length;
}

export async function train(data: TrainData, opts: TrainOptions): Promise<TrainedNet> {
  const rng = createRng(opts.seed);
  const dropRng = createRng(opts.seed + 17);
  const arch: Arch = { cards: data.cards, hidden: opts.hidden, contextDim: data.contextDim ?? 0, direct: opts.direct };
  const C = data.cards.reduce((a, b) => a + b, 0);
  const offs = offsets(data.cards);
  const source = (opts.batches ?? hostBatches)(data, offs, C);
  const all = Int32Array.from({ length: data.n }, (_, i) => i);
  shuffle(all, rng);
  const refit = opts.runEpochs !== undefined;
  const nVal = !refit && data.n >= 20 && opts.valFraction > 0 ? Math.max(Math.round(data.n * opts.valFraction), Math.min(50, Math.floor(data.n / 5))) : 0;
  const valIdx = all.slice(0, nVal);
  const trainIdx = all.slice(nVal);
  const masks = makeMasks(arch);
  let params = initParams(arch, masks, opts.initLogFreq ?? logFrequencies(data, trainIdx), opts.seed);
  const adam = initAdam(params);
  const batch = Math.max(1, Math.min(opts.batchSize, trainIdx.length));
  const batches = Math.ceil(trainIdx.length / batch);
  const dp = opts.dp;
  const hyper: Hyper = {
    lr: opts.lr,
    weightDecay: opts.weightDecay,
    dropout: opts.dp ? 0 : opts.dropout,
    dp: dp ? { clip: dp.clip, noiseMultiplier: dp.noiseMultiplier, expectedBatch: batch } : undefined,
  };
  const q = batch / Math.max(1, trainIdx.length);
  const cosine = !dp && opts.schedule?.kind === 'cosine' ? opts.schedule : null;
  const totalSteps = opts.maxEpochs * batches;
  let steps = 0;
  const history: TrainedNet['history'] = [];
  const t0 = performance.now();
  let best: Params | null = null;
  let bestVal = Infinity;
  let progressVal = Infinity;
  let bestEpoch = 0;
  let bad = 0;
  let stoppedBy: TrainedNet['stoppedBy'] = 'max-epochs';
  let rowsProcessed = 0;
  let valRows = 0;
  // Progress is reported every batch (the job's timeline throttles it); the event loop gets a turn once per interval.
  const yieldGate = progressGate();
  const E = refit ? Math.max(1, Math.min(opts.maxEpochs, opts.runEpochs as number)) : opts.maxEpochs;
  const overBudget = (): boolean => opts.timeBudgetMs > 0 && performance.now() - t0 > opts.timeBudgetMs;
  try {
    epochs: for (let epoch = 1; epoch <= E; epoch++) {
      if (!dp) shuffle(trainIdx, rng);
      const rowsBefore = rowsProcessed;
      let total: tf.Scalar = tf.scalar(0);
      for (let b = 0; b < batches; b++) {
        checkAborted(opts.signal);
        if (overBudget() && history.length > 0) {
          total.dispose();
          stoppedBy = 'time-budget';
          break epochs;
        }
        if (dp?.maxSteps !== undefined && steps >= dp.maxSteps) {
          total.dispose();
          stoppedBy = 'privacy-budget';
          break epochs;
        }
        const s = b * batch;
        const rowsIdx = dp ? poissonBatch(trainIdx.length, q, rng) : trainIdx;
        if (rowsIdx.length === 0) {
          steps++;
          continue;
        }
        const { X, Z, XT } = dp
          ? source.batch(
              Int32Array.from(rowsIdx, (i) => trainIdx[i] as number),
              0,
              rowsIdx.length,
              true,
            )
          : source.batch(trainIdx, s, Math.min(trainIdx.length, s + batch), true);
        if (cosine) hyper.lr = cosineLr(opts.lr, cosine, steps, totalSteps);
        steps++;
        const dropMask =
          hyper.dropout > 0 ? tf.tensor2d(dropoutMask(X.shape[0], opts.hidden, hyper.dropout, dropRng.next), [X.shape[0], opts.hidden]) : undefined;
        const loss = trainStep(params, adam, masks, X, Z, hyper, opts.seed * 7919 + epoch * 100_003 + b, { XT, dropMask });
        rowsProcessed += X.shape[0];
        X.dispose();
        XT?.dispose();
        dropMask?.dispose();
        Z?.dispose();
        const next = tf.add(total, loss) as tf.Scalar;
        total.dispose();
        loss.dispose();
        total = next;
        opts.onProgress?.({ epoch, epochs: E, batch: b + 1, batches });
        // Let the event loop deliver progress and cancel messages.
        if (opts.onProgress && yieldGate.due()) await new Promise((r) => setImmediate(r));
      }
      const trainLoss = ((await total.data())[0] as number) / (dp ? Math.max(1, rowsProcessed - rowsBefore) : trainIdx.length);
      total.dispose();
      const valLoss = valIdx.length > 0 ? await meanLoss(params, masks, source, valIdx, 4096) : trainLoss;
      valRows += valIdx.length;
      history.push({ epoch, trainLoss, valLoss: valIdx.length > 0 ? valLoss : null, lr: hyper.lr });
      opts.onProgress?.({ epoch, epochs: E, batch: batches, batches, trainLoss, valLoss: valIdx.length > 0 ? valLoss : undefined });
      if (!Number.isFinite(valLoss)) break;
      if (dp || refit) {
        // Under DP (and in a refit) the final weights are the output: under DP, picking an epoch by its loss would read the data.
        bestEpoch = epoch;
        if (overBudget()) {
          stoppedBy = 'time-budget';
          break;
        }
        continue;
      }
      // Best weights follow any improvement; patience counts epochs without a significant one.
      if (!Number.isFinite(bestVal) || valLoss < bestVal) {
        bestVal = valLoss;
        bestEpoch = epoch;
        if (best) disposeParams(best);
        best = cloneParams(params);
      }
      if (!Number.isFinite(progressVal) || valLoss < progressVal - (opts.minDelta ?? 1e-4) * Math.abs(progressVal)) {
        progressVal = valLoss;
        bad = 0;
      } else {
        bad++;
        if (!cosine && bad % 2 === 0) hyper.lr /= 2;
        if (bad >= opts.patience) {
          stoppedBy = 'early-stopping';
          break;
        }
      }
      if (overBudget()) {
        stoppedBy = 'time-budget';
        break;
      }
    }
  } catch (e) {
    source.dispose();
    disposeParams(params);
    if (best) disposeParams(best);
    for (const t of [...Object.values(adam.m), ...Object.values(adam.v)]) t?.dispose();
    throw e;
  }
  source.dispose();
  for (const t of [...Object.values(adam.m), ...Object.values(adam.v)]) t?.dispose();
  if (best) {
    disposeParams(params);
    params = best;
  }
  const perRow = 2 * (C * opts.hidden * 2 + opts.hidden * C * 3 + (opts.direct ? C * C * 2 : 0) + C * data.cards.length * 2);
  // Validation: forward matMuls only (X·W1, H·W2, the direct path, the per-column sums).
  const perValRow = 2 * (C * opts.hidden + opts.hidden * C + (opts.direct ? C * C : 0) + C * data.cards.length);
  return {
    arch,
    params,
    masks,
    history,
    bestEpoch,
    stoppedBy,
    rowsProcessed,
    flops: rowsProcessed * perRow + valRows * perValRow,
    steps,
    validationRows: valIdx,
  };
}

/** The cosine schedule's learning rate before step `step` of `total` (linear warm-up, then decay to `peak × floor`). */
export function cosineLr(peak: number, s: { warmupSteps: number; floor: number }, step: number, total: number): number {
  if (step < s.warmupSteps) return (peak * (step + 1)) / (s.warmupSteps + 1);
  const t = Math.min(1, (step - s.warmupSteps) / Math.max(1, total - s.warmupSteps));
  return peak * (s.floor + (1 - s.floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** Poisson subsample of 0..n-1 (each index with probability q), by geometric gaps. */
export function poissonBatch(n: number, q: number, rng: { next(): number }): number[] {
  const out: number[] = [];
  if (q >= 1) return Array.from({ length: n }, (_, i) => i);
  const lq = Math.log1p(-q);
  let i = -1;
  for (;;) {
    i += 1 + Math.floor(Math.log(1 - rng.next()) / lq);
    if (i >= n) return out;
    out.push(i);
  }
}
