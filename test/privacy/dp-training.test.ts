import { beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/shared/values';
import { initBackend, tf } from '../../src/worker/engine/backend';
import { initAdam, initParams, makeMasks, trainStep, disposeParams, disposeMasks, type Arch } from '../../src/worker/engine/model/network';
import { disposeTable, fitTable, prepareTable, sampleTable } from '../../src/worker/engine/table-model';
import { correlatedTable, correlatedTypes, settings, tableConfig } from '../engine/helpers';

beforeAll(async () => {
  await initBackend('wasm');
});

function dpSettings(seed: number, epsilon = 4) {
  const s = settings({ seed, epochs: 3 });
  s.privacy = { ...s.privacy, differentialPrivacy: { enabled: true, epsilon, maxGradNorm: 1 } };
  return s;
}

describe('differentially private training', () => {
  it('reports ε ≤ target, DP-chosen vocabularies, and differs between seeds', async () => {
    const batch = correlatedTable(3000);
    // A category only two rows have must not survive DP selection.
    const cfg = tableConfig(correlatedTypes, ['id']);
    const out: Row[][] = [];
    for (const seed of [1, 2]) {
      const prepared = prepareTable(batch, { table: 't', config: cfg, columns: [], settings: dpSettings(seed) });
      const c = prepared.plans.find((p) => p.name === 'c');
      expect(c?.role === 'model' && c.spec.kind === 'categorical' ? c.spec.categories : []).not.toContain('RARE-PERSON');
      const model = await fitTable(prepared);
      expect(model.family).toBe('ar');
      const dp = model.differentialPrivacy;
      expect(dp).toBeDefined();
      expect(dp!.epsilon).toBeLessThanOrEqual(4);
      expect(dp!.epsilon).toBeGreaterThan(3.5);
      expect(dp!.delta).toBeLessThanOrEqual(1e-5);
      expect(dp!.steps).toBe(dp!.plannedSteps);
      expect(model.net?.stoppedBy).toBe('privacy-budget');
      const rows: Row[] = [];
      for await (const b of sampleTable(model, 500)) rows.push(...b.rows);
      out.push(rows);
      expect(rows.some((r) => r[3] === 'RARE-PERSON')).toBe(false);
      disposeTable(model);
    }
    const key = (rows: Row[]): string =>
      rows
        .slice(0, 50)
        .map((r) => r.slice(1).join('|'))
        .join('\n');
    expect(key(out[0]!)).not.toBe(key(out[1]!));
  });

  it('adds noise: same seed and data, noise on vs off, different weights', async () => {
    const batch = correlatedTable(1500);
    const cfg = tableConfig(correlatedTypes, ['id']);
    const weights: Float32Array[] = [];
    for (const noise of [0, 5]) {
      const prepared = prepareTable(batch, { table: 't', config: cfg, columns: [], settings: dpSettings(7) });
      const model = await fitTable(prepared, { overrides: { dp: { clip: 1, noiseMultiplier: noise } } });
      weights.push((await model.net!.params.W2.data()) as Float32Array);
      disposeTable(model);
    }
    let diff = 0;
    weights[0]!.forEach((v, i) => (diff += Math.abs(v - weights[1]![i]!)));
    expect(diff / weights[0]!.length).toBeGreaterThan(1e-3);
  });

  it('clips each example: a tiny clip norm all but stops the update', () => {
    const arch: Arch = { cards: [3, 4], hidden: 8, contextDim: 0, direct: false };
    const masks = makeMasks(arch);
    const X = tf.tensor2d(
      [
        [1, 0, 0, 0, 1, 0, 0],
        [0, 1, 0, 0, 0, 0, 1],
      ],
      [2, 7],
    );
    const moved = (clip: number): number => {
      const p = initParams(arch, masks, new Float32Array(7), 3);
      const before = p.b2.dataSync().slice();
      const adam = initAdam(p);
      trainStep(p, adam, masks, X, null, { lr: 0.1, weightDecay: 0, dropout: 0, dp: { clip, noiseMultiplier: 0 } }, 1).dispose();
      const after = p.b2.dataSync();
      let d = 0;
      before.forEach((v, i) => (d = Math.max(d, Math.abs(v - after[i]!))));
      disposeParams(p);
      for (const t of [...Object.values(adam.m), ...Object.values(adam.v)]) t?.dispose();
      return d;
    };
    const free = moved(1e6);
    const clipped = moved(1e-12);
    expect(free).toBeGreaterThan(0.05);
    expect(clipped).toBeLessThan(free * 1e-3);
    X.dispose();
    disposeMasks(masks);
  });
});
