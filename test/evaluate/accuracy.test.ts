import { describe, expect, it } from 'vitest';
import type { CellValue, RowBatch } from '../../src/shared';
import { evaluateAccuracy } from '../../src/worker/engine/evaluate/accuracy';
import { evaluateQuality } from '../../src/worker/engine/evaluate/quality';
import { rng } from '../../src/worker/engine/evaluate/sample';
import type { ColumnSpec } from '../../src/worker/engine/evaluate/columns';

function batch(columns: string[], rows: CellValue[][]): RowBatch {
  return { columns, rows };
}

/** Heavy-tailed amount (log-normal) and a category that depends on it. */
function heavyTable(n: number, seed: number): RowBatch {
  const r = rng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const rows: CellValue[][] = [];
  for (let i = 0; i < n; i++) {
    const z = normal();
    const amount = Math.round(Math.exp(2 + 1.2 * z) * 100) / 100;
    const tier = z > 0.8 ? 'gold' : z > -0.5 ? 'silver' : 'bronze';
    const other = Math.round(Math.exp(1 + normal()) * 10) / 10;
    rows.push([amount, tier, other]);
  }
  return batch(['amount', 'tier', 'other'], rows);
}

const specs: ColumnSpec[] = [
  { name: 'amount', sdtype: 'numerical' },
  { name: 'tier', sdtype: 'categorical' },
  { name: 'other', sdtype: 'numerical' },
];

/** The same rows with both numeric columns clipped to their 7th most extreme values. */
function clipped(b: RowBatch): RowBatch {
  const bounds = [0, 2].map((j) => {
    const s = b.rows.map((r) => r[j] as number).sort((x, y) => x - y);
    return [s[6]!, s[s.length - 7]!] as const;
  });
  return {
    columns: b.columns,
    rows: b.rows.map((r) => [
      Math.min(bounds[0]![1], Math.max(bounds[0]![0], r[0] as number)),
      r[1]!,
      Math.min(bounds[1]![1], Math.max(bounds[1]![0], r[2] as number)),
    ]),
  };
}

describe('robust fidelity score (accuracy on bins of the real data)', () => {
  it('is 1 for identical data and scores 1-, 2- and 3-way', () => {
    const real = heavyTable(2000, 1);
    const a = evaluateAccuracy(real, real, specs);
    expect(a).toMatchObject({ score: 1, univariate: 1, bivariate: 1, trivariate: 1 });
    expect(a.columns.map((c) => c.column)).toEqual(['amount', 'tier', 'other']);
  });

  it('a fresh sample of the same distribution scores high, a shifted one clearly lower', () => {
    const real = heavyTable(3000, 1);
    const fresh = evaluateAccuracy(real, heavyTable(3000, 2), specs);
    expect(fresh.score!).toBeGreaterThan(0.9);
    const shifted = heavyTable(3000, 3);
    shifted.rows.forEach((r) => (r[0] = (r[0] as number) * 2));
    const bad = evaluateAccuracy(real, shifted, specs);
    expect(bad.columns[0]!.score).toBeLessThan(fresh.columns[0]!.score - 0.15);
    expect(bad.bivariate!).toBeLessThan(fresh.bivariate! - 0.05);
  });

  it('does not punish a synthetic range cut short at the extremes, where the SDMetrics-compatible score does', () => {
    const real = heavyTable(3000, 1);
    const fresh = heavyTable(3000, 2);
    const syn = clipped(fresh);
    const robust = evaluateAccuracy(real, syn, specs).score!;
    // The robust score sees the same body as the unclipped sample; SDMetrics loses points.
    expect(Math.abs(robust - evaluateAccuracy(real, fresh, specs).score!)).toBeLessThan(0.005);
    expect(evaluateQuality(real, fresh, specs).score! - evaluateQuality(real, syn, specs).score!).toBeGreaterThan(0.02);
  });

  it('keeps the 10 most frequent categories and pools the rest; missing values are a bin of their own', () => {
    const real = batch(['c'], [...Array.from({ length: 30 }, (_, i) => [`k${i % 15}`]), [null]]);
    // 15 categories seen twice each: k10..k14 share the pooled bin, so swapping one for a new value changes nothing.
    const swapped = batch(
      ['c'],
      real.rows.map(([v]) => [v === 'k14' ? 'zz' : (v ?? null)]),
    );
    expect(evaluateAccuracy(real, swapped, [{ name: 'c', sdtype: 'categorical' }]).univariate).toBeCloseTo(1, 10);
    const noMissing = batch(
      ['c'],
      real.rows.map(([v]) => [v ?? 'k0'] as CellValue[]),
    );
    expect(evaluateAccuracy(real, noMissing, [{ name: 'c', sdtype: 'categorical' }]).univariate).toBeCloseTo(1 - 1 / 31, 10);
  });
});
