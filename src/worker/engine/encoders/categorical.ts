/**
 * Categorical encoding. Tokens: [null][rare][category 0..k-1] (null and rare only when present).
 * Privacy: categories seen fewer than `rareThreshold` times are merged into the protected
 * token at reduce time, so the model never sees them and they are never emitted as themselves.
 * Where the model draws the protected token, the output gets a usable value in its place: a
 * frequent category drawn by training frequency, or, when every category was rare, a value of
 * the column's mock generator.
 */
import type { CellValue } from '../../../shared/values';
import type { Rng } from '../rng';
import { mockValues } from '../mock/mock-values';
import type { ReduceOptions, SubColumn, Tokens } from './types';

type Scalar = string | number | boolean;

export interface CategoricalStats {
  /** key -> [representative value, count] */
  counts: Map<string, { value: Scalar; count: number }>;
  nulls: number;
  n: number;
}

export interface CategoricalSpec {
  kind: 'categorical';
  categories: Scalar[];
  hasNull: boolean;
  hasRare: boolean;
  /** Mostly text: when no category is frequent, rare values decode to mock values (else to null). */
  rareAsText: boolean;
  /** Training frequency of each kept category (used to decode rare values of non-text columns). */
  weights: number[];
  /** Date categories are emitted as Date again. */
  dates: boolean;
}

export function categoryKey(v: CellValue): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : `d:${v.toISOString()}`;
  if (typeof v === 'number' && Number.isNaN(v)) return null;
  return `${typeof v === 'string' ? 's' : typeof v === 'number' ? 'n' : 'b'}:${String(v)}`;
}

export function analyze(values: readonly CellValue[]): CategoricalStats {
  const counts = new Map<string, { value: Scalar; count: number }>();
  let nulls = 0;
  for (const v of values) {
    const key = categoryKey(v);
    if (key === null) {
      nulls++;
      continue;
    }
    const hit = counts.get(key);
    if (hit) hit.count++;
    else counts.set(key, { value: v instanceof Date ? v.toISOString() : (v as Scalar), count: 1 });
  }
  return { counts, nulls, n: values.length };
}

/**
 * Keeps the categories held by at least the threshold's rows (the most frequent `maxCategories`).
 * `table`: rows per category key over the whole source table when the training rows are a
 * sample; a category is then rare by the table's count (the sample's count when the table's is
 * unknown: a lower bound, so the protection errs on the safe side).
 */
export function reduce(stats: CategoricalStats, opts: ReduceOptions, rng: Rng, table?: ReadonlyMap<string, number>): CategoricalSpec {
  // The threshold itself is randomised a little (k .. k+2) so the cut cannot be probed exactly.
  const threshold = opts.rareThreshold <= 1 ? 1 : opts.rareThreshold + rng.int(3);
  const rows = (key: string, e: { count: number }): number => Math.max(e.count, table?.get(key) ?? 0);
  const entries = [...stats.counts.entries()].sort((a, b) => rows(...b) - rows(...a) || b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));
  const kept = entries.filter(([key, e]) => rows(key, e) >= threshold).slice(0, opts.maxCategories);
  const hasRare = kept.length < entries.length;
  let texts = 0;
  let dates = 0;
  for (const [key, e] of entries) {
    if (key.startsWith('s:')) texts += e.count;
    if (key.startsWith('d:')) dates += e.count;
  }
  const total = stats.n - stats.nulls;
  return {
    kind: 'categorical',
    categories: kept.map(([, e]) => e.value),
    hasNull: stats.nulls > 0,
    hasRare,
    rareAsText: total > 0 && texts >= total / 2,
    weights: kept.map(([, e]) => e.count),
    dates: total > 0 && dates >= total / 2,
  };
}

export function subColumns(spec: CategoricalSpec, name: string): SubColumn[] {
  return [{ name, cardinality: offset(spec) + spec.categories.length }];
}

function offset(spec: CategoricalSpec): number {
  return (spec.hasNull ? 1 : 0) + (spec.hasRare ? 1 : 0);
}

export function encode(spec: CategoricalSpec, values: readonly CellValue[]): Tokens {
  const index = new Map<string, number>();
  const off = offset(spec);
  spec.categories.forEach((c, i) => {
    index.set(categoryKey(spec.dates && typeof c === 'string' ? new Date(c) : c) ?? '', off + i);
    // Dates and their ISO string are the same category.
    if (spec.dates && typeof c === 'string') index.set(`s:${c}`, off + i);
  });
  const rare = spec.hasNull ? 1 : 0;
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const key = categoryKey(values[i] ?? null);
    if (key === null) out[i] = spec.hasNull ? 0 : spec.hasRare ? rare : off;
    else out[i] = index.get(key) ?? (spec.hasRare ? rare : off);
  }
  return [out];
}

/** Decodes tokens; `column` names the mock generator's column for a column with no frequent category. */
export function decode(spec: CategoricalSpec, tokens: Tokens, rng: Rng, column = ''): CellValue[] {
  const t = tokens[0] ?? new Int32Array(0);
  const off = offset(spec);
  const out: CellValue[] = new Array(t.length);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of spec.weights) cumulative.push((acc += w));
  const value = (c: Scalar): CellValue => (spec.dates && typeof c === 'string' ? new Date(c) : c);
  const rare: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const tok = t[i] as number;
    if (spec.hasNull && tok === 0) out[i] = null;
    else if (tok >= off && tok - off < spec.categories.length) out[i] = value(spec.categories[tok - off] as Scalar);
    else if (spec.categories.length === 0) rare.push(i);
    else {
      // A protected (rare) value: a frequent category stands in for it, drawn by frequency.
      const u = rng.next() * acc;
      let k = 0;
      while (k < cumulative.length - 1 && (cumulative[k] as number) <= u) k++;
      out[i] = value(spec.categories[k] as Scalar);
    }
  }
  if (rare.length > 0) {
    // Every category was rare: fake text from the column's mock generator, or empty for codes.
    const fakes = spec.rareAsText ? mockValues({ table: '', column, count: rare.length, seed: rng.int(2 ** 31) }) : [];
    rare.forEach((i, j) => (out[i] = fakes[j] ?? null));
  }
  return out;
}
