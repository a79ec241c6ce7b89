import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared';
import { extremeChecks, rareCategoryChecks } from '../../src/worker/engine/evaluate/protection';

const columns = [
  { name: 'city', sdtype: 'categorical' as const },
  { name: 'income', sdtype: 'numerical' as const },
];

function batch(cities: string[], incomes: number[]): RowBatch {
  return { columns: ['city', 'income'], rows: cities.map((c, i) => [c, incomes[i]!]) };
}

describe('protection checks', () => {
  // Oslo x6 (common), Bodø x2 and Alta x1 (rare under a threshold of 5)
  const cities = [...Array(6).fill('Oslo'), 'Bodø', 'Bodø', 'Alta'];
  // 0 is a common minimum (5 rows); 900 is a rare maximum (1 row)
  const incomes = [0, 0, 0, 0, 0, 100, 200, 300, 900];
  const train = batch(cities, incomes);

  it('counts rare training categories and the synthetic rows that still carry them', () => {
    const syn = batch(['Oslo', 'Oslo', 'Alta', 'Oslo'], [0, 0, 100, 200]);
    expect(rareCategoryChecks(train, syn, columns, 5)).toEqual([{ column: 'city', categories: 2, trainRows: 3, syntheticRows: 1 }]);
    expect(rareCategoryChecks(train, syn, columns, 2)).toEqual([{ column: 'city', categories: 1, trainRows: 1, syntheticRows: 1 }]);
  });

  it('flags a synthetic value reaching a rare real extreme, not a common one', () => {
    const inside = extremeChecks(train, batch(['Oslo', 'Oslo'], [0, 850]), columns, 5);
    expect(inside).toEqual([
      { column: 'income', sdtype: 'numerical', real: [0, 900], synthetic: [0, 850], rareExtremes: { min: false, max: true }, reachesExtreme: false },
    ]);
    const reached = extremeChecks(train, batch(['Oslo', 'Oslo'], [10, 900]), columns, 5);
    expect(reached[0]!.reachesExtreme).toBe(true);
  });
});
