import { describe, expect, it } from 'vitest';
import { applyIndices, rakeWeights, resampleIndices, tokenMarginals } from '../../src/worker/engine/model/rake';
import { createRng } from '../../src/worker/engine/rng';

describe('marginal raking', () => {
  it('moves a drifted sample towards the training marginals and keeps its size', () => {
    const rng = createRng(1);
    const n = 5000;
    // Target: 30% / 70%; sample drifted to 50% / 50%, second column correlated with the first.
    const target = [Float64Array.from([0.3, 0.7]), Float64Array.from([0.5, 0.5])];
    const a = Int32Array.from({ length: n }, () => (rng.next() < 0.5 ? 0 : 1));
    const b = Int32Array.from(a, (x) => (rng.next() < 0.8 ? x : 1 - x));
    const w = rakeWeights([a, b], target, n);
    const out = applyIndices([a, b], resampleIndices(w, rng));
    expect(out[0]?.length).toBe(n);
    const share = tokenMarginals(out, [2, 2])[0]![0]!;
    expect(Math.abs(share - 0.3)).toBeLessThan(0.03);
    // The correlation between the columns survives the resampling.
    let agree = 0;
    for (let i = 0; i < n; i++) if (out[0]![i] === out[1]![i]) agree++;
    expect(agree / n).toBeGreaterThan(0.7);
  });
});
