/**
 * Device-resident ancestral sampling, for the native TensorFlow backends: the hidden
 * pre-activations, logits and draws of a chunk of rows stay on the device through every column
 * and the chunk's tokens are read back once. The uniforms are drawn on the host from the seeded
 * generator in the host sampler's order (column by column, row by row, columns of one token draw
 * nothing) and uploaded once per chunk, so both samplers give the same rows for the same seed
 * (but for a draw that falls within float rounding of a boundary between two tokens).
 *
 * Per column j: logits = relu(A)·W2[:, j] + b2[j] (+ the direct path), with A the pre-activations
 * of the tokens drawn so far (W1 and W2 are masked, so units that may not see a column carry zero
 * weights); temperature, clip to [-60, 60], exp, cumulative sums, and the token is the number of
 * cumulative sums at or below u · total (the host's inverse-CDF draw). Then A += W1[token].
 */
import { tf } from '../backend';
import type { Rng } from '../rng';
import { offsets } from './network';
import { CHUNK_ROWS, type Sampler, type SamplingNet } from './sampler';

export function createDeviceSampler(net: SamplingNet): Sampler {
  const { cards, hidden: H, contextDim: K } = net.arch;
  const J = cards.length;
  const C = cards.reduce((a, b) => a + b, 0);
  const offs = offsets(cards);
  const p = net.params;
  const W1rows = cards.map((c, j) => tf.slice(p.W1, [offs[j] as number, 0], [c, H]) as tf.Tensor2D);
  const W2cols = cards.map((c, j) => tf.slice(p.W2, [0, offs[j] as number], [H, c]) as tf.Tensor2D);
  const b2s = cards.map((c, j) => tf.slice(p.b2, [offs[j] as number], [c]) as tf.Tensor1D);
  const WsRows = p.Ws ? cards.map((c, j) => tf.slice(p.Ws!, [offs[j] as number, 0], [c, C]) as tf.Tensor2D) : null;
  const kept = [...W1rows, ...W2cols, ...b2s, ...(WsRows ?? [])];

  /** Tokens [R, J] of one chunk, row-major, read back once. */
  async function chunk(R: number, rng: Rng, invT: number, context?: Float32Array): Promise<Int32Array> {
    const U = new Float32Array(J * R);
    cards.forEach((c, j) => {
      if (c > 1) for (let r = 0; r < R; r++) U[j * R + r] = rng.next();
    });
    const uT = tf.tensor2d(U, [J, R]);
    let A = tf.tidy(() => {
      const base = tf.tile(tf.reshape(p.b1, [1, H]), [R, 1]);
      return context && p.V1 && K > 0 ? tf.add(base, tf.matMul(tf.tensor2d(context, [R, K]), p.V1)) : base;
    }) as tf.Tensor2D;
    let D = WsRows ? (tf.zeros([R, C]) as tf.Tensor2D) : null;
    const toks: tf.Tensor1D[] = [];
    for (let j = 0; j < J; j++) {
      const c = cards[j] as number;
      const t = tf.tidy(() => {
        if (c <= 1) return tf.zeros([R], 'int32') as tf.Tensor1D;
        let L = tf.add(tf.matMul(tf.relu(A), W2cols[j]!), b2s[j]!) as tf.Tensor2D;
        if (D) L = tf.add(L, tf.slice(D, [0, offs[j] as number], [R, c]));
        const E = tf.exp(tf.clipByValue(tf.mul(L, invT), -60, 60));
        const cs = tf.cumsum(E, 1);
        const u = tf.reshape(tf.slice(uT, [j, 0], [1, R]), [R, 1]);
        const thr = tf.mul(u, tf.slice(cs, [0, c - 1], [R, 1]));
        return tf.minimum(tf.sum(tf.cast(tf.lessEqual(cs, thr), 'int32'), 1), tf.scalar(c - 1, 'int32')) as tf.Tensor1D;
      });
      toks.push(t);
      if (j === J - 1) break;
      const nextA = tf.tidy(() => tf.add(A, tf.gather(W1rows[j]!, t))) as tf.Tensor2D;
      A.dispose();
      A = nextA;
      if (D && WsRows) {
        const nextD = tf.tidy(() => tf.add(D!, tf.gather(WsRows[j]!, t))) as tf.Tensor2D;
        D.dispose();
        D = nextD;
      }
    }
    const all = tf.stack(toks, 1);
    const out = (await all.data()) as Int32Array;
    for (const x of [uT, A, D, all, ...toks]) x?.dispose();
    return out;
  }

  return {
    async sample(rows, rng, temperature, context) {
      const out = cards.map(() => new Int32Array(rows));
      const invT = 1 / temperature;
      for (let at = 0; at < rows; at += CHUNK_ROWS) {
        const R = Math.min(CHUNK_ROWS, rows - at);
        const tokens = await chunk(R, rng, invT, context?.subarray(at * K, (at + R) * K));
        for (let r = 0; r < R; r++) for (let j = 0; j < J; j++) (out[j] as Int32Array)[at + r] = tokens[r * J + j] as number;
      }
      return out;
    },
    dispose() {
      for (const t of kept) t.dispose();
    },
  };
}
