/**
 * ML utility, train-on-synthetic / test-on-real (TSTR): the same simple model is trained once on
 * the real training rows and once on the synthetic rows, and both are scored on the real
 * holdout. Categorical/boolean target → softmax regression (accuracy, macro-F1); numerical or
 * datetime target → ridge regression (R²). The headline is the gap real − synthetic.
 */
import type { RowBatch, SynthesisConfig } from '../../../shared';
import { categoryKey, columnIndex, continuousValues, isContinuous, isEvaluated, type ColumnSpec } from './columns';
import { fitFeaturizer } from './features';
import { classificationScores, predictRidge, predictSoftmax, r2Score, trainRidge, trainSoftmax } from './models';
import { rng, sampleRows } from './sample';

export interface UtilityInput {
  train: RowBatch;
  holdout: RowBatch;
  synthetic: RowBatch;
  columns: ColumnSpec[];
  target: string;
  /** Rows used to train each model (default 10,000) and to test (default 5,000). */
  maxTrainRows?: number;
  maxTestRows?: number;
  seed?: number;
}

export interface ModelScores {
  /** Classification. */
  accuracy?: number;
  macroF1?: number;
  /** Regression. */
  r2?: number;
}

export interface UtilityResult {
  target: string;
  task: 'classification' | 'regression';
  /** The headline metric: macro-F1 for classification, R² for regression. */
  metric: 'macroF1' | 'r2';
  real: ModelScores;
  synthetic: ModelScores;
  /** real − synthetic on the headline metric (0 = no loss of utility). */
  gap: number | null;
  /** Accuracy of always predicting the most frequent training class (classification). */
  majorityBaseline?: number;
  rows: { train: number; synthetic: number; holdout: number };
  classes?: string[];
}

/**
 * The target column: the configured one (config.report.targetColumn, when it is an evaluated
 * column) or else the last categorical/boolean column, else the last numerical one.
 */
export function defaultTarget(columns: ColumnSpec[], config?: Pick<SynthesisConfig, 'report'>): string | null {
  const configured = config?.report.targetColumn;
  if (configured && columns.some((c) => c.name === configured && isEvaluated(c.sdtype))) return configured;
  const cats = columns.filter((c) => c.sdtype === 'categorical' || c.sdtype === 'boolean');
  if (cats.length) return cats[cats.length - 1]!.name;
  const nums = columns.filter((c) => c.sdtype === 'numerical');
  return nums.length ? nums[nums.length - 1]!.name : null;
}

function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

/** Rows whose target is present, as a new batch. */
function withTarget(batch: RowBatch, target: string, spec: ColumnSpec): RowBatch {
  const idx = columnIndex(batch, target);
  if (idx < 0) return { columns: batch.columns, rows: [] };
  const ok = isContinuous(spec.sdtype) ? continuousValues(batch, target, spec.sdtype).map((v) => (Number.isNaN(v) ? 0 : 1)) : null;
  return { columns: batch.columns, rows: batch.rows.filter((r, i) => (ok ? ok[i] === 1 : categoryKey(r[idx], spec.sdtype) !== null)) };
}

export function evaluateUtility(input: UtilityInput): UtilityResult | null {
  const spec = input.columns.find((c) => c.name === input.target);
  if (!spec || !isEvaluated(spec.sdtype)) return null;
  const random = rng(input.seed ?? 5);
  const maxTrain = input.maxTrainRows ?? 10_000;
  const train = sampleRows(withTarget(input.train, input.target, spec), maxTrain, random);
  const synthetic = sampleRows(withTarget(input.synthetic, input.target, spec), maxTrain, random);
  const holdout = sampleRows(withTarget(input.holdout, input.target, spec), input.maxTestRows ?? 5_000, random);
  if (train.rows.length < 10 || holdout.rows.length < 5 || synthetic.rows.length < 10) return null;
  const features = input.columns.filter((c) => c.name !== input.target && isEvaluated(c.sdtype));
  const fz = fitFeaturizer(train, features);
  const [xTrain, xSyn, xHold] = [fz.transform(train), fz.transform(synthetic), fz.transform(holdout)];
  const rows = { train: train.rows.length, synthetic: synthetic.rows.length, holdout: holdout.rows.length };

  if (isContinuous(spec.sdtype)) {
    const yOf = (b: RowBatch): Float64Array => continuousValues(b, input.target, spec.sdtype);
    const yTrain = yOf(train);
    let mean = 0;
    for (const v of yTrain) mean += v;
    mean /= yTrain.length;
    let sd = 0;
    for (const v of yTrain) sd += (v - mean) ** 2;
    sd = Math.sqrt(sd / yTrain.length) || 1;
    const norm = (y: Float64Array): Float64Array => y.map((v) => (v - mean) / sd);
    const yHold = norm(yOf(holdout));
    const real = r2Score(yHold, predictRidge(trainRidge(xTrain, norm(yTrain), fz.width), xHold, fz.width));
    const syn = r2Score(yHold, predictRidge(trainRidge(xSyn, norm(yOf(synthetic)), fz.width), xHold, fz.width));
    const gap = Number.isFinite(real) && Number.isFinite(syn) ? real - syn : null;
    return { target: input.target, task: 'regression', metric: 'r2', real: { r2: real }, synthetic: { r2: syn }, gap, rows };
  }

  // Classes: those of the real training rows; synthetic rows of other classes are dropped.
  const tIdx = (b: RowBatch): number => columnIndex(b, input.target);
  const classIndex = new Map<string, number>();
  const counts: number[] = [];
  for (const r of train.rows) {
    const k = categoryKey(r[tIdx(train)], spec.sdtype)!;
    let c = classIndex.get(k);
    if (c === undefined) {
      c = classIndex.size;
      classIndex.set(k, c);
      counts.push(0);
    }
    counts[c]!++;
  }
  const labels = (b: RowBatch, x: Float64Array): { x: Float64Array; y: Int32Array } => {
    const idx = tIdx(b);
    const keep: number[] = [];
    const y: number[] = [];
    b.rows.forEach((r, i) => {
      const c = classIndex.get(categoryKey(r[idx], spec.sdtype)!);
      if (c !== undefined) {
        keep.push(i);
        y.push(c);
      }
    });
    if (keep.length === b.rows.length) return { x, y: Int32Array.from(y) };
    const out = new Float64Array(keep.length * fz.width);
    keep.forEach((i, j) => out.set(x.subarray(i * fz.width, (i + 1) * fz.width), j * fz.width));
    return { x: out, y: Int32Array.from(y) };
  };
  const classes = classIndex.size;
  const tr = labels(train, xTrain);
  const sy = labels(synthetic, xSyn);
  const ho = labels(holdout, xHold);
  const score = (d: { x: Float64Array; y: Int32Array }): ModelScores => {
    if (d.y.length === 0) return {};
    const model = trainSoftmax(d.x, d.y, fz.width, Math.max(classes, 2), { seed: input.seed ?? 11 });
    return classificationScores(ho.y, predictSoftmax(model, ho.x), Math.max(classes, 2));
  };
  const real = score(tr);
  const syn = score(sy);
  const majority = counts.indexOf(Math.max(...counts));
  let hits = 0;
  for (const c of ho.y) if (c === majority) hits++;
  const r = finiteOrNull(real.macroF1);
  const s = finiteOrNull(syn.macroF1);
  return {
    target: input.target,
    task: 'classification',
    metric: 'macroF1',
    real,
    synthetic: syn,
    gap: r !== null && s !== null ? r - s : null,
    majorityBaseline: ho.y.length ? hits / ho.y.length : undefined,
    rows: { ...rows, synthetic: sy.y.length, holdout: ho.y.length },
    classes: [...classIndex.keys()],
  };
}
