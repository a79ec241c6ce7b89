import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared';
import type { ColumnSpec } from '../../src/worker/engine/evaluate/columns';
import { classificationScores, r2Score } from '../../src/worker/engine/evaluate/models';
import { rng } from '../../src/worker/engine/evaluate/sample';
import { defaultTarget, evaluateUtility } from '../../src/worker/engine/evaluate/utility';

const columns: ColumnSpec[] = [
  { name: 'x', sdtype: 'numerical' },
  { name: 'group', sdtype: 'categorical' },
  { name: 'y', sdtype: 'numerical' },
  { name: 'label', sdtype: 'categorical' },
];

/** label = "high" when x + group effect > 0; y = 3x + group effect + small noise. */
function data(n: number, seed: number, shuffleLabels = false): RowBatch {
  const r = rng(seed);
  const rows = Array.from({ length: n }, () => {
    const x = r() * 2 - 1;
    const g = ['a', 'b', 'c'][Math.floor(r() * 3)]!;
    const effect = g === 'a' ? -0.5 : g === 'b' ? 0 : 0.5;
    return [x, g, 3 * x + effect + (r() - 0.5) * 0.1, x + effect > 0 ? 'high' : 'low'];
  });
  if (shuffleLabels) for (const row of rows) row[3] = r() < 0.5 ? 'high' : 'low';
  return { columns: ['x', 'group', 'y', 'label'], rows };
}

describe('scores', () => {
  it('accuracy and macro-F1 match hand-computed values', () => {
    // truth 0 0 1 1 1, pred 0 1 1 1 0: class0 tp1 fp1 fn1 -> F1 .5; class1 tp2 fp1 fn1 -> F1 4/6
    const s = classificationScores(Int32Array.from([0, 0, 1, 1, 1]), Int32Array.from([0, 1, 1, 1, 0]), 2);
    expect(s.accuracy).toBeCloseTo(0.6, 12);
    expect(s.macroF1).toBeCloseTo((0.5 + 4 / 6) / 2, 12);
  });

  it('R² = 1 − SS_res / SS_tot', () => {
    // truth 1 2 3, pred 1 2 4: SS_res 1, SS_tot 2
    expect(r2Score(Float64Array.from([1, 2, 3]), Float64Array.from([1, 2, 4]))).toBeCloseTo(0.5, 12);
  });
});

describe('TSTR utility', () => {
  const train = data(2000, 1);
  const holdout = data(1000, 2);

  it('synthetic data from the same process loses almost no utility', () => {
    const u = evaluateUtility({ train, holdout, synthetic: data(2000, 3), columns, target: 'label' })!;
    expect(u.task).toBe('classification');
    expect(u.real.accuracy!).toBeGreaterThan(0.9);
    expect(Math.abs(u.gap!)).toBeLessThan(0.05);
  });

  it('synthetic data that lost the label relationship shows a large gap', () => {
    const u = evaluateUtility({ train, holdout, synthetic: data(2000, 3, true), columns, target: 'label' })!;
    expect(u.gap!).toBeGreaterThan(0.2);
  });

  it('a numerical target is a regression scored by R²', () => {
    const u = evaluateUtility({ train, holdout, synthetic: data(2000, 4), columns, target: 'y' })!;
    expect(u).toMatchObject({ task: 'regression', metric: 'r2' });
    expect(u.real.r2!).toBeGreaterThan(0.95);
    expect(u.synthetic.r2!).toBeGreaterThan(0.95);
  });

  it('defaults to the configured target, else the last categorical column', () => {
    expect(defaultTarget(columns)).toBe('label');
    expect(defaultTarget(columns, { report: { targetColumn: 'y' } })).toBe('y');
    expect(defaultTarget(columns, { report: { targetColumn: 'missing' } })).toBe('label');
  });
});
