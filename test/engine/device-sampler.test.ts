/**
 * The device-resident sampler (native TensorFlow backends), run on the tfjs CPU backend: it draws
 * from the joint distribution the network defines, and gives the host sampler's rows for the same
 * seed (both read the same uniforms; a draw within float rounding of a token boundary may differ).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { createDeviceSampler } from '../../src/worker/engine/model/device-sampler';
import { disposeMasks, disposeParams } from '../../src/worker/engine/model/network';
import { createSampler } from '../../src/worker/engine/model/sampler';
import type { TrainedNet } from '../../src/worker/engine/model/trainer';
import { createRng } from '../../src/worker/engine/rng';
import { exactJoint, fit, sampledJoint, tv } from './joint';

/** Share of rows on which two token matrices agree in every column. */
function sameRows(a: Int32Array[], b: Int32Array[], rows: number): number {
  let same = 0;
  for (let r = 0; r < rows; r++) if (a.every((t, j) => t[r] === b[j]![r])) same++;
  return same / rows;
}

async function both(net: TrainedNet, rows: number, seed: number, context?: Float32Array): Promise<{ device: Int32Array[]; host: Int32Array[] }> {
  const d = createDeviceSampler(net);
  const h = createSampler(net);
  const device = await d.sample(rows, createRng(seed), 1, context);
  const host = await h.sample(rows, createRng(seed), 1, context);
  d.dispose();
  h.dispose();
  return { device, host };
}

describe('device sampler', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('draws from the network’s joint distribution and gives the host sampler’s rows for the same seed (more rows than one chunk)', async () => {
    const net = await fit(false);
    const rows = 30_000;
    const { device, host } = await both(net, rows, 1);
    expect(tv(exactJoint(net), sampledJoint(device, rows))).toBeLessThan(0.03);
    expect(sameRows(device, host, rows)).toBeGreaterThan(0.999);
    // Another seed: other rows, the same distribution.
    const again = createDeviceSampler(net);
    const other = await again.sample(rows, createRng(2), 1);
    again.dispose();
    expect(tv(exactJoint(net), sampledJoint(other, rows))).toBeLessThan(0.03);
    expect(sameRows(device, other, rows)).toBeLessThan(0.5);
    disposeParams(net.params);
    disposeMasks(net.masks);
  });

  it('follows the direct path and the context vector as the host sampler does', async () => {
    const net = await fit(true, 3);
    const rows = 12_000;
    const ctx = Float32Array.from([0.2, 0.8, 0.4]);
    const context = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) context.set(ctx, r * 3);
    const { device, host } = await both(net, rows, 3, context);
    expect(tv(exactJoint(net, ctx), sampledJoint(device, rows))).toBeLessThan(0.04);
    expect(sameRows(device, host, rows)).toBeGreaterThan(0.999);
    disposeParams(net.params);
    disposeMasks(net.masks);
  });
});
