import { describe, expect, it } from 'vitest';
import { datasetDp } from '../../src/worker/engine/privacy/combine';
import { describeDp } from '../../src/report/dp-text';
import { planPreprocessing, planSgd, spent } from '../../src/worker/engine/privacy/budget';

describe('DP figures in the report', () => {
  it('states ε and δ in plain language', () => {
    const text = describeDp({ epsilon: 1, delta: 1e-5 });
    expect(text).toContain('ε = 1.00');
    expect(text).toContain('δ = 1e-5');
    expect(text).toContain('factor of 2.72');
    expect(text).toContain('strong');
    expect(describeDp({ epsilon: 12 })).toContain('weak');
  });

  it('adds the tables of an execution up (basic composition)', () => {
    const pre = planPreprocessing({ n: 5000, epsilon: 2, categorical: 3, numeric: 2, boolean: 0, rareThreshold: 5 });
    const sgd = planSgd(pre, 5000, 256, 10);
    const a = spent(pre, sgd, sgd.steps, 1);
    const half = spent(pre, sgd, Math.floor(sgd.steps / 2), 1);
    expect(a.epsilon).toBeLessThanOrEqual(2);
    // Stopping early spends less.
    expect(half.epsilon).toBeLessThan(a.epsilon);
    const total = datasetDp([a, undefined, half]);
    expect(total?.epsilon).toBeCloseTo(a.epsilon + half.epsilon, 6);
    expect(total?.delta).toBeCloseTo(2 * a.delta, 12);
    expect(datasetDp([undefined])).toBeNull();
  });
});
