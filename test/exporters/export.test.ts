import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sheetsToCsv } from '../helpers/libreoffice';
import { openLocalOutput } from '../../src/data/destinations/local-output';
import { exportDataset, type ExportFormat } from '../../src/data/exporters/export-dataset';
import { openSource } from '../../src/data/sources/connector';
import type { Row } from '../../src/shared/values';
import { customers, writeFixture } from './fixture';

const dir = mkdtempSync(join(tmpdir(), 'doppel-export-'));
const output = join(dir, 'output.sqlite');
let expected: { customers: Row[]; orders: Row[] };
const tables = ['customers', 'orders'] as const;

beforeAll(async () => {
  expected = await writeFixture(output);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Extracts a zip next to it; returns the folder. */
function unzipTo(zip: string, folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  const entries = unzipSync(readFileSync(zip));
  for (const [name, bytes] of Object.entries(entries)) writeFileSync(join(folder, name), bytes);
  return Object.keys(entries).sort();
}

/** Reads every table of a file or folder through the project's own file sources. */
async function readOwn(path: string): Promise<Record<string, Row[]>> {
  const src = await openSource({ kind: 'files', path });
  try {
    const meta = await src.introspect();
    const out: Record<string, Row[]> = {};
    for (const t of meta.tables) {
      const rows: Row[] = [];
      for await (const b of src.readTable(t.name)) rows.push(...b.rows);
      out[t.name] = rows;
    }
    return out;
  } finally {
    await src.close();
  }
}

/** Reads a file with DuckDB (an independent CSV/Parquet implementation), values as plain JS. */
async function readDuck(sql: string): Promise<unknown[][]> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const r = await conn.runAndReadAll(sql);
    return r.getRowsJS().map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v instanceof Date ? new Date(v.getTime()) : v)));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe('downloads round-trip through our readers and an independent one', () => {
  it.each(['csv', 'tsv'] as const)('%s: one file per table in a zip; same values through our reader and DuckDB', async (format) => {
    const zip = join(dir, `all-${format}.zip`);
    const res = await exportDataset(output, [...tables], format, zip);
    expect(res.container).toBe('zip');
    const folder = join(dir, `unzipped-${format}`);
    expect(unzipTo(zip, folder)).toEqual([`customers.${format}`, `orders.${format}`]);
    const own = await readOwn(folder);
    expect(own.customers).toEqual(expected.customers);
    expect(own.orders).toEqual(expected.orders);
    const delim = format === 'csv' ? ',' : '\\t';
    for (const t of tables) {
      const duck = await readDuck(`select * from read_csv('${join(folder, `${t}.${format}`)}', delim='${delim}', header=true)`);
      expect(duck).toEqual(expected[t]);
    }
  });

  it('parquet: typed columns (ints, doubles, booleans, dates, timestamps, nulls) read back the same by hyparquet and DuckDB', async () => {
    const zip = join(dir, 'all-parquet.zip');
    await exportDataset(output, [...tables], 'parquet', zip);
    const folder = join(dir, 'unzipped-parquet');
    expect(unzipTo(zip, folder)).toEqual(['customers.parquet', 'orders.parquet']);
    const own = await readOwn(folder);
    expect(own.customers).toEqual(expected.customers);
    expect(own.orders).toEqual(expected.orders);
    for (const t of tables) expect(await readDuck(`select * from '${join(folder, `${t}.parquet`)}'`)).toEqual(expected[t]);
    const types = await readDuck(`select column_name, column_type from (describe select * from '${join(folder, 'orders.parquet')}')`);
    expect(types).toEqual([
      ['order_id', 'BIGINT'],
      ['customer_id', 'BIGINT'],
      ['amount', 'DOUBLE'],
      ['placed_at', 'TIMESTAMP'],
    ]);
  });

  it('a single table is a bare file', async () => {
    const out = join(dir, 'orders-only.parquet');
    const res = await exportDataset(output, ['orders'], 'parquet', out);
    expect(res.container).toBe('file');
    expect(await readDuck(`select count(*), count(amount) from '${out}'`)).toEqual([[150, expected.orders.filter((r) => r[2] !== null).length]]);
  });

  it('xlsx and ods: one sheet per table; our reader and LibreOffice read the same values', async () => {
    const books: string[] = [];
    for (const format of ['xlsx', 'ods'] as const) {
      const out = join(dir, `book-${format}.${format}`);
      const res = await exportDataset(output, [...tables], format, out);
      expect(res.container).toBe('file');
      const own = await readOwn(out);
      expect(Object.keys(own).sort()).toEqual(['customers', 'orders']);
      expect(own.customers).toEqual(expected.customers);
      expect(own.orders).toEqual(expected.orders);
      books.push(out);
    }

    // LibreOffice (one run for both books) converts every sheet to its own CSV (the -1 sheet option), which our CSV reader then types.
    const conv = join(dir, 'soffice');
    sheetsToCsv(books, conv, dir);
    for (const format of ['xlsx', 'ods'] as const) {
      for (const t of tables) {
        const csv = join(conv, `book-${format}-${t}.csv`);
        expect(existsSync(csv)).toBe(true);
        const sheet = await readOwn(csv);
        const rows = Object.values(sheet)[0]!;
        // ODS booleans are boolean cells (our reader gets true/false above); LibreOffice prints
        // boolean cells without a boolean number style as 1/0 in CSV.
        const want = format === 'ods' ? expected[t].map((r) => r.map((v) => (typeof v === 'boolean' ? Number(v) : v))) : expected[t];
        expect(rows).toEqual(want);
      }
    }
  }, 180_000);
});

describe('workbook text cells', () => {
  it.each(['ods', 'xlsx'] as const)('%s keeps spaces, tabs, line breaks and markup characters in strings', async (format) => {
    const path = join(dir, `texts-${format}.sqlite`);
    const notes = { ...customers, name: 'notes', primaryKey: ['id'], columns: [customers.columns[0]!, { ...customers.columns[1]!, name: 'text' }] };
    const texts = ['  two leading', 'a  b   c', 'tab\there', 'line\nbreak', '<b>R&D</b> "q"', 'trailing ', 'plain'];
    const out = await openLocalOutput(path, [notes], []);
    await out.append('notes', { columns: ['id', 'text'], rows: texts.map((t, i) => [i + 1, t]) });
    await out.commit();
    const file = join(dir, `texts.${format}`);
    await exportDataset(path, ['notes'], format, file);
    const own = await readOwn(file);
    expect(own.notes?.map((r) => r[1])).toEqual(texts);
  });
});

describe('download safety', () => {
  it('refuses xlsx and ods above the sheet row limit, up front, suggesting CSV or Parquet, leaving no file', async () => {
    const big = join(dir, 'big.sqlite');
    const db = new Database(big);
    db.exec(
      'create table events (id integer primary key); insert into events with recursive c(x) as (select 1 union all select x + 1 from c limit 1048576) select x from c;',
    );
    db.close();
    for (const format of ['xlsx', 'ods'] as ExportFormat[]) {
      const target = join(dir, `big.${format}`);
      const err = await exportDataset(big, ['events'], format, target).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'EXPORT_LIMIT_EXCEEDED' });
      expect((err as { fix: string }).fix).toMatch(/CSV or Parquet/);
      expect((err as Error).message).toContain('"events" (1,048,576 rows)');
      expect(existsSync(target)).toBe(false);
    }
  });

  it('a canceled download leaves nothing at the target path', async () => {
    for (const format of ['csv', 'parquet', 'xlsx', 'ods'] as ExportFormat[]) {
      const target = join(dir, `canceled-${format}.zip`);
      const ac = new AbortController();
      const err = await exportDataset(output, [...tables], format, target, {
        batchSize: 10,
        signal: ac.signal,
        onProgress: (done) => {
          if (done >= 20) ac.abort();
        },
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'EXECUTION_CANCELED' });
      expect(readdirSync(dir).filter((f) => f.startsWith(`canceled-${format}`))).toEqual([]);
    }
  });

  it('names a missing table and a missing output file', async () => {
    await expect(exportDataset(output, ['nope'], 'csv', join(dir, 'x.csv'))).rejects.toMatchObject({
      code: 'TABLE_NOT_FOUND',
      message: expect.stringContaining('"nope"'),
    });
    await expect(exportDataset(join(dir, 'missing.sqlite'), ['orders'], 'csv', join(dir, 'x.csv'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});
