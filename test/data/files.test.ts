import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import * as XLSX from '@e965/xlsx';
import iconv from 'iconv-lite';
import { openSource } from '../../src/data/sources/connector';
import type { CellValue } from '../../src/shared/values';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doppel-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string, table: string): Promise<{ columns: string[]; rows: CellValue[][] }> {
  const src = await openSource({ kind: 'files', path });
  const rows: CellValue[][] = [];
  let columns: string[] = [];
  for await (const b of src.readTable(table)) {
    columns = b.columns;
    rows.push(...b.rows);
  }
  await src.close();
  return { columns, rows };
}

describe('CSV dialects', () => {
  it('semicolon delimiter, latin1 encoding, DD/MM/YYYY dates, decimal text', async () => {
    const text = 'nom;ville;né_le;montant\nAndré;Zürich;31/12/1990;12.5\nBéatrice;Genève;01/02/1985;7\n';
    const path = join(dir, 'personnes.csv');
    await writeFile(path, iconv.encode(text, 'latin1'));
    const src = await openSource({ kind: 'files', path });
    const md = await src.introspect();
    const t = md.tables[0];
    expect(t?.name).toBe('personnes');
    expect(t?.columns.map((c) => c.name)).toEqual(['nom', 'ville', 'né_le', 'montant']);
    expect(t?.columns[2]).toMatchObject({ sdtype: 'datetime', datetimeFormat: 'DD/MM/YYYY' });
    const p = await src.preview('personnes', 0, 10);
    expect(p.rows[0]).toEqual(['André', 'Zürich', new Date(Date.UTC(1990, 11, 31)), 12.5]);
    await src.close();
  });

  it('TSV, quoted fields with delimiters and newlines, gzip, booleans and numeric dates', async () => {
    const rows = ['id\tnote\tactive\tday'];
    for (let i = 1; i <= 30; i++) rows.push(`${i}\t"a\tb ""q""\nline2"\t${i % 2 ? 'yes' : 'no'}\t202403${String((i % 28) + 1).padStart(2, '0')}`);
    const path = join(dir, 'notes.tsv.gz');
    await writeFile(path, gzipSync(rows.join('\n') + '\n'));
    const src = await openSource({ kind: 'files', path });
    const md = await src.introspect();
    const t = md.tables[0];
    expect(t?.name).toBe('notes');
    expect(t?.rowCount).toBe(30);
    expect(t?.primaryKey).toEqual(['id']);
    expect(t?.columns.map((c) => c.sdtype)).toEqual(['id', 'categorical', 'boolean', 'datetime']);
    expect(t?.columns[3]?.datetimeFormat).toBe('YYYYMMDD');
    const p = await src.preview('notes', 0, 1);
    expect(p.rows[0]).toEqual([1, 'a\tb "q"\nline2', true, new Date(Date.UTC(2024, 2, 2))]);
    await src.close();
  });

  it('categorical integer codes and ZIP-like codes, free text', async () => {
    const lines = ['zip,grade,amount,comment'];
    for (let i = 0; i < 200; i++)
      lines.push(`0${1000 + (i % 50)},${(i % 4) + 1},${(i * 37.13).toFixed(2)},"This is a longer free text comment number ${i} with several words in it"`);
    const path = join(dir, 'codes.csv');
    await writeFile(path, lines.join('\r\n'));
    const src = await openSource({ kind: 'files', path });
    const t = (await src.introspect()).tables[0];
    expect(t?.columns.map((c) => [c.storageType, c.sdtype])).toEqual([
      ['string', 'categorical'],
      ['integer', 'categorical'],
      ['float', 'numerical'],
      ['string', 'text'],
    ]);
    const p = await src.preview('codes', 0, 1);
    expect(p.rows[0]?.[0]).toBe('01000');
    await src.close();
  });

  it('preview pages and a 200k-row CSV streams in batches with bounded memory', async () => {
    const path = join(dir, 'big.csv');
    const out = createWriteStream(path);
    out.write('id,category,value,when\n');
    for (let i = 0; i < 200_000; i++)
      out.write(`${i},${['a', 'b', 'c'][i % 3]},${(i * 0.5).toFixed(1)},2024-01-${String((i % 28) + 1).padStart(2, '0')} 10:00:00\n`);
    await new Promise<void>((resolve) => out.end(resolve));
    const src = await openSource({ kind: 'files', path });
    const md = await src.introspect({ sampleRows: 5000 });
    expect(md.tables[0]?.rowCount).toBe(200_000);
    expect(md.tables[0]?.primaryKey).toEqual(['id']);
    expect(md.tables[0]?.columns[3]).toMatchObject({ storageType: 'datetime', sdtype: 'datetime' });
    const page = await src.preview('big', 1000, 3);
    expect(page.rows.map((r) => r[0])).toEqual([1000, 1001, 1002]);
    expect(page.total).toBe(200_000);
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let n = 0;
    let sum = 0;
    for await (const b of src.readTable('big', { batchSize: 10_000, columns: ['id', 'value'] })) {
      expect(b.rows.length).toBeLessThanOrEqual(10_000);
      n += b.rows.length;
      for (const r of b.rows) sum += r[1] as number;
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(n).toBe(200_000);
    expect(sum).toBe((199_999 * 200_000) / 4);
    // whole file as rows would take well over 100 MB of heap
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
    let limited = 0;
    for await (const b of src.readTable('big', { limit: 25, batchSize: 10 })) limited += b.rows.length;
    expect(limited).toBe(25);
    await src.close();
  }, 60_000);
});

describe('workbooks', () => {
  it('xlsx written with exceljs: one table per sheet, typed cells read back', async () => {
    const wb = new ExcelJS.Workbook();
    const people = wb.addWorksheet('people');
    people.addRow(['person_id', 'name', 'born', 'member']);
    for (let i = 1; i <= 20; i++) people.addRow([i, `P${i}`, new Date(Date.UTC(1980, 0, i)), i % 2 === 0]);
    const orders = wb.addWorksheet('orders');
    orders.addRow(['order_id', 'person_id', 'total']);
    for (let i = 1; i <= 50; i++) orders.addRow([i, (i % 20) + 1, { formula: `${i}*2`, result: i * 2 }]);
    const path = join(dir, 'shop.xlsx');
    await wb.xlsx.writeFile(path);
    const src = await openSource({ kind: 'files', path });
    const md = await src.introspect();
    expect(md.tables.map((t) => [t.name, t.rowCount])).toEqual([
      ['people', 20],
      ['orders', 50],
    ]);
    expect(md.tables[0]?.columns.map((c) => c.storageType)).toEqual(['integer', 'string', 'date', 'boolean']);
    expect(md.relationships).toEqual([
      { parentTable: 'people', parentColumns: ['person_id'], childTable: 'orders', childColumns: ['person_id'], origin: 'inferred' },
    ]);
    const { rows } = await readAll(path, 'orders');
    expect(rows[2]).toEqual([3, 4, 6]);
    const p = await src.preview('people', 1, 1);
    expect(p.rows[0]).toEqual([2, 'P2', new Date(Date.UTC(1980, 0, 2)), true]);
    await src.close();
  });

  it('ods written with SheetJS reads back', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(
      wb,
      XLSX.utils.aoa_to_sheet([
        ['code', 'label', 'price'],
        ['A1', 'apple', 1.5],
        ['B2', 'pear', 2],
      ]),
      'fruits',
    );
    const path = join(dir, 'fruits.ods');
    await writeFile(path, XLSX.write(wb, { bookType: 'ods', type: 'buffer' }) as Buffer);
    const { columns, rows } = await readAll(path, 'fruits');
    expect(columns).toEqual(['code', 'label', 'price']);
    expect(rows).toEqual([
      ['A1', 'apple', 1.5],
      ['B2', 'pear', 2],
    ]);
  });
});
