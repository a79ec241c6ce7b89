/** Baselines for the engine bench: independent columns, and the WASM matMul peak. */
import type { Row, RowBatch } from '../../src/shared/values';
import { tf } from '../../src/worker/engine/backend';
import { createRng } from '../../src/worker/engine/rng';

/** Each column drawn independently from the real column (perfect marginals, no correlations). */
export function independentColumns(real: RowBatch, count: number, seed: number): RowBatch {
  const rng = createRng(seed);
  const n = real.rows.length;
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) rows.push(real.columns.map((_, c) => real.rows[rng.int(n)]?.[c] ?? null));
  return { columns: real.columns, rows };
}

/** GFLOP/s of a plain (non-transposed) matMul of training-like shapes on the current backend. */
export async function matmulPeak(): Promise<number> {
  let best = 0;
  for (const [m, k, n] of [
    [512, 512, 256],
    [1024, 256, 512],
  ] as const) {
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, n]);
    for (let i = 0; i < 3; i++) tf.matMul(a, b).dispose();
    const reps = 20;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) {
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
    }
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, (2 * m * k * n * reps) / s / 1e9);
    a.dispose();
    b.dispose();
  }
  return best;
}

/** A seeded subsample of at most `max` rows (metrics on big tables). */
export function subsample(batch: RowBatch, max: number, seed: number): RowBatch {
  if (batch.rows.length <= max) return batch;
  const rng = createRng(seed);
  const idx = Array.from({ length: batch.rows.length }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(idx.length - i);
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return { columns: batch.columns, rows: idx.slice(0, max).map((i) => batch.rows[i] as Row) };
}
