import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type SourceSpec, type SynthesisConfig } from '../../src/shared';
import { openSource } from '../../src/data/sources/connector';
import { computeDataFacts } from '../../src/data/introspection/data-facts';
import { loadData, trainingReadRows } from '../../src/worker/jobs/load-data';
import { createMysqlDatabase, createPgDatabase, type ScratchDatabase } from '../helpers/db';

const ROWS = 20_000;
const MAX = 800;
let pgDb: ScratchDatabase;
let myDb: ScratchDatabase;
const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-sampled-'));

/** Customers with 0–4 orders each: a family structure whose sample must stay whole. */
async function fillPostgres(db: ScratchDatabase): Promise<void> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE TABLE customers (id integer PRIMARY KEY, region text NOT NULL, spend double precision)');
  await c.query(`INSERT INTO customers SELECT g, (ARRAY['north','south','east','west'])[1 + g % 4], (g % 97) * 1.5 FROM generate_series(1, ${ROWS}) g`);
  await c.query('CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), amount double precision)');
  await c.query(`INSERT INTO orders SELECT row_number() OVER (), c, k * 3.0 FROM generate_series(1, ${ROWS}) c, generate_series(1, 4) k WHERE k <= c % 5`);
  await c.end();
}

async function configFor(spec: SourceSpec, tables?: string[]): Promise<SynthesisConfig> {
  const src = await openSource(spec);
  try {
    const metadata = await src.introspect({ inferKeys: false });
    const config = defaultConfig(metadata, spec, { name: 'sampled' });
    // The tables asked for are synthesized (init would leave out one too small to learn), the rest excluded.
    if (tables) for (const t of Object.keys(config.tables)) config.tables[t]!.treatment = tables.includes(t) ? 'synthesize' : 'exclude';
    config.settings.maxTrainingRows = MAX;
    return config;
  } finally {
    await src.close();
  }
}

beforeAll(async () => {
  pgDb = await createPgDatabase('doppel_sampled');
  await fillPostgres(pgDb);
  myDb = await createMysqlDatabase('doppel_sampled');
  const m = await mysql.createConnection(myDb.url);
  await m.query('CREATE TABLE people (id int PRIMARY KEY, age int, city varchar(20))');
  const values = Array.from({ length: 5000 }, (_, i) => [i + 1, 18 + (i % 60), `c${i % 13}`]);
  await m.query('INSERT INTO people VALUES ?', [values]);
  await m.end();
  writeFileSync(path.join(dir, 'wide.csv'), ['n,label', ...Array.from({ length: 6000 }, (_, i) => `${i},${i % 2 ? 'odd' : 'even'}`)].join('\n'));
}, 120_000);

afterAll(async () => {
  await pgDb?.drop();
  await myDb?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('training samples drawn where the data is', () => {
  it('PostgreSQL: a single table reads only its sample, the same rows again for the same seed, with the source row count', async () => {
    const config = await configFor(pgDb.spec, ['customers']);
    const a = await loadData(config, {});
    const need = trainingReadRows(MAX);
    expect(a.tables.customers!.rows.length).toBe(need);
    expect(a.sourceRows.customers).toBe(ROWS);
    expect(a.fingerprint.rows.customers).toBe(ROWS);
    const ids = a.tables.customers!.rows.map((r) => Number(r[0]));
    // Random, not the first rows: the sample spans the table.
    expect(Math.max(...ids)).toBeGreaterThan(ROWS * 0.9);
    expect(Math.min(...ids)).toBeLessThan(ROWS * 0.1);
    const b = await loadData(config, {});
    expect(b.tables.customers!.rows.map((r) => Number(r[0]))).toEqual(ids);
    config.settings.seed = 7;
    const c = await loadData(config, {});
    expect(c.tables.customers!.rows.map((r) => Number(r[0]))).not.toEqual(ids);
  });

  it('PostgreSQL: without random sampling the first rows in key order are read', async () => {
    const config = await configFor(pgDb.spec, ['customers']);
    config.settings.randomSample = false;
    const a = await loadData(config, {});
    expect(a.tables.customers!.rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: trainingReadRows(MAX) }, (_, i) => i + 1));
  });

  it('PostgreSQL: a sampled customer comes with all of its orders and no other', async () => {
    const config = await configFor(pgDb.spec);
    const a = await loadData(config, {});
    const customers = a.tables.customers!;
    const orders = a.tables.orders!;
    // Twice as many orders as customers: half the customers keep the orders under the limit too.
    expect(customers.rows.length).toBe(trainingReadRows(MAX / 2));
    expect(a.sourceRows.orders).toBe(ROWS * 2);
    const kept = new Set(customers.rows.map((r) => Number(r[customers.columns.indexOf('id')])));
    const fk = orders.columns.indexOf('customer_id');
    const perCustomer = new Map<number, number>();
    for (const r of orders.rows) perCustomer.set(Number(r[fk]), (perCustomer.get(Number(r[fk])) ?? 0) + 1);
    for (const c of perCustomer.keys()) expect(kept.has(c)).toBe(true);
    // Customer c has c % 5 orders in the source: every family is whole.
    for (const c of kept) expect(perCustomer.get(c) ?? 0).toBe(c % 5);
  });

  it('MariaDB and CSV files: seeded samples of exactly the asked size', async () => {
    const my = await configFor(myDb.spec);
    const a = await loadData(my, {});
    expect(a.tables.people!.rows.length).toBe(trainingReadRows(MAX));
    expect((await loadData(my, {})).tables.people!.rows).toEqual(a.tables.people!.rows);
    const csv = await configFor({ kind: 'files', path: path.join(dir, 'wide.csv') });
    const f = await loadData(csv, {});
    expect(f.tables.wide!.rows.length).toBe(trainingReadRows(MAX));
    expect(f.sourceRows.wide).toBe(6000);
    expect(Math.max(...f.tables.wide!.rows.map((r) => Number(r[0])))).toBeGreaterThan(5000);
  });

  it('key facts come from aggregates: duplicates and empty keys of a table with a broken key', async () => {
    const c = new pg.Client({ connectionString: pgDb.url });
    await c.connect();
    await c.query('CREATE TABLE dupes (code text, n int)');
    await c.query("INSERT INTO dupes VALUES ('a', 1), ('a', 2), ('b', 3), (NULL, 4), ('c', 5), ('c', 6), ('c', 7)");
    await c.end();
    const config = await configFor(pgDb.spec, ['dupes']);
    config.tables.dupes!.primaryKey = ['code'];
    const src = await openSource(pgDb.spec);
    try {
      const facts = await computeDataFacts(src, config);
      expect(facts.tables.dupes).toEqual({ rowCount: 7, pkDuplicates: 3, pkNulls: 1 });
    } finally {
      await src.close();
    }
  });
});
