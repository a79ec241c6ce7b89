import type { ColumnMeta, StorageType } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';
import { convertText, inferSdtype, inferTextColumn, isIdLikeName } from '../introspection/infer-types';
import { normalizeCell } from './cells';
import type { FileTable } from './formats/types';
import { declaredForm, formOfNumberFormat, learnTextForm } from '../introspection/value-forms';

/** What one pass over a file table learns: typed columns, converters, row count, key candidates. */
export interface TableProfile {
  header: string[];
  columns: ColumnMeta[];
  convert: Array<(v: unknown) => CellValue>;
  rowCount: number;
  /** Columns (by name) whose values are all present and distinct over the whole table. */
  uniqueColumns: string[];
}

const MAX_KEY_TRACK = 2_000_000;

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

/** Samples the first `sampleRows` rows for types and streams the rest to count rows and check key candidates. */
export async function profileTable(table: FileTable, sampleRows: number): Promise<TableProfile> {
  const { header, rows, numberFormats } = await table.open();
  const sample: unknown[][] = [];
  const tracked = header.map((h, i) => (i === 0 || isIdLikeName(h) ? new Set<string>() : undefined));
  const unique = header.map((_, i) => tracked[i] !== undefined);
  const known = table.knownRowCount ? await table.knownRowCount() : undefined;
  let count = 0;
  for await (const r of rows) {
    if (sample.length < sampleRows) sample.push(r);
    count++;
    for (let i = 0; i < header.length; i++) {
      const set = tracked[i];
      if (!set || !unique[i]) continue;
      const v = r[i];
      if (v === null || v === undefined || v === '' || set.has(keyOf(v)) || set.size > MAX_KEY_TRACK) {
        unique[i] = false;
        tracked[i] = undefined;
      } else set.add(keyOf(v));
    }
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
  return {
    header,
    columns: inferred.map((x) => x.meta),
    convert: inferred.map((x) => x.convert),
    rowCount: known ?? count,
    uniqueColumns: header.filter((_, i) => unique[i] && count > 0),
  };
}
