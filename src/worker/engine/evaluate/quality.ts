/**
 * SDMetrics' single-table Quality score, re-implemented with SDMetrics' definitions:
 *
 * - Column Shapes: per column KSComplement (numerical, datetime) or TVComplement (categorical,
 *   boolean), missing values dropped; the property is the mean over columns.
 * - Column Pair Trends: per pair of columns CorrelationSimilarity (Pearson, both continuous;
 *   missing values as 0; a constant column leaves the pair out) or ContingencySimilarity
 *   (otherwise; missing values are their own category). For a continuous/discrete pair the
 *   continuous column is binned into numpy's 10 equal-width histogram bins (edges computed on
 *   each side's own values, as SDMetrics does) and digitized (missing → its own bin).
 * - Quality = mean of the two properties. Columns of sdtype id/text are skipped.
 *
 * Difference: SDMetrics subsamples 50,000 rows for ContingencySimilarity on larger tables; we
 * use every row (exact and deterministic).
 *
 * Scores are in [0, 1]; a score that SDMetrics would report as NaN is `null` here and is left
 * out of the means.
 */
import { runSteps, type Steps } from '../steps';
import type { RowBatch } from '../../../shared';
import { continuousValues, isContinuous, isEvaluated, sharedCodes, type ColumnSpec } from './columns';
import { contingencySimilarity, correlationSimilarity, digitize, histogramBinEdges, ksComplement, nanMean, tvComplement } from './stats';

export interface ColumnShapeScore {
  column: string;
  sdtype: ColumnSpec['sdtype'];
  metric: 'KSComplement' | 'TVComplement';
  score: number | null;
}

export interface PairTrendScore {
  column1: string;
  column2: string;
  metric: 'CorrelationSimilarity' | 'ContingencySimilarity';
  score: number | null;
  /** Pearson correlations, for continuous pairs. */
  realCorrelation: number | null;
  syntheticCorrelation: number | null;
}

export interface QualityResult {
  /** Mean of the two properties, 0–1. */
  score: number | null;
  columnShapes: number | null;
  columnPairTrends: number | null;
  columns: ColumnShapeScore[];
  pairs: PairTrendScore[];
}

export interface QualityOptions {
  /** Skip Column Pair Trends (faster; `columnPairTrends` is null and `score` = column shapes). */
  shapesOnly?: boolean;
  /** Only these pairs (default: every pair of evaluated columns). */
  pairs?: [string, string][];
  /**
   * Bins of a continuous column in a mixed pair: 'own' (SDMetrics: each side on its own range;
   * clipping the synthetic extremes then shifts every bin) or 'real' (both sides on the real
   * range; a diagnostic, not SDMetrics' number).
   */
  pairBinning?: 'own' | 'real';
}

/** One column prepared once for all its pairs. */
interface Prepared {
  spec: ColumnSpec;
  continuous: boolean;
  /** Continuous values (NaN = missing). */
  realValues?: Float64Array;
  synValues?: Float64Array;
  /** Discrete codes: categories for discrete columns, histogram bins for continuous ones. */
  realCodes: Int32Array;
  synCodes: Int32Array;
  size: number;
}

function prepare(real: RowBatch, synthetic: RowBatch, spec: ColumnSpec, binning: 'own' | 'real'): Prepared {
  if (isContinuous(spec.sdtype)) {
    const realValues = continuousValues(real, spec.name, spec.sdtype);
    const synValues = continuousValues(synthetic, spec.name, spec.sdtype);
    const realEdges = histogramBinEdges(realValues);
    const synEdges = binning === 'real' ? realEdges : histogramBinEdges(synValues);
    return {
      spec,
      continuous: true,
      realValues,
      synValues,
      realCodes: digitize(realValues, realEdges),
      synCodes: digitize(synValues, synEdges),
      size: realEdges.length + 1,
    };
  }
  const codes = sharedCodes(real, synthetic, spec.name, spec.sdtype);
  return { spec, continuous: false, realCodes: codes.a, synCodes: codes.b, size: codes.labels.length };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function shapeScore(p: Prepared): ColumnShapeScore {
  const { name, sdtype } = p.spec;
  if (p.continuous) return { column: name, sdtype, metric: 'KSComplement', score: finite(ksComplement(p.realValues!, p.synValues!)) };
  return { column: name, sdtype, metric: 'TVComplement', score: finite(tvComplement(p.realCodes, p.synCodes, p.size)) };
}

function pairScore(a: Prepared, b: Prepared): PairTrendScore {
  const base = { column1: a.spec.name, column2: b.spec.name };
  if (a.continuous && b.continuous) {
    const r = correlationSimilarity(a.realValues!, b.realValues!, a.synValues!, b.synValues!);
    return { ...base, metric: 'CorrelationSimilarity', score: finite(r.score), realCorrelation: finite(r.real), syntheticCorrelation: finite(r.synthetic) };
  }
  const score = contingencySimilarity(a.realCodes, b.realCodes, a.synCodes, b.synCodes, a.size, b.size);
  return { ...base, metric: 'ContingencySimilarity', score: finite(score), realCorrelation: null, syntheticCorrelation: null };
}

/** Column Shapes, Column Pair Trends and Quality of a synthetic table against the real one. */
export function evaluateQuality(real: RowBatch, synthetic: RowBatch, columns: ColumnSpec[], opts: QualityOptions = {}): QualityResult {
  return runSteps(qualitySteps(real, synthetic, columns, opts));
}

/** evaluateQuality in steps: one yield per column prepared and per column's pairs. */
export function* qualitySteps(real: RowBatch, synthetic: RowBatch, columns: ColumnSpec[], opts: QualityOptions = {}): Steps<QualityResult> {
  const prepared: Prepared[] = [];
  for (const c of columns.filter((c) => isEvaluated(c.sdtype))) {
    prepared.push(prepare(real, synthetic, c, opts.pairBinning ?? 'own'));
    yield;
  }
  const byName = new Map(prepared.map((p) => [p.spec.name, p]));
  const shapes = prepared.map(shapeScore);
  const pairs: PairTrendScore[] = [];
  if (!opts.shapesOnly) {
    if (opts.pairs) {
      for (const [n1, n2] of opts.pairs) {
        const a = byName.get(n1);
        const b = byName.get(n2);
        if (a && b) pairs.push(pairScore(a, b));
        yield;
      }
    } else {
      for (let i = 0; i < prepared.length; i++) {
        for (let j = i + 1; j < prepared.length; j++) pairs.push(pairScore(prepared[i]!, prepared[j]!));
        yield;
      }
    }
  }
  const columnShapes = finite(nanMean(shapes.map((s) => s.score ?? NaN)));
  const columnPairTrends = opts.shapesOnly ? null : finite(nanMean(pairs.map((p) => p.score ?? NaN)));
  const score = finite(nanMean([columnShapes ?? NaN, columnPairTrends ?? NaN]));
  return { score, columnShapes, columnPairTrends, columns: shapes, pairs };
}

/** Worst first (lowest score; unscored last). */
export function worstFirst<T extends { score: number | null }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.score ?? Infinity) - (b.score ?? Infinity));
}
