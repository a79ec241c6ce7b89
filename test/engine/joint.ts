/** A small network over four correlated token columns, and the exact joint distribution it defines (for sampler tests). */
import { tf } from '../../src/worker/engine/backend';
import { batchLoss, offsets } from '../../src/worker/engine/model/network';
import { train, type TrainedNet } from '../../src/worker/engine/model/trainer';
import { createRng } from '../../src/worker/engine/rng';

export const cards = [3, 4, 2, 5];

/** Four correlated token columns (each depends on the one before). */
function data(n: number): Int32Array[] {
  const rng = createRng(9);
  const cols = cards.map(() => new Int32Array(n));
  for (let r = 0; r < n; r++) {
    let prev = rng.int(3);
    cols[0]![r] = prev;
    for (let j = 1; j < cards.length; j++) {
      const c = cards[j]!;
      prev = rng.next() < 0.7 ? prev % c : rng.int(c);
      cols[j]![r] = prev;
    }
  }
  return cols;
}

/** Exact joint probabilities of every token combination under the network (from its loss). */
export function exactJoint(net: TrainedNet, context?: Float32Array): Float64Array {
  const total = cards.reduce((a, b) => a * b, 1);
  const C = cards.reduce((a, b) => a + b, 0);
  const offs = offsets(cards);
  const out = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const x = new Float32Array(C);
    let rest = i;
    cards.forEach((c, j) => {
      x[offs[j]! + (rest % c)] = 1;
      rest = Math.floor(rest / c);
    });
    const X = tf.tensor2d(x, [1, C]);
    const Z = context ? tf.tensor2d(context, [1, context.length]) : null;
    const loss = batchLoss(net.params, net.masks, X, Z);
    out[i] = Math.exp(-(loss.dataSync()[0] as number));
    for (const t of [X, Z, loss]) t?.dispose();
  }
  return out;
}

export function sampledJoint(tokens: Int32Array[], rows: number): Float64Array {
  const out = new Float64Array(cards.reduce((a, b) => a * b, 1));
  for (let r = 0; r < rows; r++) {
    let i = 0;
    for (let j = cards.length - 1; j >= 0; j--) i = i * cards[j]! + tokens[j]![r]!;
    out[i]! += 1 / rows;
  }
  return out;
}

export const tv = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0) / 2;

export async function fit(direct: boolean, contextDim = 0): Promise<TrainedNet> {
  const n = 3000;
  const tokens = data(n);
  const context = contextDim > 0 ? Float32Array.from({ length: n * contextDim }, (_, i) => ((i * 7) % 5) / 5) : undefined;
  return train(
    { tokens, cards, n, context, contextDim },
    { hidden: 24, direct, dropout: 0, weightDecay: 0, batchSize: 256, lr: 0.01, maxEpochs: 4, patience: 10, timeBudgetMs: 0, seed: 3, valFraction: 0.1 },
  );
}
