/**
 * The autoregressive network (MADE-style masked MLP) over the token columns of a table:
 * one-hot inputs -> masked hidden layer (each hidden unit has a degree d and sees only the
 * columns < = d, plus an optional CONTEXT vector) -> one softmax head per column j fed only by
 * the units of degree < j, so column j is predicted from the columns before it. An optional
 * masked direct input -> output connection adds a cheap "logistic" path.
 *
 * Forward and backward are written out by hand (explicit transposes then plain matMul: on WASM
 * a matMul with transposeA/B, which autodiff uses, is ~10x slower), with AdamW, so the
 * per-example gradient norms needed for DP-SGD are cheap (ghost clipping, see `dp`).
 */
import { tf, tidy } from '../backend';

export interface Arch {
  /** Token cardinality of each column, in model order. */
  cards: number[];
  hidden: number;
  /** Width of the context vector (0 = none). */
  contextDim: number;
  /** Masked direct input -> output connection. */
  direct: boolean;
}

export interface Params {
  W1: tf.Tensor2D;
  b1: tf.Tensor1D;
  W2: tf.Tensor2D;
  b2: tf.Tensor1D;
  V1: tf.Tensor2D | null;
  Ws: tf.Tensor2D | null;
}
type Key = keyof Params;
const KEYS: Key[] = ['W1', 'b1', 'W2', 'b2', 'V1', 'Ws'];

export interface Masks {
  M1: tf.Tensor2D;
  M2: tf.Tensor2D;
  Ms: tf.Tensor2D | null;
  /** Segment indicator [C, J]: one-hot position -> its column. */
  G: tf.Tensor2D;
  GT: tf.Tensor2D;
}

export interface Hyper {
  lr: number;
  weightDecay: number;
  /** Dropout on the hidden layer (0 = none). */
  dropout: number;
  /** DP-SGD: clip each example's gradient to this L2 norm, add Gaussian noise of std noise*clip. */
  dp?: { clip: number; noiseMultiplier: number; expectedBatch?: number };
}

export function offsets(cards: number[]): number[] {
  const out: number[] = [];
  let acc = 0;
  for (const c of cards) {
    out.push(acc);
    acc += c;
  }
  return out;
}

/** Degrees of the hidden units: spread evenly over [start, J-1] (start 0 when a context exists). */
export function degrees(arch: Arch): Int32Array {
  const J = arch.cards.length;
  const start = arch.contextDim > 0 || J <= 1 ? 0 : 1;
  const span = Math.max(1, J - start);
  return Int32Array.from({ length: arch.hidden }, (_, h) => Math.min(J - 1, start + (h % span)));
}

export function makeMasks(arch: Arch): Masks {
  const C = arch.cards.reduce((a, b) => a + b, 0);
  const J = arch.cards.length;
  const H = arch.hidden;
  const deg = degrees(arch);
  const colOf = new Int32Array(C);
  arch.cards.forEach((c, j) => colOf.fill(j, offsets(arch.cards)[j] as number, (offsets(arch.cards)[j] as number) + c));
  const m1 = new Float32Array(C * H);
  const m2 = new Float32Array(H * C);
  const g = new Float32Array(C * J);
  for (let i = 0; i < C; i++) {
    const col = colOf[i] as number; // 0-based column index; input column col is "column col+1"
    g[i * J + col] = 1;
    for (let h = 0; h < H; h++) {
      // unit of degree d sees input columns with 1-based index <= d, i.e. col < d
      if (col < (deg[h] as number)) m1[i * H + h] = 1;
      // output column (1-based col+1) is fed by units of degree < col+1, i.e. d <= col
      if ((deg[h] as number) <= col) m2[h * C + i] = 1;
    }
  }
  let Ms: tf.Tensor2D | null = null;
  if (arch.direct) {
    const ms = new Float32Array(C * C);
    for (let i = 0; i < C; i++) for (let k = 0; k < C; k++) if ((colOf[i] as number) < (colOf[k] as number)) ms[i * C + k] = 1;
    Ms = tf.tensor2d(ms, [C, C]);
  }
  const G = tf.tensor2d(g, [C, J]);
  return { M1: tf.tensor2d(m1, [C, H]), M2: tf.tensor2d(m2, [H, C]), Ms, G, GT: tf.transpose(G) };
}

/** Initial parameters; head biases start at the columns' empirical log-frequencies. */
export function initParams(arch: Arch, masks: Masks, logFreq: Float32Array, seed: number): Params {
  const C = logFreq.length;
  const J = Math.max(1, arch.cards.length);
  const H = arch.hidden;
  return tidy(() => ({
    W1: tf.mul(tf.randomNormal([C, H], 0, Math.sqrt(2 / J), 'float32', seed), masks.M1) as tf.Tensor2D,
    b1: tf.zeros([H]) as tf.Tensor1D,
    W2: tf.mul(tf.randomNormal([H, C], 0, 0.3 / Math.sqrt(H), 'float32', seed + 1), masks.M2) as tf.Tensor2D,
    b2: tf.tensor1d(logFreq),
    V1: arch.contextDim > 0 ? (tf.randomNormal([arch.contextDim, H], 0, Math.sqrt(1 / arch.contextDim), 'float32', seed + 2) as tf.Tensor2D) : null,
    Ws: masks.Ms ? (tf.zeros([C, C]) as tf.Tensor2D) : null,
  }));
}

/** Per-row log-likelihood pieces: logits clipped to [-60, 60] so a segment softmax needs no max. */
function heads(L: tf.Tensor2D, masks: Masks): { E: tf.Tensor2D; S: tf.Tensor2D } {
  const E = tf.exp(tf.clipByValue(L, -60, 60)) as tf.Tensor2D;
  const S = tf.matMul(E, masks.G) as tf.Tensor2D; // [B, J] per-column sums
  return { E, S };
}

interface Forward {
  A: tf.Tensor2D;
  Hh: tf.Tensor2D;
  L: tf.Tensor2D;
  drop: tf.Tensor2D | null;
}

function forward(p: Params, X: tf.Tensor2D, Z: tf.Tensor2D | null, dropout: number, seed: number, mask?: tf.Tensor2D): Forward {
  let A = tf.add(tf.matMul(X, p.W1), p.b1) as tf.Tensor2D;
  if (Z && p.V1) A = tf.add(A, tf.matMul(Z, p.V1)) as tf.Tensor2D;
  let Hh = tf.relu(A) as tf.Tensor2D;
  let drop: tf.Tensor2D | null = null;
  if (mask) drop = mask;
  else if (dropout > 0) drop = tf.div(tf.cast(tf.greater(tf.randomUniform(Hh.shape, 0, 1, 'float32', seed), dropout), 'float32'), 1 - dropout) as tf.Tensor2D;
  if (drop) Hh = tf.mul(Hh, drop) as tf.Tensor2D;
  let L = tf.add(tf.matMul(Hh, p.W2), p.b2) as tf.Tensor2D;
  if (p.Ws) L = tf.add(L, tf.matMul(X, p.Ws)) as tf.Tensor2D;
  return { A, Hh, L, drop };
}

/** Summed cross-entropy of a batch (a scalar tensor, not read back). X is the one-hot batch (= targets). */
export function batchLoss(p: Params, masks: Masks, X: tf.Tensor2D, Z: tf.Tensor2D | null): tf.Scalar {
  return tf.tidy(() => {
    const { L } = forward(p, X, Z, 0, 0);
    const { S } = heads(L, masks);
    return tf.sub(tf.sum(tf.log(S)), tf.sum(tf.mul(tf.clipByValue(L, -60, 60), X))) as tf.Scalar;
  });
}

export interface AdamState {
  m: Partial<Record<Key, tf.Tensor>>;
  v: Partial<Record<Key, tf.Tensor>>;
  t: number;
}

export function initAdam(p: Params): AdamState {
  const m: AdamState['m'] = {};
  const v: AdamState['v'] = {};
  for (const k of KEYS) {
    const t = p[k];
    if (t) {
      m[k] = tf.zerosLike(t);
      v[k] = tf.zerosLike(t);
    }
  }
  return { m, v, t: 0 };
}

/** Host-made inputs that spare device work: X transposed, and the inverted-dropout mask. */
export interface StepExtras {
  /** X transposed [C, B] (WASM's transpose costs ~8 ns per value; the host builds it for free). */
  XT?: tf.Tensor2D;
  /** Dropout mask [B, H] with values 0 or 1/(1-p) (tf.randomUniform runs in JS, slowly). */
  dropMask?: tf.Tensor2D;
}

/** An inverted-dropout mask [rows, H] drawn on the host (values 0 or 1 / (1 - p)). */
export function dropoutMask(rows: number, H: number, p: number, next: () => number): Float32Array {
  const out = new Float32Array(rows * H);
  const keep = 1 / (1 - p);
  for (let i = 0; i < out.length; i++) out[i] = next() > p ? keep : 0;
  return out;
}

/**
 * One AdamW step on a batch. Returns the batch's summed loss as a scalar tensor (the caller
 * accumulates it on the device and reads it back once per epoch). Replaces the tensors in
 * `p` and `adam` in place (old ones disposed).
 */
export function trainStep(
  p: Params,
  adam: AdamState,
  masks: Masks,
  X: tf.Tensor2D,
  Z: tf.Tensor2D | null,
  hyper: Hyper,
  seed: number,
  extras: StepExtras = {},
): tf.Scalar {
  adam.t += 1;
  const B = X.shape[0];
  const out = tidy(() => {
    const f = forward(p, X, Z, hyper.dropout, seed, hyper.dropout > 0 ? extras.dropMask : undefined);
    // No clipping here (it costs three [B, C] ops per step): logits stay small from the
    // log-frequency bias init; a diverging run shows up as a non-finite loss and stops training.
    const E = tf.exp(f.L);
    const S = tf.matMul(E, masks.G);
    const loss = tf.sub(tf.sum(tf.log(S)), tf.sum(tf.mul(f.L, X))) as tf.Scalar;
    // d loss / d logits = softmax - onehot
    let dL = tf.sub(tf.div(E, tf.matMul(S, masks.GT)), X) as tf.Tensor2D;
    const W2T = tf.transpose(p.W2);
    let dH = tf.matMul(dL, W2T) as tf.Tensor2D;
    if (f.drop) dH = tf.mul(dH, f.drop) as tf.Tensor2D;
    dH = tf.mul(dH, tf.step(f.A)) as tf.Tensor2D;
    let scale = 1 / B;
    if (hyper.dp) {
      // Ghost clipping: each example's gradient of a dense layer is rank one, ||x_i g_i^T|| = ||x_i||·||g_i||
      // (an upper bound under the masks), so per-example norms need no per-example gradients.
      const J = masks.G.shape[1];
      const gl = tf.sum(tf.square(dL), 1);
      const gh = tf.sum(tf.square(dH), 1);
      const hh = tf.sum(tf.square(f.Hh), 1);
      let sq = tf.add(tf.add(tf.mul(gh, J + 1), tf.mul(gl, tf.add(hh, 1))), p.Ws ? tf.mul(gl, J) : 0);
      if (Z) sq = tf.add(sq, tf.mul(gh, tf.sum(tf.square(Z), 1)));
      const c = tf.reshape(tf.minimum(1, tf.div(hyper.dp.clip, tf.add(tf.sqrt(sq), 1e-12))), [B, 1]);
      dL = tf.mul(dL, c) as tf.Tensor2D;
      dH = tf.mul(dH, c) as tf.Tensor2D;
      // Poisson batches: divide by the expected size (the actual size is data-dependent).
      scale = 1 / (hyper.dp.expectedBatch ?? B);
    }
    const XT = extras.XT ?? tf.transpose(X);
    const grads: Partial<Record<Key, tf.Tensor>> = {
      W2: tf.mul(tf.matMul(tf.transpose(f.Hh), dL), masks.M2),
      b2: tf.sum(dL, 0),
      W1: tf.mul(tf.matMul(XT, dH), masks.M1),
      b1: tf.sum(dH, 0),
    };
    if (p.V1 && Z) grads.V1 = tf.matMul(tf.transpose(Z), dH);
    if (p.Ws && masks.Ms) grads.Ws = tf.mul(tf.matMul(XT, dL), masks.Ms);
    const b1 = 0.9;
    const b2 = 0.999;
    const lrT = (hyper.lr * Math.sqrt(1 - b2 ** adam.t)) / (1 - b1 ** adam.t);
    const next: Partial<Record<Key, tf.Tensor>> = {};
    const m: AdamState['m'] = {};
    const v: AdamState['v'] = {};
    for (const k of KEYS) {
      const w = p[k];
      let g = grads[k];
      if (!w || !g) continue;
      if (hyper.dp) {
        g = tf.add(g, tf.randomNormal(g.shape, 0, hyper.dp.noiseMultiplier * hyper.dp.clip, 'float32', seed + KEYS.indexOf(k) + 7));
        if (k === 'W1') g = tf.mul(g, masks.M1);
        if (k === 'W2') g = tf.mul(g, masks.M2);
        if (k === 'Ws' && masks.Ms) g = tf.mul(g, masks.Ms);
      }
      g = tf.mul(g, scale);
      const mk = tf.add(tf.mul(adam.m[k] as tf.Tensor, b1), tf.mul(g, 1 - b1));
      const vk = tf.add(tf.mul(adam.v[k] as tf.Tensor, b2), tf.mul(tf.square(g), 1 - b2));
      let upd = tf.div(mk, tf.add(tf.sqrt(vk), 1e-8));
      const decay = k === 'b1' || k === 'b2' ? 0 : hyper.weightDecay;
      if (decay > 0) upd = tf.add(tf.mul(upd, lrT), tf.mul(w, hyper.lr * decay));
      else upd = tf.mul(upd, lrT);
      next[k] = tf.sub(w, upd);
      m[k] = mk;
      v[k] = vk;
    }
    return { loss, next, m, v };
  });
  for (const k of KEYS) {
    const n = out.next[k];
    if (!n) continue;
    p[k]?.dispose();
    adam.m[k]?.dispose();
    adam.v[k]?.dispose();
    (p as unknown as Record<Key, tf.Tensor | null>)[k] = n;
    adam.m[k] = out.m[k];
    adam.v[k] = out.v[k];
  }
  return out.loss;
}

export function cloneParams(p: Params): Params {
  return {
    W1: p.W1.clone(),
    b1: p.b1.clone(),
    W2: p.W2.clone(),
    b2: p.b2.clone(),
    V1: p.V1 ? p.V1.clone() : null,
    Ws: p.Ws ? p.Ws.clone() : null,
  };
}

export function disposeParams(p: Params): void {
  for (const k of KEYS) p[k]?.dispose();
}

export function disposeMasks(m: Masks): void {
  for (const t of [m.M1, m.M2, m.Ms, m.G, m.GT]) t?.dispose();
}

/** Parameters as plain arrays (model weights artifact). */
export async function exportParams(p: Params): Promise<Record<string, { shape: number[]; data: number[] }>> {
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const k of KEYS) {
    const t = p[k];
    if (t) out[k] = { shape: t.shape, data: Array.from(await t.data()) };
  }
  return out;
}
