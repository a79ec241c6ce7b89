import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared';
import { QUANTILE_POINTS, discreteOffset, wholeQuantile } from '../../src/shared/table-stats';
import { loadData } from '../../src/worker/jobs/load-data';
import { preprocess } from '../../src/worker/engine/pipeline';
import { buildReport } from '../../src/worker/engine/report/build';
import { columnBinShares, evaluateAccuracy } from '../../src/worker/engine/evaluate/accuracy';
import { continuousValues, type ColumnSpec } from '../../src/worker/engine/evaluate/columns';
import { useFourSources } from '../helpers/four-sources';
import { rng as mulberry32 } from '../../src/worker/engine/evaluate/sample';

/**
 * 20,000 payments whose "pay.amount" is lognormal (every 7th empty) with four huge amounts, and
 * whose "paid.at" is a time a lognormal number of seconds after a start (every 5th empty, one in
 * 2199); the training rows are a sample of 200. The whole table's discrete quantiles are the
 * values at `discreteOffset` of all its non-empty cells (taken in the database, or by DuckDB over
 * a file; times in milliseconds), the report's real chart range is the table's 0.5–99.5%
 * quantiles, and the real bar heights and the accuracy's real decile shares are the whole
 * table's, not the sample's.
 */
const ROWS = 20_000;
const MAX = 200;
const COLUMN = 'pay.amount';
const PAID = 'paid.at';
/** Largest difference allowed between a share from the quantiles and the share of every row: a bin edge moves at most one quantile step (0.5% of the cells). */
const TOLERANCE = 0.01;

const random = mulberry32(18);
const amounts: Array<number | null> = Array.from({ length: ROWS }, (_, i) => {
  if (i % 7 === 0) return null;
  if (i % 4001 === 5) return 1e12 + i;
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // Six decimals: a double MariaDB returns as written (it prints at most 15 significant digits).
  return Math.round(Math.exp(3 + 1.5 * z) * 1e6) / 1e6;
});
const START = Date.UTC(2024, 0, 1);
const paid: Array<number | null> = Array.from({ length: ROWS }, (_, i) => {
  if (i % 5 === 2) return null;
  if (i === 123) return Date.UTC(2199, 11, 31, 23, 59, 59);
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return START + Math.round(Math.exp(8 + 2 * z)) * 1000;
});
/** A time as the databases and the file are given it: `YYYY-MM-DD HH:MM:SS`, UTC. */
const text = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));
const quantilesOf = (values: Array<number | null>): number[] => {
  const s = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  return QUANTILE_POINTS.map((p) => s[discreteOffset(p, s.length)]!);
};
const expected = quantilesOf(amounts);
const expectedPaid = quantilesOf(paid);
/** Every row of the table, as a batch (times as instants). */
const everyRow: RowBatch = {
  columns: ['id', COLUMN, PAID],
  rows: amounts.map((a, i) => [i + 1, a, paid[i] === null ? null : new Date(paid[i]!)]),
};
const SPECS: ColumnSpec[] = [
  { name: COLUMN, sdtype: 'numerical' },
  { name: PAID, sdtype: 'datetime' },
];
const valuesOf = (column: string): Array<number | null> => (column === COLUMN ? amounts : paid);

/** Shares of some rows' non-empty cells in a chart's bins ([from, to), the first and last open ended); by default every row's. */
function chartShares(column: string, bins: Array<{ to?: number }>, rows: Array<number | null> = valuesOf(column)): number[] {
  const out = new Array<number>(bins.length).fill(0);
  const values = rows.filter((v): v is number => v !== null && !Number.isNaN(v));
  for (const v of values) {
    let i = 0;
    while (i < bins.length - 1 && v >= bins[i]!.to!) i++;
    out[i]! += 1 / values.length;
  }
  return out;
}

/** Shares of every row in the bins cut at the table's distinct deciles ((a, b]; index 0: empty). */
function decileSharesOfEveryRow(column: string): number[] {
  const q = quantilesOf(valuesOf(column));
  const edges = [...new Set([1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => q[k * 20]!))];
  const out = new Array<number>(edges.length + 2).fill(0);
  for (const v of valuesOf(column)) out[v === null ? 0 : 1 + edges.filter((e) => e < v).length]! += 1 / ROWS;
  return out;
}

const largestDifference = (a: number[], b: number[]): number => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
const totalVariation = (a: number[], b: number[]): number => a.reduce((t, x, i) => t + Math.abs(x - b[i]!), 0) / 2;

const sources = useFourSources(
  'quant',
  [
    {
      name: 'payments',
      columns: [
        { name: 'id', type: 'int', primaryKey: true },
        { name: COLUMN, type: 'real' },
        { name: PAID, type: 'timestamp' },
      ],
      rows: amounts.map((a, i) => [i + 1, a, text(paid[i]!)]),
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
  it('equal the discrete quantiles of every row, and the report charts and scores the real side on them', async () => {
    const config = await sources.config(spec(), MAX);
    config.tables.payments!.columns[COLUMN]!.sdtype = 'numerical';
    config.tables.payments!.columns[PAID]!.sdtype = 'datetime';
    const data = await loadData(config, {});
    expect(data.tables.payments!.rows.length).toBeLessThan(ROWS / 5);
    const whole = data.wholeStats.payments!;
    const stats = whole.columns[COLUMN]!;
    expect(stats.quantiles).toEqual(expected);
    expect(stats.quantiles![200]).toBe(1e12 + 12008);
    expect(whole.columns[PAID]!.quantiles).toEqual(expectedPaid);
    expect(whole.columns[PAID]!.quantiles![200]).toBe(Date.UTC(2199, 11, 31, 23, 59, 59));

    const prepared = await preprocess({
      config,
      metadata: data.metadata,
      tables: data.tables,
      sourceRows: data.sourceRows,
      wholeStats: data.wholeStats,
      workspace: mkdtempSync(path.join(sources.dir, 'ws-')),
    });
    const { train, holdout } = prepared.evaluation.payments!;
    const report = (withStats: boolean) =>
      buildReport({
        config,
        metadata: data.metadata,
        realTrain: { payments: train },
        realHoldout: { payments: holdout },
        synthetic: { payments: train },
        backend: 'cpu',
        stepSeconds: {},
        ...(withStats ? { wholeStats: data.wholeStats } : {}),
      }).tables.find((t) => t.name === 'payments')!;
    const [withWhole, fromSample] = [report(true), report(false)];
    const chart = (r: typeof withWhole, column: string) => r.distributions.find((d) => d.column === column)!.bins;
    const [lo, hi] = [wholeQuantile(stats, 0.005)!, wholeQuantile(stats, 0.995)!];
    expect([lo, hi]).toEqual([expected[1], expected[199]]);
    const bins = chart(withWhole, COLUMN);
    expect(bins[0]!.from).toBe(lo);
    expect(Math.abs(bins[bins.length - 1]!.to! - hi)).toBeLessThanOrEqual(1e-9 * hi);
    // From the sample alone, the chart's range is the sample's quantiles, not the table's.
    expect(Math.abs(chart(fromSample, COLUMN).at(-1)!.to! - hi)).toBeGreaterThan(1e-6 * hi);
    expect(chart(withWhole, PAID)[0]!.from).toBe(expectedPaid[1]);

    for (const spec of SPECS) {
      // The real bars are the shares of every row in the chart's bins; the sample's shares in the same bins are clearly off.
      const shown = chart(withWhole, spec.name);
      const everyRowShares = chartShares(spec.name, shown);
      expect(
        largestDifference(
          shown.map((b) => b.real),
          everyRowShares,
        ),
      ).toBeLessThanOrEqual(TOLERANCE);
      const sampleShares = chartShares(spec.name, shown, [...continuousValues(train, spec.name, spec.sdtype)]);
      expect(totalVariation(sampleShares, everyRowShares)).toBeGreaterThan(3 * TOLERANCE);

      // The accuracy's real decile shares are every row's; a synthetic table equal to the real one scores ~1.
      expect(largestDifference(columnBinShares(train, everyRow, spec, { whole }).real, decileSharesOfEveryRow(spec.name))).toBeLessThanOrEqual(TOLERANCE);
      const score = (opts: { whole?: typeof whole }) => evaluateAccuracy(train, everyRow, [spec], opts).columns[0]!.score;
      expect(score({ whole })).toBeGreaterThanOrEqual(1 - TOLERANCE);
      expect(score({})).toBeLessThan(1 - 3 * TOLERANCE);
    }
  }, 300_000);
});
