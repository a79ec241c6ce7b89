import { stat } from 'node:fs/promises';
import type { ColumnMeta, StorageType } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';
import { convertText, inferSdtype, inferTextColumn, isIdLikeName } from '../introspection/infer-types';
import { normalizeCell } from './cells';
import type { FileTable, TableEngine } from './formats/types';
import { duckdbMinBytes, engineWarning } from './formats/duckdb';
import { DistinctCheck } from './distinct-check';
import { declaredForm, formOfNumberFormat, learnTextForm } from '../introspection/value-forms';

/** What one pass over a file table learns: typed columns, converters, row count, key candidates. */
export interface TableProfile {
  header: string[];
  columns: ColumnMeta[];
  convert: Array<(v: unknown) => CellValue>;
  rowCount: number;
  /** Columns (by name) whose values are all present and distinct over the whole table. */
  uniqueColumns: string[];
  /** The engine that read the whole table (absent: the streamed pass), used again for the table's other whole-table passes. */
  engine?: TableEngine;
}

/** A cell of a column read as text: a text as written (blank: null), a date as its ISO text, another value as its text. */
export function textCell(v: unknown): CellValue {
  if (typeof v === 'string') return convertText(v, { storageType: 'string' });
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' ? normalizeCell(v, 'json') : String(v);
}

function keyOf(v: unknown): string {
  return v instanceof Date ? String(v.getTime()) : String(v);
}

function inferTyped(
  name: string,
  values: unknown[],
  hint?: { storageType: StorageType; nativeType: string; scale?: number },
  numberFormat?: string,
): { meta: ColumnMeta; convert: (v: unknown) => CellValue } {
  const present = values.filter((v) => v !== null && v !== undefined && v !== '');
  let storageType: StorageType;
  let textual = false;
  let datetimeFormat: string | undefined;
  if (hint) storageType = hint.storageType;
  else if (present.length > 0 && present.every((v) => typeof v === 'string')) {
    const t = inferTextColumn(name, present as string[]);
    storageType = t.storageType;
    datetimeFormat = t.datetimeFormat;
    textual = true;
  } else if (present.length > 0 && present.every((v) => typeof v === 'number')) {
    storageType = present.every((v) => Number.isInteger(v)) ? 'integer' : 'float';
  } else if (present.length > 0 && present.every((v) => typeof v === 'boolean')) storageType = 'boolean';
  else if (present.length > 0 && present.every((v) => v instanceof Date)) {
    storageType = present.every((v) => (v as Date).getTime() % 86_400_000 === 0) ? 'date' : 'datetime';
  } else if (present.length > 0 && present.every((v) => typeof v === 'bigint' || typeof v === 'number')) storageType = 'bigint';
  else storageType = 'string';
  const fmt = { storageType, datetimeFormat };
  const convert = textual
    ? (v: unknown): CellValue => (typeof v === 'string' ? convertText(v, fmt) : normalizeCell(v, storageType))
    : storageType === 'string'
      ? (v: unknown): CellValue =>
          v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : typeof v === 'object' ? normalizeCell(v, 'json') : String(v)
      : (v: unknown): CellValue => normalizeCell(v, storageType);
  const typed = values.map(convert);
  const meta: ColumnMeta = { name, storageType, sdtype: inferSdtype(name, storageType, typed), nullable: typed.some((v) => v === null) };
  if (hint) meta.nativeType = hint.nativeType;
  if (hint?.scale !== undefined) meta.scale = hint.scale;
  if (datetimeFormat) meta.datetimeFormat = datetimeFormat;
  const form = textual
    ? learnTextForm(storageType, present as string[], datetimeFormat)
    : (declaredForm(storageType, hint?.scale) ?? formOfNumberFormat(storageType, numberFormat));
  if (form) meta.form = form;
  return { meta, convert };
}

/**
 * Samples the first `sampleRows` rows for types, and counts the rows and checks the key
 * candidates (the first column and id-like names) over the whole table: in the table's engine
 * when it has one (a large CSV in DuckDB), else in the same streamed pass, in bounded memory.
 */
export async function profileTable(table: FileTable, sampleRows: number): Promise<TableProfile> {
  const { header, rows, numberFormats } = await table.open();
  const sample: unknown[][] = [];
  const keyColumns = header.flatMap((h, i) => (i === 0 || isIdLikeName(h) ? [i] : []));
  const known = table.knownRowCount ? await table.knownRowCount() : undefined;
  const engine = table.engine ? await table.engine(header.length) : undefined;
  let whole: { rows: number; unique: boolean[] } | undefined;
  if (engine) {
    for await (const r of rows) {
      if (sample.length >= sampleRows) break;
      sample.push(r);
    }
    whole = await engine.profile(keyColumns).catch((e: unknown) => {
      engineWarning(
        `${engine.name} could not read ${table.origin} (${e instanceof Error ? e.message : String(e)}); it is read by the streamed JavaScript pass.`,
      );
      return undefined;
    });
  }
  const used = whole ? engine : undefined;
  if (!whole) {
    sample.length = 0;
    whole = await streamedProfile(engine ? (await table.open()).rows : rows, keyColumns, sample, sampleRows);
  }
  const hints = table.storageHints ? await table.storageHints() : undefined;
  const formats = numberFormats?.();
  const inferred = header.map((h, i) =>
    inferTyped(
      h,
      sample.map((r) => r[i] ?? null),
      hints?.get(h),
      formats?.[i],
    ),
  );
  const unique = new Set(keyColumns.filter((_, j) => whole.unique[j]));
  return {
    header,
    columns: inferred.map((x) => x.meta),
    convert: inferred.map((x) => x.convert),
    rowCount: known ?? whole.rows,
    uniqueColumns: header.filter((_, i) => unique.has(i)),
    ...(used ? { engine: used } : {}),
  };
}

/** Profiles made in this process, most recently used last. */
const made = new Map<string, Promise<TableProfile>>();
const MAX_MADE = 64;

/**
 * The profile of a table of `file`, made once per process while the file is unchanged (same
 * size, modification time and inode) and read by the same engine: a file opened again — the
 * inspection, then the checks before a run, then the bench's load — is not read again.
 */
export async function fileTableProfile(file: string, table: FileTable, sampleRows: number): Promise<TableProfile> {
  const s = await stat(file);
  const key = JSON.stringify([file, table.origin, sampleRows, s.size, s.mtimeMs, s.ino, duckdbMinBytes()]);
  let p = made.get(key);
  if (p) made.delete(key);
  else {
    p = profileTable(table, sampleRows);
    p.catch(() => made.delete(key));
  }
  made.set(key, p);
  while (made.size > MAX_MADE) made.delete(made.keys().next().value!);
  return p;
}

/** Rows and key uniqueness in one streamed pass, the first rows kept in `sample`. */
async function streamedProfile(
  rows: AsyncIterable<unknown[]>,
  keyColumns: number[],
  sample: unknown[][],
  sampleRows: number,
): Promise<{ rows: number; unique: boolean[] }> {
  const checks = keyColumns.map(() => new DistinctCheck());
  let count = 0;
  for await (const r of rows) {
    if (sample.length < sampleRows) sample.push(r);
    count++;
    keyColumns.forEach((k, j) => {
      const check = checks[j]!;
      if (!check.distinct) return;
      const v = r[k];
      if (v === null || v === undefined || v === '') check.distinct = false;
      else check.add(keyOf(v));
    });
  }
  return { rows: count, unique: checks.map((c) => c.distinct && count > 0) };
}
