import type { RowBatch } from '../../../shared';

/** Small seeded PRNG (mulberry32): reproducible subsamples for the metrics. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` distinct indices out of `n` (all of them, in order, when k ≥ n). */
export function sampleIndices(n: number, k: number, random: () => number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

/** A random subsample of at most `k` rows of a batch (the batch itself when it is small enough). */
export function sampleRows(batch: RowBatch, k: number, random: () => number): RowBatch {
  if (batch.rows.length <= k) return batch;
  return { columns: batch.columns, rows: sampleIndices(batch.rows.length, k, random).map((i) => batch.rows[i]!) };
}

/** Splits rows into a training part and a holdout part of `holdoutShare` (shuffled, seeded). */
export function splitHoldout(batch: RowBatch, holdoutShare: number, seed: number): { train: RowBatch; holdout: RowBatch } {
  const n = batch.rows.length;
  const k = Math.round(n * holdoutShare);
  const chosen = new Set(sampleIndices(n, k, rng(seed)));
  const train: RowBatch['rows'] = [];
  const holdout: RowBatch['rows'] = [];
  batch.rows.forEach((row, i) => (chosen.has(i) ? holdout : train).push(row));
  return { train: { columns: batch.columns, rows: train }, holdout: { columns: batch.columns, rows: holdout } };
}

/** Quantile (linear interpolation, numpy's default) of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
