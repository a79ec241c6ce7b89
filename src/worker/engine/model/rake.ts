/**
 * Marginal raking of a sampled batch: iterative proportional fitting of row weights so each
 * column's token frequencies match the training marginals, then systematic resampling of the
 * rows by weight. Corrects the drift of an autoregressive model's marginals (columns late in
 * the order) at the cost of a few repeated synthetic rows; uses only the training marginals.
 */
import type { Rng } from '../rng';

export function tokenMarginals(tokens: Int32Array[], cards: number[]): Float64Array[] {
  return cards.map((c, j) => {
    const t = tokens[j] as Int32Array;
    const p = new Float64Array(c);
    for (const x of t) p[x]! += 1;
    for (let k = 0; k < c; k++) p[k] = (p[k] as number) / Math.max(1, t.length);
    return p;
  });
}

export function rakeWeights(tokens: Int32Array[], target: Float64Array[], rows: number, iters = 3, clamp = 2): Float64Array {
  const w = new Float64Array(rows).fill(1);
  for (let it = 0; it < iters; it++) {
    for (let j = 0; j < tokens.length; j++) {
      const t = tokens[j] as Int32Array;
      const p = target[j] as Float64Array;
      if (p.length <= 1) continue;
      const cur = new Float64Array(p.length);
      let total = 0;
      for (let r = 0; r < rows; r++) {
        cur[t[r] as number]! += w[r] as number;
        total += w[r] as number;
      }
      const f = new Float64Array(p.length);
      for (let k = 0; k < p.length; k++) {
        const have = (cur[k] as number) / total;
        f[k] = have > 0 ? Math.min(clamp, Math.max(1 / clamp, (p[k] as number) / have)) : 1;
      }
      for (let r = 0; r < rows; r++) w[r] = (w[r] as number) * (f[t[r] as number] as number);
    }
  }
  return w;
}

/** Systematic resampling: `count` (default all) indices drawn in proportion to the weights, in random order. */
export function resampleIndices(w: Float64Array, rng: Rng, count = w.length): Int32Array {
  const n = w.length;
  let total = 0;
  for (const x of w) total += x;
  const out = new Int32Array(count);
  const step = total / count;
  let u = rng.next() * step;
  let acc = 0;
  let i = 0;
  for (let k = 0; k < count; k++) {
    while (i < n - 1 && acc + (w[i] as number) < u) {
      acc += w[i] as number;
      i++;
    }
    out[k] = i;
    u += step;
  }
  for (let k = count - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    const tmp = out[k] as number;
    out[k] = out[j] as number;
    out[j] = tmp;
  }
  return out;
}

export function applyIndices(tokens: Int32Array[], idx: Int32Array): Int32Array[] {
  return tokens.map((t) => {
    const out = new Int32Array(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = t[idx[k] as number] as number;
    return out;
  });
}
