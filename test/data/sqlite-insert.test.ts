import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ROWS_PER_INSERT, rowsPerInsert, sqliteRowInserter } from '../../src/data/dialects/sqlite-insert';
import { sqliteValue } from '../../src/data/dialects/sqlite-values';
import type { StorageType } from '../../src/shared/metadata';
import type { CellValue, Row } from '../../src/shared/values';

const q = (n: string): string => `"${n.replace(/"/g, '""')}"`;

/** Awkward values per storage type: each row takes the next one of its column's list. */
const samples: Array<[string, StorageType, CellValue[]]> = [
  ['order.no', 'integer', []],
  ['qty', 'integer', [1, -7, null, '9007199254740993', true, '12x', 2.5]],
  ['big "id"', 'bigint', ['-9223372036854775808', 42, null, false]],
  ['ratio', 'float', [0.1, Number.NaN, Number.POSITIVE_INFINITY, -0, null, 1e300]],
  ['price', 'decimal', ['12.50', 3, null]],
  ['born', 'date', [new Date(Date.UTC(1969, 11, 31)), new Date(Date.UTC(2024, 1, 29)), null, new Date(Number.NaN), new Date(Date.UTC(-3, 2, 1)), '2020-01-01']],
  [
    'seen at',
    'datetime',
    [
      new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999)),
      new Date(Date.UTC(2024, 1, 29)),
      new Date(Date.UTC(12000, 0, 1, 4, 5, 6, 7)),
      new Date(Date.UTC(1901, 5, 15, 0, 0, 0, 1)),
      null,
    ],
  ],
  ['at', 'time', [new Date(Date.UTC(1970, 0, 1, 13, 5, 7, 9)), new Date(Date.UTC(1970, 0, 1)), null]],
  ['vip', 'boolean', [true, false, null, 1]],
  ['note', 'string', ['tab\there', 'line\nbreak', '', 'é ü', null, "it's"]],
  ['blob', 'binary', [Buffer.from([0, 1, 255]) as unknown as CellValue, null]],
];

const types = samples.map((s) => s[1]);
const columns = samples.map((s) => s[0]);
const rowAt = (k: number): Row => samples.map(([, , vs], i) => (i === 0 ? k + 1 : vs[k % vs.length]!));

function tableSql(name: string, names = columns, declared = types): string {
  return `CREATE TABLE ${q(name)} (${names.map((c, i) => `${q(c)} ${declared[i] === 'integer' && i === 0 ? 'INTEGER PRIMARY KEY' : (declared[i] ?? '').toUpperCase()}`).join(', ')})`;
}

/** Every stored cell with its SQLite storage class, in rowid order. */
function stored(db: Database.Database, table: string, names = columns): unknown[][] {
  const cells = names.map((c) => `${q(c)}, typeof(${q(c)})`).join(', ');
  return db
    .prepare(`SELECT ${cells} FROM ${q(table)} ORDER BY rowid`)
    .raw(true)
    .safeIntegers(true)
    .all() as unknown[][];
}

describe('multi-row SQLite INSERTs', () => {
  it('store every awkward value as one row per statement binding the per-cell conversion does, whatever the batch sizes', () => {
    const db = new Database(':memory:');
    db.exec(tableSql('multi'));
    db.exec(tableSql('single'));
    const insert = sqliteRowInserter(db, `INSERT INTO ${q('multi')} (${columns.map(q).join(', ')}) VALUES `, types);
    const one = db.prepare(`INSERT INTO ${q('single')} VALUES (${columns.map(() => '?').join(', ')})`);
    // Batches below, at and above the rows per statement, and many remainder sizes.
    const sizes = [0, 1, ROWS_PER_INSERT - 1, ROWS_PER_INSERT, ROWS_PER_INSERT + 1, 2 * ROWS_PER_INSERT + 37, 3, 5, 7, 11, 13, 250];
    let k = 0;
    for (const size of sizes) {
      const rows = Array.from({ length: size }, () => rowAt(k++));
      insert(rows);
      for (const r of rows) one.run(r.map((v, i) => sqliteValue(v, types[i]!)));
    }
    const multi = stored(db, 'multi');
    expect(multi).toHaveLength(k);
    expect(multi).toEqual(stored(db, 'single'));
    // What a reader of the file sees: dates as UTC text, booleans as 0/1, non-finite numbers as NULL, digit strings as integers.
    expect(multi[0]!.slice(0, 16)).toEqual([
      1n,
      'integer',
      1n,
      'integer',
      -9223372036854775808n,
      'integer',
      0.1,
      'real',
      12.5,
      'real',
      '1969-12-31',
      'text',
      '1969-12-31 23:59:59.999',
      'text',
      '13:05:07.009',
      'text',
    ]);
    expect(multi[1]!.slice(6, 8)).toEqual([null, 'null']);
    expect(multi[3]!.slice(2, 4)).toEqual([9007199254740993n, 'integer']);
    expect(multi[3]![12]).toBe('1901-06-15 00:00:00.001');
    db.close();
  });

  it('fit a table too wide for the usual rows per statement within the parameter limit', () => {
    const width = 400;
    expect(rowsPerInsert(width) * width).toBeLessThanOrEqual(32_766);
    expect(rowsPerInsert(width)).toBeLessThan(ROWS_PER_INSERT);
    const names = Array.from({ length: width }, (_, i) => `c.${i}`);
    const wideTypes = names.map((): StorageType => 'integer');
    const db = new Database(':memory:');
    db.exec(tableSql('wide', names, wideTypes));
    const insert = sqliteRowInserter(db, `INSERT INTO ${q('wide')} (${names.map(q).join(', ')}) VALUES `, wideTypes);
    insert(Array.from({ length: 250 }, (_, r) => names.map((_, i) => r * width + i)));
    expect(db.prepare(`SELECT count(*) AS n, sum(${q('c.399')}) AS s FROM ${q('wide')}`).get()).toEqual({ n: 250, s: 250 * 399 + width * ((249 * 250) / 2) });
    db.close();
  });

  it('a key repeated inside a statement fails the insert with the database message', () => {
    const db = new Database(':memory:');
    db.exec(tableSql('dup'));
    const insert = sqliteRowInserter(db, `INSERT INTO ${q('dup')} (${columns.map(q).join(', ')}) VALUES `, types);
    const rows = Array.from({ length: 150 }, (_, k) => rowAt(k));
    rows[120] = rowAt(30);
    expect(() => insert(rows)).toThrow(/UNIQUE constraint failed: dup\.order\.no/);
    db.close();
  });
});
