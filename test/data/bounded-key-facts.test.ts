import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { checkContainment } from '../../src/data/introspection/infer-keys';
import { openSource, type KeyFacts, type SourceConnector } from '../../src/data/sources/connector';
import type { Relationship } from '../../src/shared/metadata';
import type { SourceSpec } from '../../src/shared/source';
import type { CellValue } from '../../src/shared/values';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { liveHeap, peakHeapGrowth } from '../helpers/heap';

const dir = mkdtempSync(join(tmpdir(), 'doppel-key-facts-'));
const dbs: ScratchDatabase[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const d of dbs) await d.drop();
});

/** The facts as computed before: every key of the table held in a set. */
async function heldKeyFacts(src: SourceConnector, table: string, key: string[]): Promise<KeyFacts> {
  const seen = new Set<string>();
  const facts: KeyFacts = { rowCount: 0, duplicates: 0, nulls: 0 };
  for await (const b of src.readTable(table, { columns: key })) {
    for (const r of b.rows) {
      facts.rowCount++;
      if (r.some((v) => v === null)) facts.nulls++;
      else {
        const k = JSON.stringify(r.map((v) => (v instanceof Date ? v.getTime() : String(v))));
        if (seen.has(k)) facts.duplicates++;
        else seen.add(k);
      }
    }
  }
  return facts;
}

const cellKey = (v: CellValue): string => (v instanceof Date ? String(v.getTime()) : String(v));
async function columnValues(src: SourceConnector, table: string, column: string, limit?: number): Promise<CellValue[]> {
  const out: CellValue[] = [];
  for await (const b of src.readTable(table, { columns: [column], ...(limit ? { limit } : {}) })) for (const r of b.rows) out.push(r[0] ?? null);
  return out;
}
/** Containment as computed before: every parent key held in a set. */
async function heldContainment(src: SourceConnector, fk: Relationship, sampleRows = 10_000): Promise<unknown> {
  const parent = new Set((await columnValues(src, fk.parentTable, fk.parentColumns[0]!)).map(cellKey));
  const values = (await columnValues(src, fk.childTable, fk.childColumns[0]!, sampleRows)).filter((v) => v !== null);
  const missing = values.filter((v) => !parent.has(cellKey(v)));
  return { sampled: values.length, orphans: missing.length, examples: [...new Set(missing.map(cellKey))].slice(0, 5) };
}

/** Awkward stores and sales: text keys that differ by case, spaces, dots and leading zeros; repeated and empty keys; sales of stores that do not exist. */
function awkward(
  stores: number,
  sales: number,
): { stores: Array<[string | null, string]>; sales: Array<[string | null, string | null, string | null, number]> } {
  const code = (i: number): string => [`S.${i}`, `s.${i}`, `0${i}`, `${i}`, ` ${i} `, `é-${i}`][i % 6]!;
  const st: Array<[string | null, string]> = [];
  for (let i = 0; i < stores; i++) st.push([i % 997 === 5 ? null : i % 1009 === 7 ? code(i - 1) : code(i), `city ${i % 13}`]);
  const sa: Array<[string | null, string | null, string | null, number]> = [];
  for (let i = 0; i < sales; i++) {
    const line = i % 307 === 11 ? i - 1 : i;
    const store = i % 53 === 0 ? null : i % 41 === 0 ? `gone.${i % 17}` : code((i * 7) % stores);
    sa.push([i % 211 === 3 ? null : `L-${line}`, line % 5 === 0 ? null : `part.${line % 3}`, store, i]);
  }
  return { stores: st, sales: sa };
}

const csvCell = (v: string | number | null): string => (v === null ? '' : `"${String(v).replace(/"/g, '""')}"`);

async function sqliteSource(data: ReturnType<typeof awkward>): Promise<SourceSpec> {
  const path = join(dir, `awkward-${Math.random().toString(36).slice(2)}.sqlite`);
  const db = new Database(path);
  db.exec(
    'CREATE TABLE "shop.stores" ("store.code" text, city text); CREATE TABLE "sale.lines" ("line id" text, "part.no" text, "store.code" text, amount integer)',
  );
  const a = db.prepare('INSERT INTO "shop.stores" VALUES (?, ?)');
  const b = db.prepare('INSERT INTO "sale.lines" VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const r of data.stores) a.run(...r);
    for (const r of data.sales) b.run(...r);
  })();
  db.close();
  return { kind: 'sqlite', path };
}

async function pgSource(data: ReturnType<typeof awkward>): Promise<SourceSpec> {
  const db = await createPgDatabase('doppel_keyfacts');
  dbs.push(db);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(
    'CREATE TABLE "shop.stores" ("store.code" text, city text); CREATE TABLE "sale.lines" ("line id" text, "part.no" text, "store.code" text, amount integer)',
  );
  await c.query('INSERT INTO "shop.stores" SELECT * FROM unnest($1::text[], $2::text[])', [data.stores.map((r) => r[0]), data.stores.map((r) => r[1])]);
  await c.query(
    'INSERT INTO "sale.lines" SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])',
    [0, 1, 2, 3].map((k) => data.sales.map((r) => r[k])),
  );
  await c.end();
  return db.spec;
}

function csvSource(data: ReturnType<typeof awkward>): SourceSpec {
  const folder = mkdtempSync(join(dir, 'csv-'));
  writeFileSync(join(folder, 'shop.stores.csv'), ['"store.code",city', ...data.stores.map((r) => r.map(csvCell).join(','))].join('\n'));
  writeFileSync(join(folder, 'sale.lines.csv'), ['"line id","part.no","store.code",amount', ...data.sales.map((r) => r.map(csvCell).join(','))].join('\n'));
  return { kind: 'files', path: folder };
}

const names = (spec: SourceSpec): { stores: string; sales: string } =>
  spec.kind === 'files' ? { stores: 'shop_stores', sales: 'sale_lines' } : { stores: 'shop.stores', sales: 'sale.lines' };

async function expectSameFacts(spec: SourceSpec): Promise<void> {
  const src = await openSource(spec);
  try {
    const n = names(spec);
    for (const [table, key] of [
      [n.sales, ['line id']],
      [n.sales, ['line id', 'part.no']],
      [n.sales, ['store.code']],
      [n.stores, ['store.code']],
    ] as const) {
      const held = await heldKeyFacts(src, table, [...key]);
      expect(held.duplicates, `${table}(${key.join()}) has repeated keys`).toBeGreaterThan(0);
      expect(held.nulls).toBeGreaterThan(0);
      expect(await src.keyFacts(table, [...key]), `${table}(${key.join()})`).toEqual(held);
    }
    const fk: Relationship = { parentTable: n.stores, parentColumns: ['store.code'], childTable: n.sales, childColumns: ['store.code'], origin: 'user' };
    const held = await heldContainment(src, fk);
    expect(held).toMatchObject({ orphans: expect.any(Number) });
    expect((held as { orphans: number }).orphans).toBeGreaterThan(0);
    expect(await checkContainment(src, fk)).toEqual(held);
    expect(await checkContainment(src, fk, 500)).toEqual(await heldContainment(src, fk, 500));
  } finally {
    await src.close();
  }
}

describe('key facts and drawn-key containment equal the in-memory computation on awkward tables', () => {
  const small = awkward(3000, 20_000);
  it('SQLite', async () => expectSameFacts(await sqliteSource(small)));
  it('PostgreSQL', async () => expectSameFacts(await pgSource(small)));
  it('CSV files', async () => expectSameFacts(csvSource(small)));
  it('CSV files past the exact set (150,000 keys: the Bloom filter and the second pass)', async () => expectSameFacts(csvSource(awkward(90_000, 150_000))));
});

describe('a drawn key whose parent has 500,000 rows (PostgreSQL)', () => {
  it('is checked with heap growth far below holding the parent keys', async () => {
    const db = await createPgDatabase('doppel_keyfacts_big');
    dbs.push(db);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const key = (i: string): string => `'store.' || lpad(${i}::text, 9, '0') || '.' || md5(${i}::text)`;
    await c.query(`CREATE TABLE "big.parent" AS SELECT ${key('i')} AS "code.k", i % 100 AS n FROM generate_series(1, 500000) i`);
    // 20,000 children: every 10th names a store that does not exist, every 50th has no store.
    await c.query(
      `CREATE TABLE "big.child" AS SELECT i AS id, CASE WHEN i % 50 = 0 THEN NULL WHEN i % 10 = 0 THEN ${key('(i + 1000000)')} ELSE ${key('(i * 17 % 500000 + 1)')} END AS "code.k" FROM generate_series(1, 20000) i`,
    );
    await c.end();
    const src = await openSource(db.spec);
    try {
      const fk: Relationship = { parentTable: 'big.parent', parentColumns: ['code.k'], childTable: 'big.child', childColumns: ['code.k'], origin: 'user' };
      // Baseline in the same run: the heap that holding every parent key takes.
      const before = await liveHeap();
      let all: Set<string> | undefined = new Set((await columnValues(src, 'big.parent', 'code.k')).map(cellKey));
      const held = (await liveHeap()) - before;
      expect(all.size).toBe(500_000);
      all = undefined;

      const {
        result: checked,
        peak,
        samples,
      } = await peakHeapGrowth(async () => ({
        result: await checkContainment(src, fk),
        facts: await src.keyFacts('big.parent', ['code.k']),
      }));
      const { result, facts } = checked;
      console.log(
        `holding the parent keys: ${(held / 2 ** 20).toFixed(1)} MiB; live heap growth during the check: ${(peak / 2 ** 20).toFixed(2)} MiB (${samples} samples)`,
      );
      expect(samples).toBeGreaterThan(3);
      expect(result).toMatchObject({ sampled: 10_000 - 200, orphans: 1000 - 200 });
      expect(result.examples[0]).toMatch(/^store\.001000010\./);
      expect(facts).toEqual({ rowCount: 500_000, duplicates: 0, nulls: 0 });
      expect(held).toBeGreaterThan(20 * 2 ** 20);
      expect(peak).toBeLessThan(held / 5);
    } finally {
      await src.close();
    }
  }, 240_000);
});
