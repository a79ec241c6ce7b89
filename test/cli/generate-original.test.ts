import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionRecord, SourceRecord, SynthesisConfig, SynthesisRecord } from '../../src/shared';
import { createServices, type Services } from '../../src/main/services/index';
import { dispatch } from '../../src/main/host/dispatch';
import { sqliteTable, tempDir } from './helpers';

const dir = tempDir('generate-original');
let services: Services;
type Reply<T> = { ok: boolean; data?: T; error?: { code: string; message: string; fix?: string } };
const call = <T>(channel: string, input: unknown): Promise<Reply<T>> => dispatch(services.backend, channel, input) as Promise<Reply<T>>;

beforeAll(() => {
  services = createServices({ storeDir: path.join(dir, 'store') });
});
afterAll(async () => {
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

const REGIONS = [
  ['N', 'North', 'ana.north@realmail.example', '2019-03-01', 1],
  ['S', 'South', 'ben.south@realmail.example', '2020-11-15', 3],
  ['E', 'East', 'cai.east@realmail.example', '2018-07-30', 4],
  ['W', 'West', 'dee.west@realmail.example', '2021-01-04', 5],
  ['C', 'Central', null, '2022-05-20', 6],
];

const STORES = [
  [1, 'N', 'Harbour Street'],
  [2, 'N', 'Mill Lane'],
  [3, 'S', 'Station Road'],
  [4, 'E', 'Market Square'],
  [5, 'W', 'Quay Side'],
  [6, 'C', 'High Street'],
];

/**
 * A shop: 700 orders (synthesized, single-table) beside its regions and stores, two lookups kept
 * as original data (copied as they are): a store references its region, a region its head store.
 */
function writeShop(file: string): void {
  const db = new Database(file);
  try {
    // Regions and stores reference each other: filled before the references are checked.
    db.pragma('foreign_keys = OFF');
    db.exec('CREATE TABLE regions (code TEXT PRIMARY KEY, name TEXT NOT NULL, manager TEXT, opened DATE NOT NULL, head_store INTEGER REFERENCES stores(id))');
    db.exec('CREATE TABLE stores (id INTEGER PRIMARY KEY, region TEXT NOT NULL REFERENCES regions(code), street TEXT NOT NULL)');
    db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, amount REAL NOT NULL, region TEXT NOT NULL)');
    const region = db.prepare('INSERT INTO regions VALUES (?, ?, ?, ?, ?)');
    for (const r of REGIONS) region.run(...r);
    const store = db.prepare('INSERT INTO stores VALUES (?, ?, ?)');
    for (const s of STORES) store.run(...s);
    let seed = 5;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const order = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= 700; i++) {
      const channel = next() < 0.6 ? 'web' : 'store';
      order.run(i, channel, Math.round((channel === 'web' ? 40 : 90) + 20 * next()), REGIONS[Math.floor(next() * REGIONS.length)]![0]);
    }
  } finally {
    db.close();
  }
}

async function finished(execution: ExecutionRecord): Promise<ExecutionRecord> {
  const done = await services.jobs.wait(execution.id);
  expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
  return done;
}

async function generate(id: string, rows: number, seed: number): Promise<ExecutionRecord> {
  const started = await call<ExecutionRecord>('executions.generate', { id, rows, seed });
  expect(started.ok, started.error?.message).toBe(true);
  return services.jobs.wait(started.data!.id);
}

const stepOf = (e: ExecutionRecord, step: string): string | undefined => e.steps.find((s) => s.step === step)?.status;

describe('"Generate more" with original-data tables', () => {
  it("takes the original tables from the first run's output: no source is opened, along a chain of generations", async () => {
    const file = path.join(dir, 'shop.sqlite');
    writeShop(file);
    const realRegions = sqliteTable(file, 'regions');
    const realStores = sqliteTable(file, 'stores');
    const source = (await call<SourceRecord>('sources.add', { name: 'Shop', spec: { kind: 'sqlite', path: file } })).data!;
    const config = (await call<SynthesisConfig>('syntheses.defaultConfig', { sourceId: source.id })).data!;
    config.settings.epochs = 4;
    config.tables.regions!.treatment = 'original';
    config.tables.stores!.treatment = 'original';
    config.tables.regions!.columns.manager!.sensitive = false;
    config.tables.orders!.treatment = 'synthesize';
    const synthesis = (await call<SynthesisRecord>('syntheses.save', { name: 'Shop', sourceId: source.id, config })).data!;
    const started = await call<ExecutionRecord>('executions.start', { synthesisId: synthesis.id });
    expect(started.ok, started.error?.message).toBe(true);
    const first = await finished(started.data!);
    expect(sqliteTable(first.outputPath!, 'regions')).toEqual(realRegions);
    expect(sqliteTable(first.outputPath!, 'stores')).toEqual(realStores);

    // The source is gone: generating again (and again from that generation) must not need it.
    rmSync(file);
    const second = await generate(first.id, 900, 3);
    expect(second.status, JSON.stringify(second.error)).toBe('succeeded');
    const third = await generate(second.id, 400, 4);
    expect(third.status, JSON.stringify(third.error)).toBe('succeeded');
    for (const [run, rows] of [
      [second, 900],
      [third, 400],
    ] as const) {
      expect(run.trainedBy).toBe(first.id);
      expect(stepOf(run, 'load')).toBe('skipped');
      expect(stepOf(run, 'train')).toBe('skipped');
      // The original table as it is in the source, row for row.
      expect(sqliteTable(run.outputPath!, 'regions')).toEqual(realRegions);
      expect(sqliteTable(run.outputPath!, 'stores')).toEqual(realStores);
      // The synthesized table: the asked rows, each key present once, regions as in the source.
      const orders = sqliteTable(run.outputPath!, 'orders');
      const id = orders.columns.indexOf('id');
      const region = orders.columns.indexOf('region');
      expect(orders.rows).toHaveLength(rows);
      expect(new Set(orders.rows.map((r) => r[id])).size).toBe(rows);
      expect(orders.rows.every((r) => r[id] !== null)).toBe(true);
      expect(new Set(orders.rows.map((r) => r[region]))).toEqual(new Set(REGIONS.map((r) => r[0])));
    }

    // The first run's output removed: generating again names what is missing and what to do.
    rmSync(first.outputPath!);
    const orphan = await generate(third.id, 100, 5);
    expect(orphan.status).toBe('failed');
    expect(orphan.error?.message).toContain('"regions", "stores"');
    expect(orphan.error?.message).toContain('output of the run that trained the model');
    expect(orphan.error?.message).toContain('is gone');
    expect(orphan.error?.fix).toContain('Run the synthesis again');
  }, 600_000);
});
