import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUANTILE_POINTS, discreteOffset } from '../../src/shared/table-stats';
import { openSource } from '../../src/data/sources/connector';
import { createRng } from '../../src/shared/rng';
import * as numeric from '../../src/worker/engine/encoders/numeric';
import { defaultReduceOptions } from '../../src/worker/engine/encoders/types';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';

/**
 * PostgreSQL bigint and numeric columns whose values a double cannot hold exactly (beyond 2^53),
 * cannot hold at all (beyond 1e308) or that hold NaN: their whole-table quantiles are finite,
 * ascending and within 2^-52 of the exact values, or left out (NaN), and an encoder fitted on
 * them draws finite numbers.
 */
const ROWS = 3000;
const BASE = 2n ** 62n;
const big = Array.from({ length: ROWS }, (_, i) => BASE + BigInt(i) * (i % 10 === 0 ? 10n ** 12n : 1n));
let db: ScratchDatabase;

beforeAll(async () => {
  db = await createPgDatabase('doppel_wideq');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE TABLE "acct.wide" (id integer PRIMARY KEY, "n.big" bigint, "n.huge" numeric, "n.nan" numeric)');
  const huge = (i: number): string => (i % 500 === 7 ? '1e400' : i % 3 === 0 ? '' : `${i}.${i}e300`);
  await c.query(
    "INSERT INTO \"acct.wide\" SELECT g, b, nullif(h, '')::numeric, CASE WHEN g % 1000 = 1 THEN 'NaN'::numeric ELSE g END FROM unnest($1::int[], $2::bigint[], $3::text[]) AS t(g, b, h)",
    [big.map((_, i) => i + 1), big.map(String), big.map((_, i) => huge(i))],
  );
  await c.end();
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

describe('whole-table quantiles of PostgreSQL numbers wider than a double', () => {
  it('are finite, ascending and within 2^-52 of the exact values, or left out where a value is NaN', async () => {
    const src = await openSource(db.spec);
    let stats;
    try {
      stats = await src.tableStats('acct.wide', { categories: [], ranges: ['n.big', 'n.huge', 'n.nan'] });
    } finally {
      await src.close();
    }
    const sorted = [...big].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const points = stats.columns['n.big']!.quantiles!;
    expect(points).toHaveLength(QUANTILE_POINTS.length);
    points.forEach((x, k) => {
      const want = sorted[discreteOffset(QUANTILE_POINTS[k]!, ROWS)]!;
      expect(Number.isFinite(x)).toBe(true);
      expect(Math.abs(x - Number(want))).toBeLessThanOrEqual(Number(want) * 2 ** -52);
      if (k > 0) expect(x).toBeGreaterThanOrEqual(points[k - 1]!);
    });
    // Distinct bigints the double cannot tell apart become equal points, never out of order.
    expect(new Set(points).size).toBeLessThan(new Set(QUANTILE_POINTS.map((p) => sorted[discreteOffset(p, ROWS)])).size);

    const huge = stats.columns['n.huge']!.quantiles!;
    expect(huge.every(Number.isFinite)).toBe(true);
    expect(huge[200]).toBe(Number.MAX_VALUE);
    expect(huge.every((x, k) => k === 0 || x >= huge[k - 1]!)).toBe(true);
    expect(stats.columns['n.nan']!.quantiles).toBeUndefined();

    // An encoder fitted on the widest of them draws finite numbers only.
    const sample = huge.slice(0, 190).map((x, i) => x * (1 - i / 1e4));
    const spec = numeric.reduce(numeric.analyze(sample), { ...defaultReduceOptions, wholeQuantiles: { points: huge, rows: ROWS } }, createRng(3));
    const tokens = Int32Array.from({ length: 5000 }, (_, i) => i % numeric.subColumns(spec, 'x')[0]!.cardinality);
    const drawn = numeric.decodeNumbers(spec, [tokens], createRng(4));
    expect(drawn.every((x) => x === null || Number.isFinite(x))).toBe(true);
  }, 120_000);
});
