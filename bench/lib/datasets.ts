/**
 * Loads a public test dataset (../shared/datasets/<name>) as RowBatch + column metadata, typed
 * by its meta.json (numerical -> numbers, empty -> null). A small csv-parse reader until the
 * shared connectors are used here.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { ColumnMeta, Sdtype } from '../../src/shared/metadata';
import type { CellValue, RowBatch } from '../../src/shared/values';

export const datasetsDir = process.env.DOPPEL_DATASETS ?? path.resolve(import.meta.dirname, '../../../shared/datasets');

interface MetaJson {
  tables: Record<string, { file: string; primary_key: string | null; rows: number; columns: Record<string, string> }>;
  target: string | null;
}

export interface LoadedTable {
  name: string;
  batch: RowBatch;
  columns: ColumnMeta[];
  primaryKey: string[];
  target: string | null;
}

function sdtypeOf(kind: string): Sdtype {
  return (['numerical', 'categorical', 'datetime', 'boolean', 'id', 'text'] as const).find((s) => s === kind) ?? 'categorical';
}

export function loadTable(dataset: string, table: string, limit?: number): LoadedTable {
  const dir = path.join(datasetsDir, dataset);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as MetaJson;
  const t = meta.tables[table];
  if (!t) throw new Error(`No table ${table} in ${dataset}`);
  let buf = fs.readFileSync(path.join(dir, t.file));
  if (t.file.endsWith('.gz')) buf = zlib.gunzipSync(buf);
  const records = parse(buf, { columns: false, skip_empty_lines: true, to: limit ? limit + 1 : undefined }) as string[][];
  const header = records[0] ?? [];
  const kinds = header.map((h) => sdtypeOf(t.columns[h] ?? 'categorical'));
  const rows: CellValue[][] = records.slice(1).map((r) =>
    r.map((v, i) => {
      if (v === '') return null;
      if (kinds[i] === 'numerical') {
        const x = Number(v);
        return Number.isFinite(x) ? x : v;
      }
      return v;
    }),
  );
  const columns: ColumnMeta[] = header.map((h, i) => ({
    name: h,
    storageType: kinds[i] === 'numerical' ? 'float' : 'string',
    sdtype: kinds[i] as Sdtype,
    nullable: true,
  }));
  return { name: table, batch: { columns: header, rows }, columns, primaryKey: t.primary_key ? [t.primary_key] : [], target: meta.target };
}
