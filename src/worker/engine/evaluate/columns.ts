import type { CellValue, ColumnConfig, ColumnMeta, RowBatch, Sdtype, TableConfig } from '../../../shared';

/** A column as the metrics see it: its name and its semantic type (SDV's sdtypes). */
export interface ColumnSpec {
  name: string;
  sdtype: Sdtype;
}

/** The sdtypes SDMetrics evaluates; `id` and `text` columns are skipped like SDMetrics does. */
export type EvaluatedSdtype = 'numerical' | 'datetime' | 'categorical' | 'boolean';

export function isEvaluated(sdtype: Sdtype): sdtype is EvaluatedSdtype {
  return sdtype === 'numerical' || sdtype === 'datetime' || sdtype === 'categorical' || sdtype === 'boolean';
}

export function isContinuous(sdtype: Sdtype): boolean {
  return sdtype === 'numerical' || sdtype === 'datetime';
}

/**
 * The columns of a configured table the quality metrics compare: included, modelled
 * (synthesized or kept), and of an evaluated sdtype. Mocked/masked/nulled columns are left out:
 * their values are deliberately not the real distribution.
 */
export function specsFromTableConfig(table: TableConfig): ColumnSpec[] {
  const specs: ColumnSpec[] = [];
  for (const [name, col] of Object.entries(table.columns) as [string, ColumnConfig][]) {
    if (!col.included || table.primaryKey.includes(name)) continue;
    if (col.treatment !== 'synthesize' && col.treatment !== 'keep') continue;
    if (!isEvaluated(col.sdtype)) continue;
    specs.push({ name, sdtype: col.sdtype });
  }
  return specs;
}

/** Same from introspected metadata (every evaluated column). */
export function specsFromColumnMeta(columns: ColumnMeta[]): ColumnSpec[] {
  return columns.filter((c) => isEvaluated(c.sdtype)).map((c) => ({ name: c.name, sdtype: c.sdtype }));
}

/** Index of a column in a batch, or -1. */
export function columnIndex(batch: RowBatch, name: string): number {
  return batch.columns.indexOf(name);
}

const YMD = /^(\d{4})(\d{2})(\d{2})$/;
const YYMMDD = /^(\d{2})(\d{2})(\d{2})$/;

/** Milliseconds since the epoch for a datetime cell, NaN when missing or unparseable. */
export function datetimeValue(v: CellValue | undefined): number {
  if (v === null || v === undefined) return NaN;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return NaN;
  const s = v.trim();
  if (s === '') return NaN;
  const ymd = YMD.exec(s) ?? YYMMDD.exec(s);
  if (ymd) {
    const year = ymd[1]!.length === 2 ? 1900 + Number(ymd[1]) : Number(ymd[1]);
    return Date.UTC(year, Number(ymd[2]) - 1, Number(ymd[3]));
  }
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : NaN;
}

/** A numeric cell as a double, NaN when missing or not a number. */
export function numericValue(v: CellValue | undefined): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  const s = v.trim();
  if (s === '') return NaN;
  const n = Number(s);
  return Number.isFinite(n) ? n : NaN;
}

/** The column's values as doubles (numbers or datetimes), NaN for missing. */
export function continuousValues(batch: RowBatch, name: string, sdtype: Sdtype): Float64Array {
  const idx = columnIndex(batch, name);
  const out = new Float64Array(batch.rows.length);
  if (idx < 0) return out.fill(NaN);
  const conv = sdtype === 'datetime' ? datetimeValue : numericValue;
  for (let i = 0; i < batch.rows.length; i++) out[i] = conv(batch.rows[i]![idx]);
  return out;
}

const TRUE_WORDS = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'no', 'n']);

/**
 * A discrete cell as a string key, null when missing. Values are compared by their text, so the
 * number 1 from SQLite and the string "1" from a CSV are the same category; booleans are
 * normalised (true/1/"yes" -> "true").
 */
export function categoryKey(v: CellValue | undefined, sdtype: Sdtype): string | null {
  if (v === null || v === undefined) return null;
  if (sdtype === 'boolean') {
    const s = typeof v === 'string' ? v.trim().toLowerCase() : String(v instanceof Date ? v.toISOString() : v);
    if (TRUE_WORDS.has(s)) return 'true';
    if (FALSE_WORDS.has(s)) return 'false';
    return s;
  }
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/**
 * Discrete codes for one column in two batches, with one shared dictionary. Code 0 is "missing";
 * `labels[code]` is the category (labels[0] = null).
 */
export function sharedCodes(a: RowBatch, b: RowBatch, name: string, sdtype: Sdtype): SharedCodes {
  // The same pair of batches is encoded by several metrics (shapes, pairs, charts): cache it.
  let byB = codeCache.get(a);
  if (!byB) codeCache.set(a, (byB = new WeakMap()));
  let byCol = byB.get(b);
  if (!byCol) byB.set(b, (byCol = new Map()));
  const key = `${sdtype}\u0000${name}`;
  const hit = byCol.get(key);
  if (hit && hit.rowsA === a.rows.length && hit.rowsB === b.rows.length) return hit.codes;
  const codes = computeSharedCodes(a, b, name, sdtype);
  byCol.set(key, { rowsA: a.rows.length, rowsB: b.rows.length, codes });
  return codes;
}

export interface SharedCodes {
  a: Int32Array;
  b: Int32Array;
  labels: (string | null)[];
}

const codeCache = new WeakMap<RowBatch, WeakMap<RowBatch, Map<string, { rowsA: number; rowsB: number; codes: SharedCodes }>>>();

function computeSharedCodes(a: RowBatch, b: RowBatch, name: string, sdtype: Sdtype): SharedCodes {
  const dict = new Map<string, number>();
  const byNumber = new Map<number, number>();
  const plain = sdtype !== 'boolean';
  const labels: (string | null)[] = [null];
  const encode = (batch: RowBatch): Int32Array => {
    const idx = columnIndex(batch, name);
    const rows = batch.rows;
    const out = new Int32Array(rows.length);
    if (idx < 0) return out;
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![idx];
      if (v === null || v === undefined) continue;
      // Fast paths: a string is its own key; a number is looked up by value.
      let code = plain ? (typeof v === 'string' ? dict.get(v) : typeof v === 'number' ? byNumber.get(v) : undefined) : undefined;
      if (code === undefined) {
        const key = categoryKey(v, sdtype)!;
        code = dict.get(key);
        if (code === undefined) {
          code = labels.length;
          dict.set(key, code);
          labels.push(key);
        }
        if (plain && typeof v === 'number') byNumber.set(v, code);
      }
      out[i] = code;
    }
    return out;
  };
  return { a: encode(a), b: encode(b), labels };
}
