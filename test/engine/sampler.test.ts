import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { disposeMasks, disposeParams } from '../../src/worker/engine/model/network';
import { createSampler, fastExp } from '../../src/worker/engine/model/sampler';
import { createRng } from '../../src/worker/engine/rng';
import { exactJoint, fit, sampledJoint, tv } from './joint';

describe('network sampler', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('draws rows from the joint distribution the network defines (chunked, more rows than one chunk)', async () => {
    const net = await fit(false);
    const rows = 30_000;
    const sampler = createSampler(net);
    const tokens = await sampler.sample(rows, createRng(1), 1);
    sampler.dispose();
    expect(tv(exactJoint(net), sampledJoint(tokens, rows))).toBeLessThan(0.03);
    disposeParams(net.params);
    disposeMasks(net.masks);
  });

  it('follows the direct path and the context vector', async () => {
    const net = await fit(true, 3);
    const rows = 12_000;
    const ctx = Float32Array.from([0.2, 0.8, 0.4]);
    const context = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) context.set(ctx, r * 3);
    const sampler = createSampler(net);
    const tokens = await sampler.sample(rows, createRng(2), 1, context);
    sampler.dispose();
    expect(tv(exactJoint(net, ctx), sampledJoint(tokens, rows))).toBeLessThan(0.04);
    disposeParams(net.params);
    disposeMasks(net.masks);
  });

  it('is reproducible from the seed, and a low temperature concentrates the draws', async () => {
    const net = await fit(false);
    const sampler = createSampler(net);
    const a = await sampler.sample(5000, createRng(5), 1);
    const b = await sampler.sample(5000, createRng(5), 1);
    expect(a.every((t, j) => t.every((x, r) => x === b[j]![r]))).toBe(true);
    const cold = await sampler.sample(5000, createRng(5), 0.3);
    const top = (t: Int32Array[]): number => Math.max(...sampledJoint(t, 5000));
    expect(top(cold)).toBeGreaterThan(top(a));
    sampler.dispose();
    disposeParams(net.params);
    disposeMasks(net.masks);
  });

  it('computes exp to float precision over the clipped logit range', () => {
    let worst = 0;
    for (let x = -60; x <= 60; x += 0.0137) worst = Math.max(worst, Math.abs(fastExp(x) / Math.exp(x) - 1));
    expect(worst).toBeLessThan(1e-6);
  });
});
