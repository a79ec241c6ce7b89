/**
 * Exact matches of query rows (synthetic or holdout) with training rows on every compared
 * column: categories by their text (shared codes), numbers and dates by value, missing = missing.
 * Rows are hashed from their column codes and every hash hit is verified column by column, so
 * the counts are exact.
 */
import type { RowBatch } from '../../../shared';
import { continuousValues, isContinuous, sharedCodes, type ColumnSpec } from './columns';

interface Encoded {
  /** Per column: Int32Array codes (categorical) or Float64Array values (continuous); train side and query side. */
  train: (Int32Array | Float64Array)[];
  query: (Int32Array | Float64Array)[];
}

function encode(train: RowBatch, query: RowBatch, columns: ColumnSpec[]): Encoded {
  const out: Encoded = { train: [], query: [] };
  for (const c of columns) {
    if (isContinuous(c.sdtype)) {
      out.train.push(continuousValues(train, c.name, c.sdtype));
      out.query.push(continuousValues(query, c.name, c.sdtype));
    } else {
      const codes = sharedCodes(train, query, c.name, c.sdtype);
      out.train.push(codes.a);
      out.query.push(codes.b);
    }
  }
  return out;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashRow(cols: (Int32Array | Float64Array)[], i: number): number {
  let h = 0x811c9dc5;
  for (const col of cols) {
    let a: number;
    let b = 0;
    if (col instanceof Int32Array) a = col[i]!;
    else {
      const v = col[i]!;
      if (Number.isNaN(v)) a = 0x7ff80000;
      else {
        f64[0] = v === 0 ? 0 : v;
        a = u32[0]!;
        b = u32[1]!;
      }
    }
    h = Math.imul(h ^ a, 0x01000193);
    h = Math.imul(h ^ b, 0x01000193);
  }
  return h >>> 0;
}

function sameRow(a: (Int32Array | Float64Array)[], i: number, b: (Int32Array | Float64Array)[], j: number): boolean {
  for (let c = 0; c < a.length; c++) {
    const x = a[c]![i]!;
    const y = b[c]![j]!;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}

/** Exact-match counts of `query` rows against `train` rows (matches, and matches with a training row that occurs once). */
export function exactMatches(train: RowBatch, query: RowBatch, columns: ColumnSpec[]): { matches: number; uniqueMatches: number } {
  const e = encode(train, query, columns);
  // hash -> distinct training rows with that hash, each with its multiplicity
  const buckets = new Map<number, { row: number; count: number }[]>();
  for (let i = 0; i < train.rows.length; i++) {
    const h = hashRow(e.train, i);
    const list = buckets.get(h);
    if (!list) {
      buckets.set(h, [{ row: i, count: 1 }]);
      continue;
    }
    const same = list.find((x) => sameRow(e.train, x.row, e.train, i));
    if (same) same.count++;
    else list.push({ row: i, count: 1 });
  }
  let matches = 0;
  let uniqueMatches = 0;
  for (let j = 0; j < query.rows.length; j++) {
    const list = buckets.get(hashRow(e.query, j));
    const hit = list?.find((x) => sameRow(e.train, x.row, e.query, j));
    if (!hit) continue;
    matches++;
    if (hit.count === 1) uniqueMatches++;
  }
  return { matches, uniqueMatches };
}
