/**
 * A diamonds-like table built from shared data: 50,000 rows × 10 columns of Lahman batting
 * lines (a team and a league, the year, seven heavy-tailed counts with many zeros), plus a few
 * data-entry outliers (a strike-out count typed with two extra digits in 0.02% of the rows).
 */
import type { ColumnMeta } from '../../src/shared/metadata';
import type { RowBatch } from '../../src/shared/values';
import { createRng } from '../../src/worker/engine/rng';
import { subsample } from './baselines';
import { loadTable } from './datasets';

export const HEAVY_COLUMNS = ['year', 'team', 'league', 'G', 'AB', 'H', 'HR', 'RBI', 'SB', 'SO'];

export function heavyTailedTable(rows = 50_000, seed = 11): { batch: RowBatch; columns: ColumnMeta[] } {
  const t = loadTable('lahman_baseball', 'batting');
  const idx = HEAVY_COLUMNS.map((c) => t.batch.columns.indexOf(c));
  const sample = subsample(t.batch, rows, seed);
  const rng = createRng(seed);
  const so = HEAVY_COLUMNS.indexOf('SO');
  const out = sample.rows.map((r) => {
    const row = idx.map((i) => r[i] ?? null);
    if (rng.next() < 0.0002 && typeof row[so] === 'number') row[so] = (row[so] as number) * 100 + 1;
    return row;
  });
  const columns = HEAVY_COLUMNS.map((c) => t.columns.find((m) => m.name === c)!);
  return { batch: { columns: [...HEAVY_COLUMNS], rows: out }, columns };
}
