import { describe, expect, it } from 'vitest';
import { QUANTILE_POINTS, discreteOffset, quantileShares } from '../../src/shared/table-stats';
import { rng as mulberry32 } from '../../src/worker/engine/evaluate/sample';

/**
 * Shares of a column's cells between cut points from its 201 discrete quantiles equal the shares
 * of every cell within one quantile step per edge, also where many cells hold one value (a cut
 * point on such a value sends them all to one side, as the bins are closed) and in a heavy tail.
 */

const random = mulberry32(7);
// 40% zeros, 15% exactly 100, the rest a heavy (Pareto) tail of whole numbers.
const values = Array.from({ length: 30_000 }, () => {
  const u = random();
  return u < 0.4 ? 0 : u < 0.55 ? 100 : Math.round(10 / Math.pow(1 - random(), 1 / 1.1));
}).sort((a, b) => a - b);
const quantiles = QUANTILE_POINTS.map((p) => values[discreteOffset(p, values.length)]!);

function exact(edges: number[], closed: 'left' | 'right'): number[] {
  const out = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) out[edges.filter((e) => (closed === 'left' ? e <= v : e < v)).length]! += 1 / values.length;
  return out;
}

describe('shares between cut points from quantiles', () => {
  it.each([
    ['cut points on the values many cells hold', [0, 100, 1000]],
    ['cut points between values', [0.5, 50, 99.5, 150, 400, 5000]],
    ['cut points beyond the values', [-1, 1e9]],
  ])('equal the shares of every cell (%s)', (_, edges) => {
    for (const closed of ['left', 'right'] as const) {
      const shares = quantileShares(quantiles, edges, closed);
      const want = exact(edges, closed);
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      shares.forEach((s, i) => expect(Math.abs(s - want[i]!)).toBeLessThanOrEqual(0.01));
    }
    // A cut point on the zeros sends all of them (40%) to the bin it closes.
    if (edges[0] === 0) {
      expect(quantileShares(quantiles, edges, 'right')[0]).toBeGreaterThan(0.39);
      expect(quantileShares(quantiles, edges, 'left')[0]).toBe(0);
    }
  });
});
