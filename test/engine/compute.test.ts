import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { computeFor, deviceCompute, hostCompute } from '../../src/worker/engine/model/compute';
import { disposeMasks, disposeParams } from '../../src/worker/engine/model/network';
import type { TrainData, TrainOptions } from '../../src/worker/engine/model/trainer';
import { createRng } from '../../src/worker/engine/rng';

/** Two correlated categorical columns and a third that follows the first, with a 2-wide context. */
function data(n: number): TrainData {
  const rng = createRng(5);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const c = new Int32Array(n);
  const context = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    a[i] = rng.int(4);
    b[i] = rng.next() < 0.8 ? a[i]! % 3 : rng.int(3);
    c[i] = a[i]! < 2 ? 0 : 1;
    context[i * 2] = a[i]! / 3;
    context[i * 2 + 1] = rng.next();
  }
  return { tokens: [a, b, c], cards: [4, 3, 2], n, context, contextDim: 2 };
}

const options: TrainOptions = {
  hidden: 16,
  direct: true,
  dropout: 0.1,
  weightDecay: 0,
  batchSize: 32,
  lr: 5e-3,
  maxEpochs: 4,
  patience: 10,
  timeBudgetMs: 0,
  seed: 11,
  valFraction: 0.2,
};

describe('Trainer/Sampler seam', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('picks the device-resident implementation for native TensorFlow and the host one elsewhere', () => {
    expect(computeFor('tensorflow-gpu').kind).toBe('device');
    expect(computeFor('tensorflow').kind).toBe('device');
    expect(computeFor('wasm').kind).toBe('host');
    expect(computeFor('cpu').kind).toBe('host');
  });

  it('trains the same model from the same seed whether batches are built on the host or on the device, and both sample valid rows', async () => {
    const d = data(300);
    const host = await hostCompute.train(d, options);
    const device = await deviceCompute.train(d, options);
    expect(host.history.length).toBe(4);
    expect(device.history.map((h) => h.epoch)).toEqual(host.history.map((h) => h.epoch));
    for (let i = 0; i < host.history.length; i++) {
      expect(device.history[i]!.trainLoss).toBeCloseTo(host.history[i]!.trainLoss, 4);
      expect(device.history[i]!.valLoss!).toBeCloseTo(host.history[i]!.valLoss!, 4);
    }
    // The model learnt something: the loss fell.
    expect(host.history[3]!.trainLoss).toBeLessThan(host.history[0]!.trainLoss);

    for (const [impl, net] of [
      [hostCompute, host],
      [deviceCompute, device],
    ] as const) {
      const sampler = impl.sampler(net);
      const ctx = new Float32Array(50 * 2).fill(0.5);
      const tokens = await sampler.sample(50, createRng(3), 1, ctx);
      sampler.dispose();
      expect(tokens.map((t) => t.length)).toEqual([50, 50, 50]);
      tokens.forEach((t, j) => expect(Math.max(...t)).toBeLessThan(d.cards[j]!));
      disposeParams(net.params);
      disposeMasks(net.masks);
    }
  });
});
