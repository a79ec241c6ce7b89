import { describe, expect, it } from 'vitest';
import { dpSgdEpsilon, epsilonFromRdp, noiseForEpsilon, ORDERS, sgmCurve } from '../../src/worker/engine/privacy/rdp';
import { planPreprocessing, planSgd, normalTail, normalTailInverse } from '../../src/worker/engine/privacy/budget';

/** TF-Privacy's classic conversion ε = min_α rdp(α) − ln δ/(α−1) (its MNIST tutorial figures use it). */
function classic(rdp: Float64Array, delta: number): number {
  return Math.min(...ORDERS.map((a, i) => (rdp[i] as number) - Math.log(delta) / (a - 1)));
}

describe('RDP accountant (sampled Gaussian mechanism)', () => {
  it('matches the Opacus docstring example exactly: ε 0.336 at order 23', () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const a = sgmCurve(1e-5, 1.0, 10, orders);
    const b = sgmCurve(1e-4, 3.0, 4, orders);
    const r = epsilonFromRdp(
      a.map((v, i) => v + (b[i] as number)),
      1e-5,
      orders,
    );
    expect(r.epsilon).toBeCloseTo(0.336, 3);
    expect(r.order).toBe(23);
  });

  it("matches Opacus' accountant test (σ 1.5, q 0.04, 90 epochs, δ 1e-5 → ε 7.3291) within integer-order slack", () => {
    const eps = dpSgdEpsilon(0.04, 1.5, Math.floor(90 / 0.04), 1e-5);
    // Opacus also uses fractional orders, so integer orders give the same or a hair more.
    expect(eps).toBeGreaterThanOrEqual(7.3291);
    expect(eps).toBeLessThan(7.335);
    // Opacus get_noise_multiplier(ε 8, δ 1e-5, q 0.04, 90 epochs) = 1.4253 (to its ε tolerance 0.01).
    expect(noiseForEpsilon(8, 0.04, Math.floor(90 / 0.04), 1e-5)).toBeCloseTo(1.4253, 1);
  });

  it('reproduces the TF-Privacy MNIST tutorial table (q 256/60000, δ 1e-5)', () => {
    const steps = (epochs: number): number => Math.floor(60000 / 256) * epochs;
    expect(classic(sgmCurve(256 / 60000, 1.12, steps(60)), 1e-5)).toBeCloseTo(2.92, 2);
    expect(classic(sgmCurve(256 / 60000, 1.2, steps(10)), 1e-5)).toBeCloseTo(1.2, 1);
    expect(Math.abs(classic(sgmCurve(256 / 60000, 0.6, steps(30)), 1e-5) - 9.74)).toBeLessThan(0.05);
    // The tighter conversion Opacus uses gives less for the same run.
    expect(dpSgdEpsilon(256 / 60000, 1.1, steps(60), 1e-5)).toBeLessThan(2.92);
  });

  it('chooses a noise multiplier that meets the target, histograms included', () => {
    for (const target of [1, 4, 10]) {
      const pre = planPreprocessing({ n: 30_000, epsilon: target, categorical: 8, numeric: 6, boolean: 0, rareThreshold: 5 });
      const sgd = planSgd(pre, 30_000, 1024, 20);
      const eps = dpSgdEpsilon(sgd.sampleRate, sgd.noiseMultiplier, sgd.steps, pre.deltaRdp, pre.rdp);
      expect(eps).toBeLessThanOrEqual(target);
      expect(eps).toBeGreaterThan(target * 0.99);
      // The category threshold pays δ_sel: a single row's category survives with probability ≤ δ_sel / columns.
      expect(normalTail((pre.categoryThreshold - 1) / pre.sigma)).toBeLessThanOrEqual(pre.deltaSelection / 8 + 1e-12);
    }
    expect(normalTailInverse(0.025)).toBeCloseTo(1.96, 3);
  });
});
