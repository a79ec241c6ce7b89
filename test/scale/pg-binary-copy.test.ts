import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageType, TableMeta } from '../../src/shared/metadata';
import type { CellValue, Row } from '../../src/shared/values';
import { loadPostgres } from '../../src/data/dialects/postgres-copy';
import type { DbSpec } from '../../src/data/dialects';
import { openSession, type Session } from '../../src/data/destinations/session';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';

const d = (y: number, m: number, day: number, h = 0, mi = 0, s = 0, ms = 0): Date => {
  const x = new Date(0);
  x.setUTCFullYear(y, m - 1, day);
  x.setUTCHours(h, mi, s, ms);
  return x;
};

/** Columns of every type the binary writer encodes, with awkward values of each. */
const columns: Array<{ name: string; sql: string; storage: StorageType; values: CellValue[] }> = [
  { name: 'small', sql: 'smallint', storage: 'integer', values: [null, 0, -32768, 32767, '12'] },
  { name: 'int', sql: 'integer', storage: 'integer', values: [null, 0, -12, 2147483647, -2147483648, Number.NaN] },
  { name: 'big', sql: 'bigint', storage: 'bigint', values: [null, 0, 9007199254740991, '9223372036854775807', '-9223372036854775808', -5] },
  {
    name: 'dbl',
    sql: 'double precision',
    storage: 'float',
    values: [null, 0, -0.1, 3.25, 1e-300, 1.7976931348623157e308, Number.NaN, Number.POSITIVE_INFINITY, 0.1 + 0.2, -123456789.125],
  },
  {
    name: 'num',
    sql: 'numeric',
    storage: 'decimal',
    values: [null, 0, -12, 3.25, 0.0001, 1e21, 1e-7, '12345678901234567890.000123', '-0.5', '0.00', 10000, 100000000, -0.000012345, '123.4500', Number.NaN],
  },
  { name: 'num2', sql: 'numeric(38,2)', storage: 'decimal', values: [null, 1.005, 2.5, -3.999, 0.001, '99999.995', 7] },
  {
    name: 'day',
    sql: 'date',
    storage: 'date',
    values: [null, d(2024, 2, 29), d(1950, 1, 1), d(1899, 12, 31), d(2000, 1, 1), d(12000, 1, 1), d(1969, 12, 31, 23, 59), new Date(Number.NaN), '2024-03-01'],
  },
  {
    name: 'ts',
    sql: 'timestamp(3)',
    storage: 'datetime',
    values: [
      null,
      d(2024, 2, 29, 13, 5, 7, 9),
      d(1950, 6, 1, 0, 0, 0, 1),
      d(1999, 12, 31, 23, 59, 59, 999),
      d(12000, 1, 1),
      new Date(Number.NaN),
      '2024-03-01 10:11:12.5',
    ],
  },
  { name: 'tsz', sql: 'timestamptz', storage: 'datetime', values: [null, d(2024, 2, 29, 13, 5, 7, 9), d(1901, 1, 1, 1, 2, 3), d(2038, 1, 19, 3, 14, 8)] },
  {
    name: 'tm',
    sql: 'time',
    storage: 'time',
    values: [null, d(1970, 1, 1, 13, 5, 7, 9), d(2024, 5, 5, 0, 0, 0), d(1960, 1, 1, 23, 59, 59, 999), '07:08:09.5'],
  },
  { name: 'flag', sql: 'boolean', storage: 'boolean', values: [null, true, false, 't', 0] },
  {
    name: 'txt',
    sql: 'text',
    storage: 'string',
    values: [null, '', 'tab\there', 'line\nbreak\r\n', 'back\\slash', '\\N', 'ünïcødé 🎉', `quote"'`, 3.25, true, d(2024, 2, 29, 13, 5, 7), '  padded  '],
  },
  { name: 'vc', sql: 'varchar(40)', storage: 'string', values: [null, 'plain', 'a\tb', 'ß'] },
  { name: 'ch', sql: 'char(6)', storage: 'string', values: [null, 'ab', 'abcdef'] },
  { name: 'doc', sql: 'jsonb', storage: 'json', values: [null, '{"a":[1,2,"x\\ty"],"b":null}', '[]', '"text"'] },
  { name: 'js', sql: 'json', storage: 'json', values: [null, '{"b": 1,  "a": 2}', '3'] },
];

const ROWS = Math.max(...columns.map((c) => c.values.length));
const rows: Row[] = Array.from({ length: ROWS }, (_, k) => [k, ...columns.map((c) => c.values[k % c.values.length]!)]);

function table(name: string): TableMeta {
  return {
    name,
    primaryKey: ['id'],
    rowCount: ROWS,
    columns: [
      { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
      ...columns.map((c) => ({ name: c.name, storageType: c.storage, sdtype: 'categorical' as const, nullable: true })),
    ],
  } as TableMeta;
}

async function* batches(t: TableMeta, all: Row[]): AsyncIterable<{ columns: string[]; rows: Row[] }> {
  // Two batches, so a table spans more than one binary chunk.
  const half = Math.ceil(all.length / 2);
  yield { columns: t.columns.map((c) => c.name), rows: all.slice(0, half) };
  yield { columns: t.columns.map((c) => c.name), rows: all.slice(half) };
}

describe('PostgreSQL binary COPY', () => {
  let db: ScratchDatabase;
  let s: Session;
  beforeAll(async () => {
    db = await createPgDatabase('doppel_t_binary');
    s = await openSession(db.spec as DbSpec, undefined, { create: true });
    for (const name of ['as_binary', 'as_text']) {
      await s.query(`CREATE TABLE ${name} (id integer PRIMARY KEY, ${columns.map((c) => `${c.name} ${c.sql}`).join(', ')})`);
    }
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await db?.drop();
  });

  it('stores every value of every type exactly as text COPY does', async () => {
    const opts = { batchSize: 100, onRows: () => undefined };
    await loadPostgres(s, table('as_binary'), batches(table('as_binary'), rows), opts);
    await loadPostgres(s, table('as_text'), batches(table('as_text'), rows), { ...opts, textCopy: true });
    const read = async (name: string): Promise<Array<Record<string, unknown>>> =>
      s.query(
        `SELECT id, ${columns.map((c) => `${c.name}::text AS ${c.name}, pg_column_size(${c.name}) AS ${c.name}_size`).join(', ')} FROM ${name} ORDER BY id`,
      );
    const binary = await read('as_binary');
    const text = await read('as_text');
    expect(binary).toHaveLength(ROWS);
    expect(binary).toEqual(text);
  });

  it('stores the generated values themselves', async () => {
    const [first] = await s.query(`SELECT big::text, num::text, day::text, ts::text, tsz::text, tm::text, txt, flag FROM as_binary WHERE id = 2`);
    expect(first).toEqual({
      big: '9007199254740991',
      num: '-12',
      day: '1950-01-01',
      ts: '1950-06-01 00:00:00.001',
      tsz: '1901-01-01 01:02:03+00',
      tm: '00:00:00',
      txt: 'tab\there',
      flag: false,
    });
    const [nulls] = await s.query(`SELECT count(*)::int AS n FROM as_binary WHERE id = 0 AND num IS NULL AND txt IS NULL AND day IS NULL`);
    expect(nulls?.n).toBe(1);
    const special = await s.query(`SELECT txt FROM as_binary WHERE id BETWEEN 2 AND 7 ORDER BY id`);
    expect(special.map((r) => r.txt)).toEqual(['tab\there', 'line\nbreak\r\n', 'back\\slash', '\\N', 'ünïcødé 🎉', `quote"'`]);
  });

  it('refuses a value the column cannot hold, naming the column', async () => {
    await s.query('CREATE TABLE small_only (id integer, n smallint)');
    const t = {
      name: 'small_only',
      primaryKey: [],
      rowCount: 1,
      columns: [
        { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
        { name: 'n', storageType: 'integer', sdtype: 'numerical', nullable: true },
      ],
    } as TableMeta;
    await expect(loadPostgres(s, t, batches(t, [[1, 40000]]), { batchSize: 10, onRows: () => undefined })).rejects.toThrow(/Column "n" \(smallint\)/);
  });
});
