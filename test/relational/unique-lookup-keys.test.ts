/**
 * A primary key made of two foreign keys into small original-data tables (a stock row per colour
 * and size) stays unique over an output of several family chunks, and a destination with the
 * key as its primary key constraint takes every row.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { FAMILY_ROOTS } from '../../src/worker/engine/relational/families';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { column } from './helpers';
import { copyToPostgres, inspect, pgCount, runPipeline, tempWorkspace } from './pipeline-helpers';

const workspace = tempWorkspace('unique-lookup-keys');
const dbs: ScratchDatabase[] = [];
afterAll(async () => {
  fs.rmSync(workspace, { recursive: true, force: true });
  for (const d of dbs) await d.drop();
});

const COLORS = 20;
const SIZES = 15;

/** Colours and sizes (original data), and stock rows for 230 of their 300 pairs, keyed by the pair; the popular colours hold most rows. */
function writeSource(): string {
  const file = path.join(workspace, 'stock.sqlite');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE "ref.colors" (color_id integer primary key, name text);
    CREATE TABLE "ref.sizes" (size_id integer primary key, label text);
    CREATE TABLE "stock.items" (color_id integer not null references "ref.colors"(color_id), size_id integer not null references "ref.sizes"(size_id), qty integer, shelf text, primary key (color_id, size_id));`);
  const c = db.prepare('INSERT INTO "ref.colors" VALUES (?, ?)');
  const s = db.prepare('INSERT INTO "ref.sizes" VALUES (?, ?)');
  const i = db.prepare('INSERT INTO "stock.items" VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let k = 1; k <= COLORS; k++) c.run(k * 10, `colour.${k}`);
    for (let k = 1; k <= SIZES; k++) s.run(k, `size ${k}`);
    let n = 0;
    for (let a = 1; a <= COLORS; a++)
      for (let b = 1; b <= SIZES; b++) if ((a * 7 + b * 3) % 13 < 10 && n++ < 230) i.run(a * 10, b, (a * b) % 40, ['A.1', 'B.2', 'C.3'][(a + b) % 3]);
  })();
  db.close();
  return file;
}

describe('a primary key of two lookups into original data, generated over several family chunks', () => {
  it('repeats no key in the output, and the destination takes every row', async () => {
    const inspected = await inspect({ kind: 'sqlite', path: writeSource() });
    const config = inspected.config;
    config.tables['ref.colors']!.treatment = 'original';
    config.tables['ref.sizes']!.treatment = 'original';
    config.tables['stock.items']!.treatment = 'synthesize';
    config.tables['stock.items']!.primaryKey = ['color_id', 'size_id'];
    config.settings.epochs = 2;
    config.settings.device = 'wasm';
    const rows = Math.round(2.6 * FAMILY_ROOTS);
    const run = await runPipeline(config, path.join(workspace, 'run'), { count: rows });
    expect(run.summary.status, run.logs.join('\n')).toBe('succeeded');
    const items = run.out['stock.items']!;
    const keys = column(items, 'color_id').map((c, k) => `${String(c)}/${String(column(items, 'size_id')[k])}`);
    const repeated = keys.length - new Set(keys).size;
    console.log(`${rows} rows asked over 3 chunks: ${items.rows.length} written, ${new Set(keys).size} distinct keys, ${repeated} repeated`);
    expect(items.rows.length).toBeGreaterThan(100);
    expect(repeated).toBe(0);
    const colors = new Set(column(run.out['ref.colors']!, 'color_id').map(String));
    const sizes = new Set(column(run.out['ref.sizes']!, 'size_id').map(String));
    expect(keys.every((k) => colors.has(k.split('/')[0]!) && sizes.has(k.split('/')[1]!))).toBe(true);

    const db = await createPgDatabase('doppel_lookup_pk');
    dbs.push(db);
    const written = await copyToPostgres(run, db);
    expect(written['stock.items']).toBe(items.rows.length);
    expect(await pgCount(db, 'select count(*) as n from (select distinct color_id, size_id from "stock.items") d')).toBe(items.rows.length);
  }, 600_000);
});
