/**
 * Batched ancestral sampling of a trained network. Hidden units are sorted by degree: when
 * column j is drawn, the units feeding its head (degree <= j) are already complete, and only
 * units of higher degree still receive inputs. The hidden pre-activations live on the host
 * (adding the sampled token's row of W1 is a memcpy-like loop; gather is slow on WASM); the
 * device does the head matMuls and exp; tokens are drawn by inverse CDF on the host with
 * the seeded generator, so sampling is reproducible on every backend.
 */
import { tf, tidy } from '../backend';
import type { Rng } from '../rng';
import { degrees, offsets } from './network';
import type { TrainedNet } from './trainer';

export interface Sampler {
  /** Tokens for `rows` rows (one Int32Array per column). `context` is row-major rows x contextDim. */
  sample(rows: number, rng: Rng, temperature: number, context?: Float32Array): Promise<Int32Array[]>;
  dispose(): void;
}

export function createSampler(net: TrainedNet): Sampler {
  const { cards, hidden: H, contextDim: K } = net.arch;
  const J = cards.length;
  const C = cards.reduce((a, b) => a + b, 0);
  const offs = offsets(cards);
  const deg = degrees(net.arch);
  const order = Array.from({ length: H }, (_, h) => h).sort((a, b) => (deg[a] as number) - (deg[b] as number) || a - b);
  const prefix = cards.map((_, j) => order.filter((h) => (deg[h] as number) <= j).length);
  // Unit ranges (in degree order) of each degree 0..J-1.
  const blocks: [number, number][] = cards.map((_, d) => [d > 0 ? (prefix[d - 1] as number) : 0, prefix[d] as number]);
  const p = net.params;
  const perm = tf.tensor1d(Int32Array.from(order), 'int32');
  const W1host = p.W1.dataSync() as Float32Array;
  const b1host = p.b1.dataSync() as Float32Array;
  // Host copies with hidden units in degree order.
  const W1s = new Float32Array(C * H);
  for (let i = 0; i < C; i++) for (let u = 0; u < H; u++) W1s[i * H + u] = W1host[i * H + (order[u] as number)] as number;
  const b1s = Float32Array.from(order, (h) => b1host[h] as number);
  const W2p = tidy(() => tf.gather(p.W2, perm));
  // Head j = [bias row; rows of the units of degree <= j]: the device's activations start with a ones column.
  const heads = cards.map((c, j) => {
    const P = prefix[j] as number;
    return tidy(() => {
      const b = tf.reshape(tf.slice(p.b2, [offs[j] as number], [c]), [1, c]);
      return (P > 0 ? tf.concat([b, tf.slice(W2p, [0, offs[j] as number], [P, c])], 0) : b) as tf.Tensor2D;
    });
  });
  const V1p = p.V1 && K > 0 ? tidy(() => tf.gather(p.V1 as tf.Tensor2D, perm, 1)) : null;
  const Ws = p.Ws ? (p.Ws.dataSync() as Float32Array) : null;
  W2p.dispose();
  perm.dispose();

  return {
    async sample(rows, rng, temperature, context) {
      // Pre-activations block-major (one contiguous array per degree block): sequential memory access.
      const A = blocks.map(([a, b]) => {
        const w = b - a;
        const arr = new Float32Array(rows * w);
        const bias = b1s.subarray(a, b);
        for (let r = 0; r < rows; r++) arr.set(bias, r * w);
        return arr;
      });
      if (V1p && context) {
        const zt = tidy(() => tf.matMul(tf.tensor2d(context.subarray(0, rows * K), [rows, K]), V1p));
        const z = (await zt.data()) as Float32Array;
        zt.dispose();
        blocks.forEach(([a, b], d) => {
          const w = b - a;
          const arr = A[d] as Float32Array;
          for (let r = 0; r < rows; r++) for (let u = 0; u < w; u++) arr[r * w + u] = (arr[r * w + u] as number) + (z[r * H + a + u] as number);
        });
      }
      const D = Ws ? cards.map((c) => new Float32Array(rows * c)) : null;
      // Completed hidden activations live on the device, one block of units appended per column.
      let Hdev: tf.Tensor2D = tf.ones([rows, 1]);
      let uploaded = 0;
      const widest = Math.max(1, ...blocks.map(([a, b]) => b - a));
      const blockBuf = new Float32Array(rows * widest);
      const out: Int32Array[] = [];
      const invT = 1 / temperature;
      for (let j = 0; j < J; j++) {
        const c = cards[j] as number;
        for (; uploaded < blocks.length && uploaded <= j; uploaded++) {
          const [a, b] = blocks[uploaded] as [number, number];
          if (b === a) continue;
          const src = A[uploaded] as Float32Array;
          const block = blockBuf.subarray(0, src.length);
          for (let i = 0; i < src.length; i++) {
            const x = src[i] as number;
            block[i] = x > 0 ? x : 0;
          }
          const bt = tf.tensor2d(block, [rows, b - a]);
          const next: tf.Tensor2D = tf.concat([Hdev, bt], 1);
          Hdev.dispose();
          bt.dispose();
          Hdev = next;
        }
        const tok = new Int32Array(rows);
        if (c > 1) {
          const head = heads[j]!;
          const hd = Hdev;
          const direct = D ? (D[j] as Float32Array) : null;
          // exp of the (tempered, clipped) logits on the device; normalisation and the draw on the host.
          const expT = tidy(() => {
            let logits = tf.matMul(hd, head) as tf.Tensor2D;
            if (direct) logits = tf.add(logits, tf.tensor2d(direct, [rows, c])) as tf.Tensor2D;
            if (invT !== 1) logits = tf.mul(logits, invT) as tf.Tensor2D;
            return tf.exp(tf.clipByValue(logits, -60, 60));
          });
          const ex = (await expT.data()) as Float32Array;
          expT.dispose();
          for (let r = 0; r < rows; r++) {
            const base = r * c;
            let sum = 0;
            for (let k = 0; k < c; k++) sum += ex[base + k] as number;
            let u = rng.next() * sum;
            let k = 0;
            while (k < c - 1) {
              u -= ex[base + k] as number;
              if (u < 0) break;
              k++;
            }
            tok[r] = k;
          }
        }
        out.push(tok);
        if (j === J - 1) break;
        const o = offs[j] as number;
        for (let d = j + 1; d < blocks.length; d++) {
          const [a, b] = blocks[d] as [number, number];
          const w = b - a;
          if (w === 0) continue;
          const arr = A[d] as Float32Array;
          for (let r = 0; r < rows; r++) {
            const src = (o + (tok[r] as number)) * H + a;
            const base = r * w;
            for (let u = 0; u < w; u++) arr[base + u] = (arr[base + u] as number) + (W1s[src + u] as number);
          }
        }
        if (D && Ws) {
          for (let k = j + 1; k < J; k++) {
            const ck = cards[k] as number;
            const ok = offs[k] as number;
            const arr = D[k] as Float32Array;
            for (let r = 0; r < rows; r++) {
              const src = (o + (tok[r] as number)) * C + ok;
              const base = r * ck;
              for (let u = 0; u < ck; u++) arr[base + u] = (arr[base + u] as number) + (Ws[src + u] as number);
            }
          }
        }
      }
      Hdev.dispose();
      return out;
    },
    dispose() {
      for (const h of heads) h.dispose();
      V1p?.dispose();
    },
  };
}
