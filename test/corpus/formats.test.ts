import { beforeAll, describe, expect, it } from 'vitest';
import { sheetsToCsv } from '../helpers/libreoffice';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { parquetWriteFile } from 'hyparquet-writer';
import type { SynthesisConfig } from '../../src/shared';
import { exportDataset } from '../../src/data/exporters/export-dataset';
import { inspectSource } from '../../src/main/cli/commands/inspect';
import { openSource } from '../../src/data/sources/connector';
import { doppel, tempDir } from '../cli/helpers';
import { BOOLEAN_STYLES, formatsCsv, type FormatsCorpus } from './awkward';

// Values written in their source's own form, from a generated CSV through init → run → the five
// downloads, each read back by an independent reader (csv-parse, LibreOffice for xlsx/ods shown
// as the cells display, DuckDB for Parquet): boolean words, date patterns, decimals, integers and
// empty cells as the source wrote them, with every column and row.

const ROWS = 150;
let dir: string;
let store: string;
let corpus: FormatsCorpus;
let output: string;

/** What every value of a column looks like when written as the source wrote it. */
const SHAPES: Record<string, RegExp> = {
  id: /^\d+$/,
  us_date: /^(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])\/20\d\d$/,
  eu_date: /^(0[1-9]|[12]\d|3[01])\.(0[1-9]|1[0-2])\.20\d\d$/,
  loose_date: /^([1-9]|[12]\d|3[01])\/([1-9]|1[0-2])\/20\d\d$/,
  stamp: /^20\d\d-\d\d-\d\d ([01]\d|2[0-3]):[0-5]\d$/,
  instant: /^20\d\d-\d\d-\d\dT([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/,
  day: /^20\d\d-\d\d-\d\d$/,
  price: /^\d+\.\d\d$/,
  rate: /^\d+\.\d\d\d$/,
  score: /^\d+\.\d$/,
  count: /^\d+$/,
  note: /^(n1|n2|n3|)$/,
};

/** Asserts a table read back from a download: names, rows, and every value in the source's form. */
function expectSourceForm(table: string[][], what: string): void {
  expect(table[0], what).toEqual(corpus.names);
  expect(table, what).toHaveLength(ROWS + 1);
  const column = (name: string): string[] => table.slice(1).map((r) => r[corpus.names.indexOf(name)] ?? '');
  for (const [name, words] of Object.entries(BOOLEAN_STYLES)) {
    const seen = new Set(column(name));
    expect([...seen].sort(), `${what}: ${name}`).toEqual([...words].sort());
  }
  for (const [name, shape] of Object.entries(SHAPES)) {
    const bad = column(name).filter((v) => !shape.test(v));
    expect(bad.slice(0, 5), `${what}: ${name} written as the source wrote it`).toEqual([]);
  }
  // Unpadded days and months stay unpadded; empty cells stay empty.
  expect(
    column('loose_date').some((v) => /^\d\//.test(v) || /\/\d\//.test(v)),
    what,
  ).toBe(true);
  expect(column('note').filter((v) => v === '').length, `${what}: empty cells`).toBeGreaterThan(10);
}

beforeAll(() => {
  dir = tempDir('formats');
  store = path.join(dir, 'store');
  corpus = formatsCsv(path.join(dir, 'formats.csv'), ROWS);
});

describe('values in the source’s own form through every download', () => {
  it('init → run: the generated table keeps every column and row', async () => {
    const cfg = path.join(dir, 'config.json');
    const init = await doppel(['init', path.join(dir, 'formats.csv'), '-o', cfg], { store });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(cfg, 'utf8')) as SynthesisConfig;
    expect(Object.keys(config.tables.formats!.columns)).toEqual(corpus.names);
    config.settings.epochs = 1;
    config.settings.preset = 'fast';
    writeFileSync(cfg, JSON.stringify(config));
    const r = await doppel(['run', cfg, '--json'], { store });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { outputPath: string; rows: Record<string, number> };
    expect(summary.rows.formats).toBe(ROWS);
    output = summary.outputPath;
  }, 300_000);

  it('CSV and TSV write the source’s words, date patterns, decimals, integers and empty cells', async () => {
    const csv = await exportDataset(output, ['formats'], 'csv', path.join(dir, 'out.csv'));
    expectSourceForm(parse(readFileSync(csv.path, 'utf8')) as string[][], 'csv');
    const tsv = await exportDataset(output, ['formats'], 'tsv', path.join(dir, 'out.tsv'));
    expectSourceForm(parse(readFileSync(tsv.path, 'utf8'), { delimiter: '\t' }) as string[][], 'tsv');
  }, 60_000);

  it('XLSX and ODS, shown by LibreOffice, read as the source wrote its values', async () => {
    const books: string[] = [];
    for (const format of ['xlsx', 'ods'] as const)
      books.push((await exportDataset(output, ['formats'], format, path.join(dir, `book-${format}.${format}`))).path);
    const conv = path.join(dir, 'soffice');
    sheetsToCsv(books, conv, dir, { asShown: true, timeoutMs: 180_000 });
    for (const format of ['xlsx', 'ods']) {
      const file = path.join(conv, `book-${format}-formats.csv`);
      expect(existsSync(file), file).toBe(true);
      expectSourceForm(parse(readFileSync(file, 'utf8')) as string[][], format);
    }
  }, 300_000);

  it('Parquet, read by DuckDB: words as text, dates as dates (date-only stays date-only), fixed decimals, integers, nulls', async () => {
    const pq = await exportDataset(output, ['formats'], 'parquet', path.join(dir, 'out.parquet'));
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const file = `'${pq.path.replace(/'/g, "''")}'`;
    const types = await duck.runAndReadAll(`select column_name, column_type from (describe select * from read_parquet(${file}))`);
    const typeOf = Object.fromEntries(types.getRows().map((r) => [String(r[0]), String(r[1])]));
    expect(Object.keys(typeOf)).toEqual(corpus.names);
    for (const name of Object.keys(BOOLEAN_STYLES).filter((n) => n !== 'one_zero')) expect(typeOf[name], name).toBe('VARCHAR');
    expect([typeOf.us_date, typeOf.eu_date, typeOf.loose_date, typeOf.day]).toEqual(['DATE', 'DATE', 'DATE', 'DATE']);
    expect(typeOf.stamp).toMatch(/^TIMESTAMP/);
    expect([typeOf.price, typeOf.rate, typeOf.score]).toEqual(['DECIMAL(38,2)', 'DECIMAL(38,3)', 'DECIMAL(38,1)']);
    expect([typeOf.id, typeOf.count, typeOf.one_zero]).toEqual(['BIGINT', 'BIGINT', 'BIGINT']);
    const rows = (await duck.runAndReadAll(`select * from read_parquet(${file})`)).getRows();
    expect(rows).toHaveLength(ROWS);
    for (const [name, words] of Object.entries(BOOLEAN_STYLES)) {
      const i = corpus.names.indexOf(name);
      expect([...new Set(rows.map((r) => String(r[i])))].sort(), name).toEqual([...words].sort());
    }
    const text = await duck.runAndReadAll(`select price::varchar, score::varchar, count(*) filter (where note is null) over () from read_parquet(${file})`);
    for (const [price, score, empty] of text.getRows()) {
      expect(String(price)).toMatch(SHAPES.price!);
      expect(String(score)).toMatch(SHAPES.score!);
      expect(Number(empty)).toBeGreaterThan(10);
    }
  }, 60_000);
});

describe('workbook sources: the number formats of their cells are their form', () => {
  it('an XLSX (exceljs) and the ODS LibreOffice saves from it: date patterns, decimals and boolean words learned', async () => {
    const dir = tempDir('bookforms');
    const xlsx = path.join(dir, 'book.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('forms');
    ws.addRow(['when', 'amount', 'ok', 'stamp']);
    for (let i = 0; i < 30; i++) {
      const r = ws.addRow([new Date(Date.UTC(2021, 2, 1 + i)), 1.5 + i, i % 3 ? 'Y' : 'N', new Date(Date.UTC(2021, 2, 15, 8 + (i % 9), i))]);
      r.getCell(1).numFmt = 'dd/mm/yyyy';
      r.getCell(2).numFmt = '0.00';
      r.getCell(4).numFmt = 'yyyy-mm-dd hh:mm';
    }
    await wb.xlsx.writeFile(xlsx);
    execFileSync('soffice', [`-env:UserInstallation=file://${path.join(dir, 'lo-profile')}`, '--headless', '--convert-to', 'ods', '--outdir', dir, xlsx], {
      stdio: 'ignore',
      timeout: 180_000,
    });
    for (const file of [xlsx, path.join(dir, 'book.ods')]) {
      const { metadata } = await inspectSource(file);
      const forms = Object.fromEntries(metadata.tables[0]!.columns.map((c) => [c.name, c.form]));
      expect(forms, file).toEqual({
        when: { datetimePattern: 'DD/MM/YYYY' },
        amount: { decimals: 2 },
        ok: { booleanWords: ['Y', 'N'] },
        stamp: { datetimePattern: 'YYYY-MM-DD HH:mm' },
      });
    }
  }, 200_000);
});

describe('Parquet sources with empty and repeated column names', () => {
  it('are named as in a CSV header, each column read with its own values', async () => {
    const file = path.join(tempDir('pqnames'), 'names.parquet');
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'a', data: [1, 2, 3], type: 'INT32' },
        { name: '', data: ['x', 'y', 'z'], type: 'STRING' },
        { name: 'a', data: [7, 8, 9], type: 'INT32' },
      ],
    });
    const { metadata } = await inspectSource(file);
    expect(metadata.tables[0]!.columns.map((c) => c.name)).toEqual(['a', 'column_2', 'a_2']);
    const src = await openSource({ kind: 'files', path: file });
    try {
      const rows = [];
      for await (const b of src.readTable(metadata.tables[0]!.name, {})) rows.push(...b.rows);
      expect(rows).toEqual([
        [1, 'x', 7],
        [2, 'y', 8],
        [3, 'z', 9],
      ]);
    } finally {
      await src.close();
    }
  });
});
