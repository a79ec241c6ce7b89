import { describe, expect, it } from 'vitest';
import type { CellValue, RowBatch } from '../../src/shared';
import { evaluateQuality, worstFirst } from '../../src/worker/engine/evaluate/quality';
import type { ColumnSpec } from '../../src/worker/engine/evaluate/columns';

function batch(columns: string[], ...cols: CellValue[][]): RowBatch {
  const n = cols[0]!.length;
  return { columns, rows: Array.from({ length: n }, (_, i) => cols.map((c) => c[i]!)) };
}

const num = (name: string): ColumnSpec => ({ name, sdtype: 'numerical' });
const cat = (name: string): ColumnSpec => ({ name, sdtype: 'categorical' });

describe('Column Shapes (SDMetrics KSComplement / TVComplement)', () => {
  it('KSComplement is 1 − the largest gap between the two empirical CDFs', () => {
    // CDFs: at 2 real 0.5 vs synthetic 0; at 4 real 1 vs synthetic 0.5 -> D = 0.5
    const q = evaluateQuality(batch(['x'], [1, 2, 3, 4]), batch(['x'], [3, 4, 5, 6]), [num('x')]);
    expect(q.columns[0]).toMatchObject({ column: 'x', metric: 'KSComplement' });
    expect(q.columns[0]!.score).toBeCloseTo(0.5, 10);
  });

  it('KSComplement drops missing values and reads numbers given as text', () => {
    // real {1,2,3} vs synthetic {1,2,3,3}: D = max(|1/3-1/4|, |2/3-2/4|) = 1/6
    const q = evaluateQuality(batch(['x'], [1, null, 2, 3]), batch(['x'], ['1', '2', '3', '3']), [num('x')]);
    expect(q.columns[0]!.score).toBeCloseTo(1 - 1 / 6, 10);
  });

  it('KSComplement on datetimes compares instants (Date objects vs ISO text)', () => {
    const real = batch(['d'], [new Date('2020-01-01'), new Date('2020-06-01'), new Date('2021-01-01')]);
    const syn = batch(['d'], ['2020-01-01', '2020-06-01', '2021-01-01']);
    const q = evaluateQuality(real, syn, [{ name: 'd', sdtype: 'datetime' }]);
    expect(q.columns[0]!.score).toBe(1);
  });

  it('TVComplement is 1 − ½·Σ|p_syn − p_real| with missing values dropped', () => {
    // real (no null): a 2/3, b 1/3; synthetic: a 1/4, b 1/2, c 1/4 (c unseen in real)
    const q = evaluateQuality(batch(['c'], ['a', 'a', 'b', null]), batch(['c'], ['a', 'b', 'b', 'c']), [cat('c')]);
    const expected = 1 - 0.5 * (Math.abs(0.25 - 2 / 3) + Math.abs(0.5 - 1 / 3) + 0.25);
    expect(q.columns[0]!.score).toBeCloseTo(expected, 5);
  });

  it('booleans are compared as categories whatever their spelling (true / 1 / "yes")', () => {
    const q = evaluateQuality(batch(['b'], [true, false, true, true]), batch(['b'], [1, 0, 'yes', 'true']), [{ name: 'b', sdtype: 'boolean' }]);
    expect(q.columns[0]).toMatchObject({ metric: 'TVComplement', score: 1 });
  });

  it('skips id and text columns and scores a column with no values as null', () => {
    const cols: ColumnSpec[] = [{ name: 'id', sdtype: 'id' }, { name: 't', sdtype: 'text' }, num('x'), num('empty')];
    const q = evaluateQuality(
      batch(['id', 't', 'x', 'empty'], [1, 2], ['a', 'b'], [1, 2], [null, null]),
      batch(['id', 't', 'x', 'empty'], [3, 4], ['c', 'd'], [1, 2], [1, 2]),
      cols,
    );
    expect(q.columns.map((c) => c.column)).toEqual(['x', 'empty']);
    expect(q.columns[1]!.score).toBeNull();
    expect(q.columnShapes).toBe(1);
  });
});

describe('Column Pair Trends (SDMetrics CorrelationSimilarity / ContingencySimilarity)', () => {
  it('CorrelationSimilarity = 1 − |ρ_real − ρ_syn| / 2 (Pearson)', () => {
    const real = batch(['x', 'y'], [1, 2, 3, 4], [2, 4, 6, 8]);
    const opposite = batch(['x', 'y'], [1, 2, 3, 4], [8, 6, 4, 2]);
    const q = evaluateQuality(real, opposite, [num('x'), num('y')]);
    expect(q.pairs[0]).toMatchObject({ metric: 'CorrelationSimilarity', score: 0, realCorrelation: 1, syntheticCorrelation: -1 });
    // y = [1, 3, 2, 4]: ρ = 0.8
    const q2 = evaluateQuality(real, batch(['x', 'y'], [1, 2, 3, 4], [1, 3, 2, 4]), [num('x'), num('y')]);
    expect(q2.pairs[0]!.syntheticCorrelation).toBeCloseTo(0.8, 10);
    expect(q2.pairs[0]!.score).toBeCloseTo(1 - 0.2 / 2, 10);
  });

  it('CorrelationSimilarity counts missing values as 0 and leaves constant columns out', () => {
    // real x=[1,2,null,4] -> [1,2,0,4] with y=[1,2,3,4]: ρ computed by hand below
    const x = [1, 2, 0, 4];
    const y = [1, 2, 3, 4];
    const mx = 7 / 4;
    const my = 2.5;
    const sxy = x.reduce((s, v, i) => s + (v - mx) * (y[i]! - my), 0);
    const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
    const syy = y.reduce((s, v) => s + (v - my) ** 2, 0);
    const rho = sxy / Math.sqrt(sxx * syy);
    const q = evaluateQuality(batch(['x', 'y'], [1, 2, null, 4], y), batch(['x', 'y'], [1, 2, 3, 4], y), [num('x'), num('y')]);
    expect(q.pairs[0]!.realCorrelation).toBeCloseTo(rho, 10);
    expect(q.pairs[0]!.score).toBeCloseTo(1 - Math.abs(rho - 1) / 2, 10);
    const constant = evaluateQuality(batch(['x', 'y'], [1, 1, 1, 1], y), batch(['x', 'y'], [1, 2, 3, 4], y), [num('x'), num('y')]);
    expect(constant.pairs[0]!.score).toBeNull();
    expect(constant.columnPairTrends).toBeNull();
  });

  it('ContingencySimilarity = 1 − total variation of the joint frequency tables', () => {
    const real = batch(['a', 'b'], ['a', 'a', 'b', 'b'], ['x', 'x', 'y', 'y']);
    const swapped = batch(['a', 'b'], ['a', 'a', 'b', 'b'], ['y', 'y', 'x', 'x']);
    expect(evaluateQuality(real, swapped, [cat('a'), cat('b')]).pairs[0]).toMatchObject({ metric: 'ContingencySimilarity', score: 0 });
    // real: (a,x) .5 (b,y) .5; synthetic: (a,x) .25 (b,y) .75 -> TV .25
    const skewed = batch(['a', 'b'], ['a', 'b', 'b', 'b'], ['x', 'y', 'y', 'y']);
    expect(evaluateQuality(real, skewed, [cat('a'), cat('b')]).pairs[0]!.score).toBeCloseTo(0.75, 10);
  });

  it('missing values are their own category in contingency tables', () => {
    const real = batch(['a', 'b'], ['a', null], ['x', 'x']);
    const syn = batch(['a', 'b'], ['a', 'a'], ['x', 'x']);
    // real: (a,x) .5 (null,x) .5; synthetic: (a,x) 1 -> TV .5
    expect(evaluateQuality(real, syn, [cat('a'), cat('b')]).pairs[0]!.score).toBeCloseTo(0.5, 10);
  });

  it('a numeric column paired with a categorical one is binned into 10 equal-width bins of its own range', () => {
    // real: 0 -> bin 1, 5 -> bin 6, 10 (the max) -> bin 11 (numpy.digitize), each with a category
    const real = batch(['n', 'c'], [0, 5, 10, 10], ['a', 'a', 'b', 'b']);
    // Same shape on another scale: each side is binned on its own edges, as SDMetrics does.
    const rescaled = batch(['n', 'c'], [100, 150, 200, 200], ['a', 'a', 'b', 'b']);
    const q = evaluateQuality(real, rescaled, [num('n'), cat('c')]);
    expect(q.pairs[0]).toMatchObject({ metric: 'ContingencySimilarity', score: 1 });
    expect(q.columns[0]!.score).toBe(0);
    // 4.9 falls in bin 5, not bin 6: one of four rows moves cell -> TV 0.25
    const shifted = batch(['n', 'c'], [0, 4.9, 10, 10], ['a', 'a', 'b', 'b']);
    expect(evaluateQuality(real, shifted, [num('n'), cat('c')]).pairs[0]!.score).toBeCloseTo(0.75, 10);
    // Diagnostic binning on the real range: the rescaled values all fall past the last real edge.
    const onReal = evaluateQuality(real, rescaled, [num('n'), cat('c')], { pairBinning: 'real' });
    expect(onReal.pairs[0]!.score).toBeCloseTo(0.5, 10);
  });
});

describe('Quality', () => {
  const columns = [num('age'), cat('job'), num('income')];
  const rows = 400;
  const real = batch(
    ['age', 'job', 'income'],
    Array.from({ length: rows }, (_, i) => 20 + (i % 50)),
    Array.from({ length: rows }, (_, i) => ['nurse', 'clerk', 'driver', 'chef'][i % 4]!),
    Array.from({ length: rows }, (_, i) => 1000 + 37 * (i % 50) + (i % 4) * 300),
  );

  it('is 1.0 for identical data', () => {
    const q = evaluateQuality(real, real, columns);
    expect(q.score).toBe(1);
    expect(q.columnShapes).toBe(1);
    expect(q.columnPairTrends).toBe(1);
    expect(q.pairs).toHaveLength(3);
  });

  it('is the mean of Column Shapes and Column Pair Trends, and low for disjoint data', () => {
    const disjoint = batch(
      ['age', 'job', 'income'],
      Array.from({ length: rows }, (_, i) => 500 + (i % 7)),
      Array.from({ length: rows }, (_, i) => ['pilot', 'judge'][i % 2]!),
      Array.from({ length: rows }, (_, i) => -(i % 50)),
    );
    const q = evaluateQuality(real, disjoint, columns);
    expect(q.columnShapes).toBeCloseTo(0, 5);
    expect(q.score).toBeCloseTo((q.columnShapes! + q.columnPairTrends!) / 2, 12);
    expect(q.score!).toBeLessThan(0.5);
  });

  it('lists the worst columns and pairs first', () => {
    const jobs = ['nurse', 'clerk', 'driver', 'chef'];
    // Same job counts, but no longer tied to income.
    const shuffledJob = { columns: real.columns, rows: real.rows.map((r, i) => [r[0]!, jobs[Math.floor(i / 100)]!, r[2]!]) };
    const q = evaluateQuality(real, shuffledJob, columns);
    const worst = worstFirst(q.pairs);
    expect(worst[0]!.score!).toBeLessThan(worst[worst.length - 1]!.score!);
    expect([worst[0]!.column1, worst[0]!.column2]).toContain('job');
  });
});
