import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type SourceSpec } from '../../src/shared';
import { QUANTILE_POINTS, discreteOffset, wholeQuantile } from '../../src/shared/table-stats';
import { openSource } from '../../src/data/sources/connector';
import { loadData } from '../../src/worker/jobs/load-data';
import { preprocess } from '../../src/worker/engine/pipeline';
import { buildReport } from '../../src/worker/engine/report/build';
import { createMysqlDatabase, createPgDatabase, type ScratchDatabase } from '../helpers/db';

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

let db: ScratchDatabase;
let my: ScratchDatabase;
const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-quantiles-'));
const sqlite = path.join(dir, 'payments.sqlite');
const csv = path.join(dir, 'payments.csv');

beforeAll(async () => {
  const ids = amounts.map((_, i) => i + 1);
  db = await createPgDatabase('doppel_quant');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE TABLE payments (id integer PRIMARY KEY, "pay.amount" double precision)');
  await c.query('INSERT INTO payments SELECT * FROM unnest($1::int[], $2::float8[])', [ids, amounts]);
  await c.end();
  my = await createMysqlDatabase('doppel_quant');
  const m = await mysql.createConnection(my.url);
  await m.query('CREATE TABLE payments (id int PRIMARY KEY, `pay.amount` double)');
  for (let i = 0; i < ROWS; i += 5000) await m.query('INSERT INTO payments VALUES ?', [ids.slice(i, i + 5000).map((g) => [g, amounts[g - 1]])]);
  await m.end();
  const lite = new Database(sqlite);
  lite.exec('CREATE TABLE payments (id integer PRIMARY KEY, "pay.amount" real)');
  const insert = lite.prepare('INSERT INTO payments VALUES (?, ?)');
  lite.transaction(() => ids.forEach((g) => insert.run(g, amounts[g - 1])))();
  lite.close();
  writeFileSync(csv, ['id,pay.amount', ...ids.map((g) => `${g},${amounts[g - 1] ?? ''}`)].join('\n'));
  // The CSV is read by DuckDB whatever its size.
  process.env['DOPPEL_DUCKDB_MIN_BYTES'] = '0';
}, 120_000);

afterAll(async () => {
  delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
  await db?.drop();
  await my?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['PostgreSQL', (): SourceSpec => db.spec],
  ['MariaDB', (): SourceSpec => my.spec],
  ['SQLite', (): SourceSpec => ({ kind: 'sqlite', path: sqlite })],
  ['a CSV file read by DuckDB', (): SourceSpec => ({ kind: 'files', path: csv })],
])('quantiles of a sampled table taken over the whole table (%s)', (_, spec) => {
  it('equal the discrete quantiles of every row, and the report charts the real side on them', async () => {
    const src = await openSource(spec());
    const config = await src.introspect({ inferKeys: false }).then((meta) => defaultConfig(meta, spec(), { name: 'quantiles' }));
    await src.close();
    config.settings.maxTrainingRows = MAX;
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
      workspace: mkdtempSync(path.join(dir, 'ws-')),
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
