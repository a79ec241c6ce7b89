/**
 * Checks that a synthetic table is neither a copy of its source nor a bag of independent
 * columns, for every test that runs the whole product (demo, jobs, relational pipelines, the app):
 *
 * - copies: synthetic rows equal, on every generated column, to a source row that is unique in
 *   the source (compared by value, whatever the representation: 1 = "1" = 1.0, a Date = its ISO
 *   text). A product that returned its training rows fails here.
 * - quality: the quality score of the synthetic rows against the source, above the score of an
 *   independent-columns sample of the same source with as many rows (drawn here, seeded). A
 *   product that only kept the column shapes fails here.
 */
import { expect } from 'vitest';
import type { SynthesisConfig } from '../../src/shared/config';
import type { Sdtype } from '../../src/shared/metadata';
import type { CellValue, Row, RowBatch } from '../../src/shared/values';
import { evaluateQuality } from '../../src/worker/engine/evaluate/quality';
// A small seeded generator (mulberry32) of the metrics, independent of the engine's generator.
import { rng as random } from '../../src/worker/engine/evaluate/sample';

export interface CheckedColumn {
  name: string;
  sdtype: Sdtype;
}

/**
 * The columns the engine generates for a table: included, treatment "synthesize", neither the
 * primary key nor a foreign key, and not an id (ids are renumbered, not learned).
 */
export function generatedColumns(config: SynthesisConfig, table: string): CheckedColumn[] {
  const tc = config.tables[table];
  if (!tc) throw new Error(`no table "${table}" in the configuration`);
  const keys = new Set(tc.primaryKey);
  for (const fk of config.foreignKeys) if (fk.childTable === table) for (const c of fk.childColumns) keys.add(c);
  return Object.entries(tc.columns)
    .filter(([name, c]) => c.included && c.treatment === 'synthesize' && !keys.has(name) && c.sdtype !== 'id')
    .map(([name, c]) => ({ name, sdtype: c.sdtype }));
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** One cell as a comparable key, the same for every representation of a value. */
export function cellKey(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '∅';
  if (v instanceof Date) return `d${v.getTime()}`;
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  if (typeof v === 'number') return Number.isFinite(v) ? `n${Number(v.toPrecision(12))}` : '∅';
  const s = String(v).trim();
  if (s === '') return '∅';
  if (/^(true|false)$/i.test(s)) return /^true$/i.test(s) ? 'b1' : 'b0';
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return `n${Number(Number(s).toPrecision(12))}`;
  if (DATE_TEXT.test(s)) {
    const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || !s.includes(':') ? s : `${s}Z`);
    if (Number.isFinite(t)) return `d${t}`;
  }
  return `s${s}`;
}

function rowKeys(batch: RowBatch, columns: readonly string[]): string[] {
  const idx = columns.map((c) => {
    const i = batch.columns.indexOf(c);
    if (i < 0) throw new Error(`column "${c}" is missing (has ${batch.columns.join(', ')})`);
    return i;
  });
  return batch.rows.map((r) => idx.map((i) => cellKey(r[i])).join('\u0001'));
}

export interface CopyCount {
  /** Source rows whose values on the compared columns occur once in the source. */
  uniqueSourceRows: number;
  /** Synthetic rows equal to one of them. */
  copies: number;
}

/** Synthetic rows equal, on `columns`, to a source row that is unique in the source. */
export function countCopies(real: RowBatch, synthetic: RowBatch, columns: readonly string[]): CopyCount {
  const counts = new Map<string, number>();
  for (const k of rowKeys(real, columns)) counts.set(k, (counts.get(k) ?? 0) + 1);
  let uniqueSourceRows = 0;
  for (const n of counts.values()) if (n === 1) uniqueSourceRows++;
  const copies = rowKeys(synthetic, columns).filter((k) => counts.get(k) === 1).length;
  return { uniqueSourceRows, copies };
}

/** `n` rows whose every column is drawn on its own from the real rows (shapes kept, pair trends lost). */
export function independentSample(real: RowBatch, n: number, seed: number): RowBatch {
  const next = random(seed);
  const m = real.rows.length;
  const rows: Row[] = Array.from({ length: n }, () => real.columns.map((_, j) => real.rows[Math.floor(next() * m)]![j] ?? null));
  return { columns: [...real.columns], rows };
}

const EVALUATED = new Set<Sdtype>(['numerical', 'datetime', 'categorical', 'boolean']);

export interface QualityComparison {
  synthetic: number;
  independent: number;
}

/**
 * Categorical columns with more values than this are left out of the dependent pairs: most of
 * their categories are rare, which the product deliberately never emits (rare-category
 * protection), while an independent sample of real values keeps them.
 */
const MAX_CATEGORIES = 20;

function distinct(batch: RowBatch, column: string): number {
  const i = batch.columns.indexOf(column);
  return new Set(batch.rows.map((r) => cellKey(r[i]))).size;
}

/**
 * Quality of the synthetic rows and of an independent-columns sample of the source (same size,
 * seeded), on the same columns. With `dependentPairs`, only the pairs of columns that depend on
 * each other most (the ones the independent sample keeps worst; numbers, dates and categories of
 * up to MAX_CATEGORIES values) and their columns are scored: what a model must learn beyond the
 * columns' shapes.
 */
export function qualityAgainstIndependent(
  real: RowBatch,
  synthetic: RowBatch,
  columns: readonly CheckedColumn[],
  opts: { dependentPairs?: number; seed?: number } = {},
): QualityComparison & { pairs: [string, string][] } {
  let specs = columns.filter((c) => EVALUATED.has(c.sdtype));
  if (specs.length < 2) throw new Error(`quality needs two evaluated columns (has ${specs.map((c) => c.name).join(', ') || 'none'})`);
  const independent = independentSample(real, synthetic.rows.length, opts.seed ?? 7);
  let pairs: [string, string][] | undefined;
  if (opts.dependentPairs !== undefined) {
    const candidates = specs.filter((c) => c.sdtype === 'numerical' || c.sdtype === 'datetime' || distinct(real, c.name) <= MAX_CATEGORIES);
    const kept = evaluateQuality(real, independent, candidates).pairs.filter((p) => p.score !== null);
    kept.sort((a, b) => a.score! - b.score!);
    pairs = kept.slice(0, opts.dependentPairs).map((p) => [p.column1, p.column2]);
    const used = new Set(pairs.flat());
    specs = specs.filter((c) => used.has(c.name));
  }
  const score = (b: RowBatch): number => {
    const q = evaluateQuality(real, b, specs, pairs ? { pairs } : {}).score;
    if (q === null) throw new Error('no quality score');
    return q;
  };
  return { synthetic: score(synthetic), independent: score(independent), pairs: pairs ?? [] };
}

export interface SyntheticCheckOptions {
  /**
   * 'none' (default): 0 synthetic rows equal a unique source row. 'below-chance': fewer than an
   * independent-columns sample of the same size reproduces, for runs whose compared columns let
   * rows meet by chance (one near-unique column among low-cardinality ones) and whose training
   * rows are not known to the test.
   */
  copies?: 'none' | 'below-chance';
  /**
   * Compare the quality against independent columns: on every generated column (default), on the
   * n pairs of columns that depend on each other most ({ dependentPairs: n }), or not (false).
   */
  quality?: boolean | { dependentPairs: number };
}

/**
 * Asserts that a synthetic table is not a copy of the source on the generated columns (call it on
 * tables whose generated columns tell rows apart: on two or three low-cardinality columns equal
 * rows are chance, not copies), and that its quality beats an independent-columns sample of the
 * source. Returns the figures.
 */
export function expectSynthetic(
  label: string,
  real: RowBatch,
  synthetic: RowBatch,
  columns: readonly CheckedColumn[],
  opts: SyntheticCheckOptions = {},
): CopyCount & Partial<QualityComparison> {
  expect(columns.length, `${label}: columns to compare`).toBeGreaterThan(0);
  expect(synthetic.rows.length, `${label}: synthetic rows`).toBeGreaterThan(0);
  const names = columns.map((c) => c.name);
  const copy = countCopies(real, synthetic, names);
  // The check means something only when the source has unique rows to copy.
  expect(copy.uniqueSourceRows, `${label}: unique source rows on ${names.join(', ')}`).toBeGreaterThan(0);
  if (opts.copies === 'below-chance') {
    const chance = countCopies(real, independentSample(real, synthetic.rows.length, 11), names).copies;
    expect(copy.copies, `${label}: synthetic rows equal to a unique source row, vs ${chance} for independent columns`).toBeLessThan(Math.max(1, chance));
  } else {
    expect(copy.copies, `${label}: synthetic rows copying a unique source row`).toBe(0);
  }
  if (opts.quality === false) return copy;
  const q = qualityAgainstIndependent(real, synthetic, columns, typeof opts.quality === 'object' ? opts.quality : {});
  const on = q.pairs.length ? ` on ${q.pairs.map((p) => p.join('×')).join(', ')}` : '';
  expect(q.synthetic, `${label}: quality${on} vs an independent-columns sample (${q.independent.toFixed(3)})`).toBeGreaterThan(q.independent);
  return { ...copy, synthetic: q.synthetic, independent: q.independent };
}
