import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sheetsToCsv } from '../helpers/libreoffice';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import mysql from 'mysql2/promise';
import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } from 'hyparquet';
import { nameRules, storedNamesOf, type SynthesisConfig } from '../../src/shared';
import { exportDataset } from '../../src/data/exporters/export-dataset';
import { writeDestination } from '../../src/data/destinations/write';
import { outputTableMetas } from '../../src/data/destinations/output-tables';
import { readOutputTable } from '../../src/data/exporters/table-reader';
import { inspectSource } from '../../src/main/cli/commands/inspect';
import { doppel, tempDir } from '../cli/helpers';
import { createMysqlDatabase, createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { awkwardCsv, type CsvCorpus } from './awkward';

// Awkward names from a generated CSV through init → validate → run (into an empty PostgreSQL
// database with --to) → the five downloads (read back by csv-parse, DuckDB and LibreOffice) →
// MariaDB and SQLite destinations: every column is there under its name or its shown rename.

let dir: string;
let store: string;
let corpus: CsvCorpus;
let config: SynthesisConfig;
let output: string;
const scratch: ScratchDatabase[] = [];
const ROWS = 240;

beforeAll(async () => {
  dir = tempDir('names');
  store = path.join(dir, 'store');
  corpus = awkwardCsv(path.join(dir, 'awkward.csv'), ROWS);
});

afterAll(async () => {
  for (const s of scratch) await s.drop().catch(() => undefined);
});

const cfgFile = (): string => path.join(dir, 'config.json');

describe('awkward names through every path', () => {
  it('init names every column (empty and repeated header cells too) and its output validates', async () => {
    const init = await doppel(['init', path.join(dir, 'awkward.csv'), '-o', cfgFile()], { store });
    expect(init.code, init.stderr).toBe(0);
    config = JSON.parse(readFileSync(cfgFile(), 'utf8')) as SynthesisConfig;
    expect(Object.keys(config.tables.awkward!.columns)).toEqual(corpus.names);
    config.settings.epochs = 1;
    config.settings.preset = 'fast';
    writeFileSync(cfgFile(), JSON.stringify(config));
    const v = await doppel(['validate', cfgFile()], { store });
    expect(v.code, v.stdout).toBe(0);
  }, 120_000);

  it('runs into an empty PostgreSQL database (--to), long names renamed as the check says', async () => {
    const db = await createPgDatabase('doppel_names');
    scratch.push(db);
    const r = await doppel(['run', cfgFile(), '--to', db.url, '--json'], { store });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { outputPath: string; rows: Record<string, number> };
    output = summary.outputPath;
    expect(summary.rows.awkward).toBe(ROWS);
    const stored = storedNamesOf(corpus.names, nameRules.postgres);
    const long = corpus.names.find((n) => n.startsWith('long_name_'))!;
    expect(stored.get(long)).not.toBe(long);
    expect(r.stderr).toContain(`warn: Stored under other names (the destination cannot hold these): "awkward"."${long}" → "${stored.get(long)}"`);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const cols = (
        await c.query<{ column_name: string }>("select column_name from information_schema.columns where table_name = 'awkward' order by ordinal_position")
      ).rows.map((x) => x.column_name);
      expect(cols).toEqual(corpus.names.map((n) => stored.get(n)));
      expect((await c.query('select count(*)::int as n from awkward')).rows[0].n).toBe(ROWS);
    } finally {
      await c.end();
    }
  }, 300_000);

  it('the five downloads carry every name, read back by independent readers', async () => {
    const csv = await exportDataset(output, ['awkward'], 'csv', path.join(dir, 'out.csv'));
    const rows = parse(readFileSync(csv.path, 'utf8')) as string[][];
    expect(rows[0]).toEqual(corpus.names);
    expect(rows).toHaveLength(ROWS + 1);
    const tsv = await exportDataset(output, ['awkward'], 'tsv', path.join(dir, 'out.tsv'));
    const trows = parse(readFileSync(tsv.path, 'utf8'), { delimiter: '\t', quote: '"' }) as string[][];
    expect(trows[0]).toEqual(corpus.names);
    expect(trows).toHaveLength(ROWS + 1);

    const pq = await exportDataset(output, ['awkward'], 'parquet', path.join(dir, 'out.parquet'));
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(pq.path));
    expect(parquetSchema(meta).children.map((c) => c.element.name)).toEqual(corpus.names);
    // DuckDB reads the file too (it renames case twins on its side, as its names ignore case).
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const reader = await duck.runAndReadAll(`select * from read_parquet('${pq.path.replace(/'/g, "''")}')`);
    expect(reader.columnNames()).toHaveLength(corpus.names.length);
    expect(reader.getRows()).toHaveLength(ROWS);

    const books: string[] = [];
    for (const format of ['xlsx', 'ods'] as const)
      books.push((await exportDataset(output, ['awkward'], format, path.join(dir, `book-${format}.${format}`))).path);
    const conv = path.join(dir, 'soffice');
    sheetsToCsv(books, conv, dir, { timeoutMs: 180_000 });
    for (const format of ['xlsx', 'ods']) {
      const file = path.join(conv, `book-${format}-awkward.csv`);
      expect(existsSync(file), file).toBe(true);
      const sheet = parse(readFileSync(file, 'utf8')) as string[][];
      expect(sheet[0]).toEqual(corpus.names);
      expect(sheet).toHaveLength(ROWS + 1);
    }
  }, 300_000);

  it('MariaDB and SQLite destinations hold every column: case twins and long names renamed, none dropped', async () => {
    const { metadata } = await inspectSource(path.join(dir, 'awkward.csv'));
    const plan = { tables: outputTableMetas(config, metadata), relationships: [] };
    const read = (t: string) => readOutputTable(output, t, 1000);
    const my = await createMysqlDatabase('doppel_names');
    scratch.push(my);
    await writeDestination({ kind: 'database', target: my.spec, tableMode: 'create', batchSize: 500, parallel: 1 }, plan, read);
    const conn = await mysql.createConnection(my.url);
    try {
      const [cols] = await conn.query(
        'select column_name as c from information_schema.columns where table_schema = database() and table_name = ? order by ordinal_position',
        ['awkward'],
      );
      const stored = storedNamesOf(corpus.names, nameRules.mysql);
      expect(stored.get('Group')).toBe('Group_2');
      expect((cols as Array<{ c: string }>).map((x) => x.c)).toEqual(corpus.names.map((n) => stored.get(n)));
      const [n] = await conn.query('select count(*) as n from awkward');
      expect(Number((n as Array<{ n: number }>)[0]!.n)).toBe(ROWS);
    } finally {
      await conn.end();
    }
    const file = path.join(dir, 'dest.sqlite');
    await writeDestination({ kind: 'database', target: { kind: 'sqlite', path: file }, tableMode: 'create', batchSize: 500, parallel: 1 }, plan, read);
    const lite = new Database(file, { readonly: true });
    try {
      const stored = storedNamesOf(corpus.names, nameRules.sqlite);
      expect((lite.prepare('select name from pragma_table_info(?)').all('awkward') as Array<{ name: string }>).map((x) => x.name)).toEqual(
        corpus.names.map((n) => stored.get(n)),
      );
      expect((lite.prepare('select count(*) as n from awkward').get() as { n: number }).n).toBe(ROWS);
    } finally {
      lite.close();
    }
  }, 120_000);
});
