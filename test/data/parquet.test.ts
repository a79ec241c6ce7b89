import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openSource } from '../../src/data/sources/connector';
import type { CellValue } from '../../src/shared/values';
import { datasetPath } from '../helpers/datasets';

interface MetaJson {
  tables: Record<string, { file: string; rows: number; columns: Record<string, string> }>;
}
const meta = JSON.parse(readFileSync(datasetPath('parquet-testing', 'meta.json'), 'utf8')) as MetaJson;

async function readAll(file: string): Promise<{ columns: string[]; rows: CellValue[][] }> {
  const src = await openSource({ kind: 'files', path: datasetPath('parquet-testing', file) });
  const md = await src.introspect();
  const name = md.tables[0]?.name ?? '';
  const rows: CellValue[][] = [];
  let columns: string[] = [];
  for await (const b of src.readTable(name, { batchSize: 1000 })) {
    columns = b.columns;
    rows.push(...b.rows);
  }
  await src.close();
  return { columns, rows };
}

describe('every parquet-testing file', () => {
  it('the folder introspects to one table per file with the right names, columns and row counts', async () => {
    const src = await openSource({ kind: 'files', path: datasetPath('parquet-testing') });
    const md = await src.introspect();
    await src.close();
    expect(md.tables.map((t) => t.name).sort()).toEqual(Object.keys(meta.tables).sort());
    for (const [name, t] of Object.entries(meta.tables)) {
      const table = md.tables.find((x) => x.name === name);
      expect(table?.rowCount, name).toBe(t.rows);
      expect(table?.columns.map((c) => c.name)).toEqual(Object.keys(t.columns));
      for (const [col, kind] of Object.entries(t.columns)) {
        const c = table?.columns.find((x) => x.name === col);
        if (kind === 'datetime' || kind === 'boolean') expect(c?.sdtype, `${name}.${col}`).toBe(kind);
      }
    }
  });

  it('reads ints, floats, strings, booleans and timestamps (snappy, dictionary)', async () => {
    for (const file of ['alltypes_plain.snappy.parquet', 'alltypes_dictionary.parquet']) {
      const { columns, rows } = await readAll(file);
      expect(rows).toHaveLength(2);
      const r = rows[1] ?? [];
      const at = (c: string): CellValue => r[columns.indexOf(c)] ?? null;
      expect(at('bool_col')).toBe(false);
      expect(at('bigint_col')).toBe(10);
      expect(at('double_col')).toBeCloseTo(10.1);
      expect(at('string_col')).toBe('1');
      expect(at('timestamp_col')).toBeInstanceOf(Date);
    }
  });

  it('reads tiny pages, nulls in pages, zstd byte-stream-split and data page v2', async () => {
    const tiny = await readAll('alltypes_tiny_pages.parquet');
    expect(tiny.rows).toHaveLength(7300);
    expect(new Set(tiny.rows.map((r) => r[0])).size).toBe(7300);
    const nulls = await readAll('int32_with_null_pages.parquet');
    expect(nulls.rows.some((r) => r[0] === null)).toBe(true);
    expect(nulls.rows.some((r) => typeof r[0] === 'number')).toBe(true);
    const zstd = await readAll('byte_stream_split.zstd.parquet');
    expect(zstd.rows.every((r) => r.every((v) => typeof v === 'number' && Number.isFinite(v)))).toBe(true);
    const v2 = await readAll('datapage_v2.snappy.parquet');
    expect(v2.rows).toHaveLength(5);
    expect(v2.rows[0]?.slice(0, 4)).toEqual(['abc', 1, 2, true]);
    expect(v2.rows[0]?.[4]).toBe('[1,2,3]');
    const bloom = await readAll('data_index_bloom_encoding_stats.parquet');
    expect(bloom.rows[0]).toEqual(['Hello']);
  });

  it('decimals as numbers, LIST columns as JSON text', async () => {
    const dec = await readAll('fixed_length_decimal.parquet');
    expect(dec.rows.map((r) => r[0])).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const lists = await readAll('list_columns.parquet');
    expect(lists.rows).toEqual([
      ['[1,2,3]', '["abc","efg","hij"]'],
      ['[null,1]', null],
      ['[4]', '["efg",null,"hij","xyz"]'],
    ]);
  });

  it('INT96: real dates decoded, the overflowed year-290000 value is null (not a wrapped date)', async () => {
    const { rows } = await readAll('int96_from_spark.parquet');
    const values = rows.map((r) => r[0] ?? null);
    expect(values[0]).toEqual(new Date('2024-01-01T20:34:56.123Z'));
    expect((values[2] as Date).getUTCFullYear()).toBe(9999);
    expect(values.filter((v) => v === null)).toHaveLength(2);
    expect(values.every((v) => v === null || (v instanceof Date && v.getUTCFullYear() >= 1970))).toBe(true);
  });

  it('preview pages through a multi-page file', async () => {
    const src = await openSource({ kind: 'files', path: datasetPath('parquet-testing', 'alltypes_tiny_pages.parquet') });
    const p = await src.preview('alltypes_tiny_pages', 7295, 10);
    expect(p.total).toBe(7300);
    expect(p.rows).toHaveLength(5);
    const all = await readAll('alltypes_tiny_pages.parquet');
    expect(p.rows).toEqual(all.rows.slice(7295));
    await src.close();
  });
});
