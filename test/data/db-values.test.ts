import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import Database from 'better-sqlite3';
import { openSource } from '../../src/data/sources/connector';
import type { CellValue } from '../../src/shared/values';
import { createMysqlDatabase, createPgDatabase, type ScratchDatabase } from '../helpers/db';

/** Each server gets the same logical table; values must come back the same. */
const expected: CellValue[][] = [
  [1, '9007199254740993', 12345678901234.56, 0.1, true, new Date(Date.UTC(2024, 2, 20)), new Date(Date.UTC(2024, 2, 20, 13, 45, 7)), 'é ü'],
  [2, 42, 1.5, null, false, null, null, null],
];

async function readBack(spec: Parameters<typeof openSource>[0]): Promise<{ rows: CellValue[][]; types: string[] }> {
  const src = await openSource(spec);
  try {
    const md = await src.introspect();
    const t = md.tables.find((x) => x.name === 'vals');
    const rows: CellValue[][] = [];
    for await (const b of src.readTable('vals')) rows.push(...b.rows);
    const p = await src.preview('vals', 0, 5);
    expect(p.rows).toEqual(rows);
    return { rows, types: t?.columns.map((c) => c.storageType) ?? [] };
  } finally {
    await src.close();
  }
}

const wantTypes = ['integer', 'bigint', 'decimal', 'float', 'boolean', 'date', 'datetime', 'string'];

describe('values keep their meaning across servers', () => {
  let pgDb: ScratchDatabase;
  let myDb: ScratchDatabase;
  let dir: string;
  beforeAll(async () => {
    [pgDb, myDb] = await Promise.all([createPgDatabase(), createMysqlDatabase()]);
    dir = await mkdtemp(join(tmpdir(), 'doppel-vals-'));
  });
  afterAll(async () => {
    await Promise.all([pgDb?.drop(), myDb?.drop(), rm(dir, { recursive: true, force: true })]);
  });

  it('PostgreSQL: bigint beyond 2^53 as text, numeric, boolean, date, timestamp', async () => {
    const c = new pg.Client({ connectionString: pgDb.url });
    await c.connect();
    await c.query(
      `create table vals (id integer primary key, big bigint, dec numeric(16,2), f double precision, b boolean, d date, ts timestamp, s varchar(10))`,
    );
    await c.query(
      `insert into vals values (1, 9007199254740993, 12345678901234.56, 0.1, true, '2024-03-20', '2024-03-20 13:45:07', 'é ü'), (2, 42, 1.5, null, false, null, null, null)`,
    );
    await c.end();
    const { rows, types } = await readBack(pgDb.spec);
    expect(types).toEqual(wantTypes);
    expect(rows).toEqual(expected);
  });

  it('MariaDB: tinyint(1) as boolean, decimal, datetime', async () => {
    const c = await mysql.createConnection(myDb.url);
    await c.query(
      `create table vals (id int primary key, big bigint, \`dec\` decimal(16,2), f double, b tinyint(1), d date, ts datetime, s varchar(10)) character set utf8mb4`,
    );
    await c.query(
      `insert into vals values (1, 9007199254740993, 12345678901234.56, 0.1, 1, '2024-03-20', '2024-03-20 13:45:07', 'é ü'), (2, 42, 1.5, null, 0, null, null, null)`,
    );
    await c.end();
    const { rows, types } = await readBack(myDb.spec);
    expect(types).toEqual(wantTypes);
    expect(rows).toEqual(expected);
  });

  it('SQLite: declared types drive the values', async () => {
    const path = join(dir, 'vals.sqlite');
    const db = new Database(path);
    db.exec(`create table vals (id integer primary key, big bigint, dec numeric(16,2), f real, b boolean, d date, ts datetime, s varchar(10))`);
    db.prepare(`insert into vals values (1, 9007199254740993, '12345678901234.56', 0.1, 1, '2024-03-20', '2024-03-20 13:45:07', 'é ü')`).run();
    db.prepare(`insert into vals values (2, 42, 1.5, null, 0, null, null, null)`).run();
    db.close();
    const { rows, types } = await readBack({ kind: 'sqlite', path });
    expect(types).toEqual(wantTypes);
    expect(rows).toEqual(expected);
  });
});
