/**
 * ML utility, train-on-synthetic / test-on-real (TSTR): the same simple model is trained once on
 * the real training rows and once on the synthetic rows, and both are scored on the real
 * holdout. Categorical/boolean target → softmax regression (accuracy, macro-F1); numerical or
 * datetime target → ridge regression (R²). The headline is the gap real − synthetic, shown only
 * when the task is informative: the model trained on real or on synthetic data beats the
 * baseline that ignores the features (always the most frequent class: its macro-F1; or always
 * the mean: R² 0) by INFORMATIVE_MARGIN. Otherwise the report says "not informative".
 *
 * A task that cannot be scored is "not measurable", with the reason, and has no scores: the target
 * is the table's only evaluated column (nothing to predict it from), it has a single value in the
 * real training or holdout rows (one class; R² is 0/0), or no holdout row has a class seen in
 * training.
 *
 * The target is the configured one, else a column named like an outcome, else the most
 * predictable non-trivial column (strongest association with the other columns, Cramér's V on
 * the training rows); a column whose most frequent value covers 95% of the rows is trivial.
 */
import { runSteps, type Steps } from '../steps';
import type { RowBatch, SynthesisConfig } from '../../../shared';
import { categoryKey, columnIndex, continuousValues, isContinuous, isEvaluated, type ColumnSpec } from './columns';
import { fitFeaturizer } from './features';
import { cramersV } from '../report/chart-data';
import { digitize, histogramBinEdges } from './stats';
import { sharedCodes } from './columns';
import { classificationScores, predictRidge, predictSoftmax, r2Score, softmaxSteps, trainRidge } from './models';
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
  /** The headline metric of the baseline that ignores the features (majority class's macro-F1; R² 0). */
  baseline: number;
  /** False when neither model beats that baseline: the gap then says nothing (null). */
  informative: boolean;
  /** Why the task cannot be scored (the scores are then empty, the gap null, not informative); null when it was scored. */
  notMeasurable: string | null;
  rows: { train: number; synthetic: number; holdout: number };
  classes?: string[];
}

export { INFORMATIVE_MARGIN } from '../../../report/schema';
import { INFORMATIVE_MARGIN } from '../../../report/schema';

/** A column whose most frequent value covers this share of the rows is not a useful target. */
const TRIVIAL_SHARE = 0.95;

/** Names a user gives the column they predict. */
const OUTCOME_NAME =
  /^(target|label|class|outcome|result|response|y|income|churn(ed)?|default(ed)?|has_?default|fraud|is_?fraud|readmitted|survived|diagnosis|species|approved|converted|attrition)$|(^|_)(target|label|outcome)$/i;

/** Share of the most frequent non-missing value (1 when a column has at most one value). */
function majorityShare(batch: RowBatch, spec: ColumnSpec): number {
  const { a, labels } = sharedCodes(batch, batch, spec.name, spec.sdtype);
  const counts = new Float64Array(labels.length);
  let n = 0;
  for (const c of a)
    if (c > 0) {
      counts[c]!++;
      n++;
    }
  return n === 0 || labels.length <= 2 ? 1 : Math.max(...counts) / n;
}

/** Codes of a column on the training rows (numbers in 10 equal-width bins) for Cramér's V. */
function codesOf(batch: RowBatch, spec: ColumnSpec): { codes: Int32Array; size: number } {
  if (isContinuous(spec.sdtype)) {
    const v = continuousValues(batch, spec.name, spec.sdtype);
    const edges = histogramBinEdges(v);
    return { codes: digitize(v, edges), size: edges.length + 1 };
  }
  const sc = sharedCodes(batch, batch, spec.name, spec.sdtype);
  return { codes: sc.a, size: sc.labels.length };
}

/**
 * The target column: the configured one (config.report.targetColumn, when it is an evaluated
 * column), else a non-trivial column named like an outcome, else the non-trivial column most
 * associated with the others (categories first). Null when no column is worth predicting.
 */
export function chooseTarget(train: RowBatch, columns: ColumnSpec[], config?: Pick<SynthesisConfig, 'report'>): string | null {
  return chooseTargets(train, columns, config, 1)[0] ?? null;
}

/**
 * Targets for the utility score, best first: the configured one alone; else the columns named
 * like an outcome (last first), then the most predictable non-trivial columns, up to `max`
 * (several tasks show whether the synthetic data keeps more than one relationship).
 */
export function chooseTargets(train: RowBatch, columns: ColumnSpec[], config?: Pick<SynthesisConfig, 'report'>, max = 3): string[] {
  const evaluated = columns.filter((c) => isEvaluated(c.sdtype));
  const configured = config?.report.targetColumn;
  if (configured && evaluated.some((c) => c.name === configured)) return [configured];
  const rows = sampleRows(train, 5000, rng(3));
  const usable = evaluated.filter((c) => majorityShare(rows, c) < TRIVIAL_SHARE);
  const named = usable.filter((c) => OUTCOME_NAME.test(c.name)).reverse();
  if (usable.length === 0) return [];
  const codes = evaluated.map((c) => codesOf(rows, c));
  const strength = (c: ColumnSpec): number => {
    const i = evaluated.indexOf(c);
    let best = 0;
    evaluated.forEach((_, j) => {
      if (j !== i) best = Math.max(best, cramersV(codes[i]!.codes, codes[j]!.codes, codes[i]!.size, codes[j]!.size) || 0);
    });
    return best;
  };
  const ranked = usable
    .filter((c) => !named.includes(c))
    .map((c) => ({ c, s: strength(c) + (isContinuous(c.sdtype) ? 0 : 0.05) }))
    .sort((x, y) => y.s - x.s)
    .map((x) => x.c);
  return [...named, ...ranked].slice(0, max).map((c) => c.name);
}

/** Kept for callers that have no rows: the configured target, else the last categorical/boolean column, else the last numerical one. */
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

/** The finite scores only (a score of no rows, or of a degenerate model, is left out). */
function finiteScores(s: ModelScores): ModelScores {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => Number.isFinite(v)));
}

/** Whether every value is the same (true for none). */
function singleValue(v: Float64Array): boolean {
  return v.every((x) => x === v[0]);
}

/** Rows whose target is present, as a new batch. */
function withTarget(batch: RowBatch, target: string, spec: ColumnSpec): RowBatch {
  const idx = columnIndex(batch, target);
  if (idx < 0) return { columns: batch.columns, rows: [] };
  const ok = isContinuous(spec.sdtype) ? continuousValues(batch, target, spec.sdtype).map((v) => (Number.isNaN(v) ? 0 : 1)) : null;
  return { columns: batch.columns, rows: batch.rows.filter((r, i) => (ok ? ok[i] === 1 : categoryKey(r[idx], spec.sdtype) !== null)) };
}

export function evaluateUtility(input: UtilityInput): UtilityResult | null {
  return runSteps(utilitySteps(input));
}

/** evaluateUtility in steps: a yield after the features and after each model trained. */
export function* utilitySteps(input: UtilityInput): Steps<UtilityResult | null> {
  const spec = input.columns.find((c) => c.name === input.target);
  if (!spec || !isEvaluated(spec.sdtype)) return null;
  const random = rng(input.seed ?? 5);
  const maxTrain = input.maxTrainRows ?? 10_000;
  const train = sampleRows(withTarget(input.train, input.target, spec), maxTrain, random);
  const synthetic = sampleRows(withTarget(input.synthetic, input.target, spec), maxTrain, random);
  const holdout = sampleRows(withTarget(input.holdout, input.target, spec), input.maxTestRows ?? 5_000, random);
  if (train.rows.length < 10 || holdout.rows.length < 5 || synthetic.rows.length < 10) return null;
  const features = input.columns.filter((c) => c.name !== input.target && isEvaluated(c.sdtype));
  const rows = { train: train.rows.length, synthetic: synthetic.rows.length, holdout: holdout.rows.length };
  const task = isContinuous(spec.sdtype) ? ({ task: 'regression', metric: 'r2' } as const) : ({ task: 'classification', metric: 'macroF1' } as const);
  const notMeasurable = (reason: string, counted = rows): UtilityResult => ({
    target: input.target,
    ...task,
    real: {},
    synthetic: {},
    gap: null,
    baseline: 0,
    informative: false,
    notMeasurable: reason,
    rows: counted,
  });
  if (features.length === 0) return notMeasurable(`there is no other column to predict ${input.target} from`);
  yield;
  const fz = fitFeaturizer(train, features);
  const [xTrain, xSyn, xHold] = [fz.transform(train), fz.transform(synthetic), fz.transform(holdout)];
  yield;

  if (isContinuous(spec.sdtype)) {
    const yOf = (b: RowBatch): Float64Array => continuousValues(b, input.target, spec.sdtype);
    const yTrain = yOf(train);
    if (singleValue(yTrain)) return notMeasurable(`${input.target} has a single value in the real training rows`);
    if (singleValue(yOf(holdout))) return notMeasurable(`${input.target} has a single value in the real holdout rows, so R² is undefined`);
    let mean = 0;
    for (const v of yTrain) mean += v;
    mean /= yTrain.length;
    let sd = 0;
    for (const v of yTrain) sd += (v - mean) ** 2;
    sd = Math.sqrt(sd / yTrain.length) || 1;
    const norm = (y: Float64Array): Float64Array => y.map((v) => (v - mean) / sd);
    const yHold = norm(yOf(holdout));
    const real = r2Score(yHold, predictRidge(trainRidge(xTrain, norm(yTrain), fz.width), xHold, fz.width));
    yield;
    const syn = r2Score(yHold, predictRidge(trainRidge(xSyn, norm(yOf(synthetic)), fz.width), xHold, fz.width));
    const informative = Math.max(Number.isFinite(real) ? real : -Infinity, Number.isFinite(syn) ? syn : -Infinity) > INFORMATIVE_MARGIN;
    const gap = informative && Number.isFinite(real) && Number.isFinite(syn) ? real - syn : null;
    return {
      target: input.target,
      ...task,
      real: finiteScores({ r2: real }),
      synthetic: finiteScores({ r2: syn }),
      gap,
      baseline: 0,
      informative,
      notMeasurable: null,
      rows,
    };
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
  if (classes < 2) return notMeasurable(`${input.target} has a single value in the real training rows`);
  const tr = labels(train, xTrain);
  const sy = labels(synthetic, xSyn);
  const ho = labels(holdout, xHold);
  const counted = { ...rows, synthetic: sy.y.length, holdout: ho.y.length };
  if (ho.y.length === 0) return notMeasurable(`no real holdout row has a value of ${input.target} seen in training`, counted);
  const score = function* (d: { x: Float64Array; y: Int32Array }): Steps<ModelScores> {
    if (d.y.length === 0) return {};
    const model = yield* softmaxSteps(d.x, d.y, fz.width, classes, { seed: input.seed ?? 11 });
    return classificationScores(ho.y, predictSoftmax(model, ho.x), classes);
  };
  const real = finiteScores(yield* score(tr));
  const syn = finiteScores(yield* score(sy));
  const majority = counts.indexOf(Math.max(...counts));
  let hits = 0;
  for (const c of ho.y) if (c === majority) hits++;
  const r = finiteOrNull(real.macroF1);
  const s = finiteOrNull(syn.macroF1);
  // Always predicting the majority class: F1 2p/(1+p) on that class, 0 on the others.
  const share = hits / ho.y.length;
  const baseline = (2 * share) / (1 + share) / classes;
  const informative = Math.max(r ?? -Infinity, s ?? -Infinity) > baseline + INFORMATIVE_MARGIN;
  return {
    target: input.target,
    ...task,
    real,
    synthetic: syn,
    gap: informative && r !== null && s !== null ? r - s : null,
    majorityBaseline: share,
    baseline,
    informative,
    notMeasurable: null,
    rows: counted,
    classes: [...classIndex.keys()],
  };
}
