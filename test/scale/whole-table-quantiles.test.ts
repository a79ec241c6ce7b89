import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUANTILE_POINTS, discreteOffset, wholeQuantile } from '../../src/shared/table-stats';
import { loadData } from '../../src/worker/jobs/load-data';
import { preprocess } from '../../src/worker/engine/pipeline';
import { buildReport } from '../../src/worker/engine/report/build';
import { useFourSources } from '../helpers/four-sources';

/**
 * 20,000 payments whose "pay.amount" is lognormal (every 7th empty) with four huge amounts; the
 * training rows are a sample of 1,000. The whole table's discrete quantiles are the values at
 * `discreteOffset` of all its non-empty amounts (taken in the database, or by DuckDB over a file), and the report's real chart range is the
 * table's 0.5–99.5% quantiles, not the sample's.
 */
const ROWS = 20_000;
const MAX = 1000;
const COLUMN = 'pay.amount';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(18);
const amounts: Array<number | null> = Array.from({ length: ROWS }, (_, i) => {
  if (i % 7 === 0) return null;
  if (i % 4001 === 5) return 1e12 + i;
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // Six decimals: a double MariaDB returns as written (it prints at most 15 significant digits).
  return Math.round(Math.exp(3 + 1.5 * z) * 1e6) / 1e6;
});
const sorted = amounts.filter((v): v is number => v !== null).sort((a, b) => a - b);
const expected = QUANTILE_POINTS.map((p) => sorted[discreteOffset(p, sorted.length)]!);

const sources = useFourSources(
  'quant',
  [
    {
      name: 'payments',
      columns: [
        { name: 'id', type: 'int', primaryKey: true },
        { name: COLUMN, type: 'real' },
      ],
      rows: amounts.map((a, i) => [i + 1, a]),
    },
  ],
  { csv: 'file', csvLabel: 'a CSV file read by DuckDB' },
);

// The CSV is read by DuckDB whatever its size.
beforeAll(() => {
  process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
});
afterAll(() => {
  delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
});

describe.each(sources.sources)('quantiles of a sampled table taken over the whole table (%s)', (_, spec) => {
  it('equal the discrete quantiles of every row, and the report charts the real side on them', async () => {
    const config = await sources.config(spec(), MAX);
    config.tables.payments!.columns[COLUMN]!.sdtype = 'numerical';
    const data = await loadData(config, {});
    expect(data.tables.payments!.rows.length).toBeLessThan(ROWS / 5);
    const stats = data.wholeStats.payments!.columns[COLUMN]!;
    expect(stats.quantiles).toEqual(expected);
    expect(stats.quantiles![200]).toBe(1e12 + 12008);

    const prepared = await preprocess({
      config,
      metadata: data.metadata,
      tables: data.tables,
      sourceRows: data.sourceRows,
      wholeStats: data.wholeStats,
      workspace: mkdtempSync(path.join(sources.dir, 'ws-')),
    });
    const { train, holdout } = prepared.evaluation.payments!;
    const chart = (withStats: boolean) =>
      buildReport({
        config,
        metadata: data.metadata,
        realTrain: { payments: train },
        realHoldout: { payments: holdout },
        synthetic: { payments: train },
        backend: 'cpu',
        stepSeconds: {},
        ...(withStats ? { wholeStats: data.wholeStats } : {}),
      })
        .tables.find((t) => t.name === 'payments')!
        .distributions.find((d) => d.column === COLUMN)!.bins;
    const [lo, hi] = [wholeQuantile(stats, 0.005)!, wholeQuantile(stats, 0.995)!];
    expect([lo, hi]).toEqual([expected[1], expected[199]]);
    const bins = chart(true);
    expect(bins[0]!.from).toBe(lo);
    expect(Math.abs(bins[bins.length - 1]!.to! - hi)).toBeLessThanOrEqual(1e-9 * hi);
    // From the sample alone, the chart's range is the sample's quantiles, not the table's.
    const fromSample = chart(false);
    expect(Math.abs(fromSample[fromSample.length - 1]!.to! - hi)).toBeGreaterThan(1e-6 * hi);
  }, 300_000);
});
