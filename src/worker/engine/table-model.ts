/**
 * The single-table model: column plans + encoders + a generative model over the tokens.
 *
 * API (relational synthesis conditions a child table on its parent row):
 *
 *   const prepared = prepareTable(rows, { table, config, columns, settings, warn, minRows: MIN_ROWS_CHILD });
 *   // Optional context: one row per training row, row-major Float32Array (n x dim), e.g. the
 *   // parent's encoded attributes (one-hot tokens, normalised numbers, child counts...).
 *   const model = await fitTable(prepared, { context: { matrix, dim }, signal, onProgress });
 *   for await (const batch of sampleTable(model, count, { seed, context: parentMatrix, start })) { ... }
 *   disposeTable(model);
 *
 * With a context, `sampleTable` generates row i from context row i (`context` must then hold
 * `count` rows of the same width). Columns with role 'id' are regenerated (ids from
 * `start`), FK columns should be planned as 'id' by the caller and overwritten. The model
 * family is chosen automatically: the autoregressive network, or a Gaussian copula when the
 * table is tiny (and no context is given). Batches are raked to the training marginals (not
 * with a context) and pass the privacy filter (copies of rare training rows are redrawn; with a
 * context, in place). Sampling lives in table-sample.ts.
 */
import type { SynthSettings, TableConfig } from '../../shared/config';
import { columnSettings, resolveTable, type EffectiveTable } from '../../shared/effective-settings';
import { AppError } from '../../shared/errors';
import type { ColumnMeta } from '../../shared/metadata';
import { MIN_ROWS_ROOT } from '../../shared/validation';
import type { CellValue, RowBatch } from '../../shared/values';
import type { TableStats } from '../../shared/table-stats';
import { encodeValues, planColumn, subColumnsOf, type ColumnPlan } from './encoders/index';
import { fitCopula, sampleCopula, type CopulaModel } from './model/copula';
import { disposeMasks, disposeParams } from './model/network';
import { computeFor } from './model/compute';
import { currentBackend } from './backend';
import { applyMaps, BLEND_SHARES, blendQualities, chooseBlend, coarseMaps, pickRows, replicatesFor, type ModelChoice } from './model/select';
import { applyIndices, rakeWeights, resampleIndices, tokenMarginals } from './model/rake';
import { checkAborted, type TrainedNet, type TrainOptions, type TrainProgress } from './model/trainer';
import { createRng } from './rng';
import { CopyFilter } from './privacy-filter';
import { fakePool } from './mock/mock-values';
import { dpBatchSize, planPreprocessing, planSgd, spent, type DpSpent, type PreprocessingPlan } from './privacy/budget';
import { dpSpec } from './privacy/dp-encoders';

export { sampleTable, type SampleOptions } from './table-sample';

export interface PrepareOptions {
  table: string;
  config: TableConfig;
  columns: ColumnMeta[];
  settings: SynthSettings;
  warn?: (message: string) => void;
  /** Fewest rows that can be learned (default MIN_ROWS_ROOT; relational children may pass MIN_ROWS_CHILD). */
  minRows?: number;
  /** Per-project secret for consistent mocking (same real value -> same fake value); never stored in artifacts. */
  mockingKey?: string;
  /** Per-execution secret (hex) the copy filter's row hashes are keyed by; never stored in artifacts (default: a random one). */
  artifactKey?: string;
  /** The table's effective settings (default: resolved from `settings` and `config` alone). */
  effective?: EffectiveTable;
  /**
   * Statistics over every row of the source table when `rows` is a sample: rare categories are
   * decided on the table's counts. Not used under differential privacy (its guarantee covers
   * the training rows, and exact counts of the table would be outside it).
   */
  whole?: TableStats;
}

export interface PreparedTable {
  table: string;
  columns: string[];
  plans: ColumnPlan[];
  /** Indexes into plans of the modelled columns, in model order. */
  modelled: number[];
  tokens: Int32Array[];
  cards: number[];
  n: number;
  warnings: string[];
  settings: SynthSettings;
  /** What the engine applies to this table and its columns (thresholds, clipping, copy filter, DP). */
  effective: EffectiveTable;
  /** Training rows that are rare on all modelled columns (never emitted), as keyed hashes. */
  copyFilter: CopyFilter;
  /**
   * Consistent mocking (setting on + a project key): per mocked plan index, the training values
   * mapped to their fakes (`fakePool`), which synthetic rows draw from. Fakes only, no key.
   */
  mocking?: { pools: Map<number, CellValue[]> };
  /**
   * Training token marginals, when `tokens` are not at hand (a table read back from its
   * generation artifacts, whose `tokens` are empty).
   */
  marginals?: Float64Array[];
  /** Differential privacy: the histogram part of the budget and the noisy token log-frequencies. */
  dp?: { plan: PreprocessingPlan; initLogFreq: Float32Array };
  /** Per plan, the longest text the source column holds (`varchar(n)`, `char(n)`); generated texts are cut to it. */
  maxLengths?: Array<number | undefined>;
}

export function prepareTable(rows: RowBatch, opts: PrepareOptions): PreparedTable {
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    opts.warn?.(m);
  };
  const n = rows.rows.length;
  const minRows = opts.minRows ?? MIN_ROWS_ROOT;
  if (n < minRows) {
    throw new AppError(
      'DATASET_TOO_SMALL',
      `Table "${opts.table}" has ${n} training row(s); at least ${minRows} are needed to learn it (dataset too little).`,
      {
        fix: `Add rows to "${opts.table}", keep it as original data, or exclude it from the synthesis.`,
      },
    );
  }
  const rng = createRng(opts.settings.seed);
  const effective = opts.effective ?? resolveTable(opts.settings, opts.config.columns, n);
  const names = Object.entries(opts.config.columns)
    .filter(([, c]) => c.included)
    .map(([name]) => name);
  const plans: ColumnPlan[] = [];
  const valuesByPlan: CellValue[][] = [];
  const maxLengths: Array<number | undefined> = [];
  for (const name of names) {
    const cfg = opts.config.columns[name]!;
    const idx = rows.columns.indexOf(name);
    if (idx < 0)
      throw new AppError('CONFIG_INVALID', `Column "${opts.table}.${name}" is not in the loaded data.`, {
        fix: 'Re-inspect the source and update the configuration.',
      });
    const values = rows.rows.map((r) => r[idx] ?? null);
    const meta = opts.columns.find((c) => c.name === name);
    const isKey = opts.config.primaryKey.includes(name);
    const wholeTable = effective.differentialPrivacy ? undefined : opts.whole;
    const whole = wholeTable?.columns[name];
    plans.push(
      planColumn(name, values, cfg, meta, {
        table: opts.table,
        settings: columnSettings(effective, opts.settings, name, cfg),
        rng,
        warn,
        isKey,
        ...(whole && wholeTable ? { whole, wholeRows: wholeTable.rows } : {}),
      }),
    );
    valuesByPlan.push(values);
    maxLengths.push(meta?.maxLength);
  }
  const dpOn = effective.differentialPrivacy !== null;
  const dpFreq: Float64Array[] = [];
  let dpPlan: PreprocessingPlan | undefined;
  if (effective.differentialPrivacy) dpPlan = applyDp(plans, valuesByPlan, n, effective.differentialPrivacy, rng, dpFreq, warn, opts.table);
  const modelled: number[] = [];
  const tokens: Int32Array[] = [];
  const cards: number[] = [];
  plans.forEach((p, i) => {
    if (p.role !== 'model') return;
    modelled.push(i);
    const t = encodeValues(p.spec, valuesByPlan[i] as CellValue[]);
    const subs = subColumnsOf(p.spec, p.name);
    subs.forEach((s, k) => {
      tokens.push(t[k] as Int32Array);
      cards.push(s.cardinality);
    });
  });
  const privacy = opts.settings.privacy;
  const copyFilter = effective.copyFilter.enabled
    ? CopyFilter.fromColumns(
        modelled.map((i) => valuesByPlan[i] as CellValue[]),
        modelled,
        effective.copyFilter.threshold,
        opts.artifactKey,
      )
    : CopyFilter.none();
  let mocking: PreparedTable['mocking'];
  if (privacy.consistentMocking && opts.mockingKey && !dpOn) {
    const pools = new Map<number, CellValue[]>();
    const key = opts.mockingKey;
    plans.forEach((p, i) => {
      if (p.role === 'mock')
        pools.set(i, fakePool({ key, column: p.name, generator: p.generator, templates: p.templates, pool: valuesByPlan[i] as CellValue[] }));
    });
    if (pools.size > 0) mocking = { pools };
  }
  const dp = dpPlan ? { plan: dpPlan, initLogFreq: logFreqFromCounts(dpFreq, cards) } : undefined;
  return {
    table: opts.table,
    columns: names,
    plans,
    modelled,
    tokens,
    cards,
    n,
    warnings,
    settings: opts.settings,
    effective,
    copyFilter,
    mocking,
    dp,
    ...(maxLengths.some((m) => m !== undefined) ? { maxLengths } : {}),
  };
}

/**
 * Differential privacy at preprocessing: replaces every modelled column's encoder by its DP
 * version (noisy category sets, ranges and bins) and collects the noisy token counts (in plan
 * order). Mock templates (shapes of real values) are dropped.
 */
function applyDp(
  plans: ColumnPlan[],
  values: CellValue[][],
  n: number,
  dpSettings: NonNullable<EffectiveTable['differentialPrivacy']>,
  rng: ReturnType<typeof createRng>,
  freq: Float64Array[],
  warn: (m: string) => void,
  table: string,
): PreprocessingPlan {
  const kinds = { categorical: 0, numeric: 0, boolean: 0 };
  for (const p of plans) {
    if (p.role !== 'model') continue;
    if (p.spec.kind === 'categorical') kinds.categorical++;
    else if (p.spec.kind === 'boolean') kinds.boolean++;
    else kinds.numeric++;
  }
  const plan = planPreprocessing({ n, epsilon: dpSettings.epsilon, delta: dpSettings.delta, ...kinds, rareThreshold: dpSettings.rareThreshold });
  const noise = {
    sigma: plan.sigma,
    categoryThreshold: plan.categoryThreshold,
    rangeThreshold: plan.rangeThreshold,
    rng: rng.fork(),
    bins: 100,
    maxCategories: 1000,
  };
  plans.forEach((p, i) => {
    if (p.role === 'mock') {
      plans[i] = { name: p.name, role: 'mock', generator: p.generator };
      return;
    }
    if (p.role === 'keep' || p.role === 'mask')
      warn(`Column "${table}.${p.name}" is ${p.role === 'keep' ? 'kept' : 'masked'} from the real data: it is outside the differential-privacy guarantee.`);
    if (p.role !== 'model') return;
    const fit = dpSpec(p.spec, values[i] as CellValue[], noise, n);
    plans[i] = { name: p.name, role: 'model', spec: fit.spec };
    freq.push(fit.tokenCounts);
  });
  return plan;
}

function logFreqFromCounts(counts: Float64Array[], cards: number[]): Float32Array {
  const out = new Float32Array(cards.reduce((a, b) => a + b, 0));
  let o = 0;
  cards.forEach((c, j) => {
    const cnt = counts[j] ?? new Float64Array(c);
    let total = 0;
    for (let k = 0; k < c; k++) total += Math.max(0, cnt[k] ?? 0);
    for (let k = 0; k < c; k++) out[o + k] = Math.log((Math.max(0, cnt[k] ?? 0) + 1) / (total + c));
    o += c;
  });
  return out;
}

export interface FitOptions {
  context?: { matrix: Float32Array; dim: number };
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  /** Force a family (bench/tests); default automatic. */
  family?: 'ar' | 'copula';
  /** Rake sampled batches to the training marginals (default on). */
  rake?: boolean;
  /** Override chosen training options. */
  overrides?: Partial<TrainOptions>;
}

export interface TableModel {
  prepared: PreparedTable;
  family: 'ar' | 'copula' | 'none';
  net: TrainedNet | null;
  copula: CopulaModel | null;
  trainOptions: TrainOptions | null;
  filter: CopyFilter;
  trainSeconds: number;
  /** Training token marginals for raking sampled batches (network family; null = off). */
  marginals?: Float64Array[] | null;
  /**
   * Why this model: held-out token quality of the network, the copula and the kept blend
   * (`copulaShare` of the rows from the copula; with a share strictly between 0 and 1 both
   * `net` and `copula` are set). Absent when no choice was made (forced family, context, DP).
   */
  selection?: ModelChoice;
  /** Differential privacy actually spent (DP training only). */
  differentialPrivacy?: DpSpent;
}

/**
 * Below this many training rows the chosen network is trained again on every training row (its
 * validation split included) for the epoch count early stopping chose: a fifth more data where it
 * matters, at the cost of a second, short training run. The report's holdout is never among them.
 */
export const REFIT_MAX_ROWS = 2000;

/** The cosine schedule's plan per preset: optimizer steps, and fewest epochs (large tables take few steps per epoch). */
const PLAN = { fast: { steps: 250, epochs: 6 }, balanced: { steps: 450, epochs: 12 }, accurate: { steps: 1500, epochs: 30 } } as const;

/** Training options from the data size and the settings (TabularARGN's rules of thumb). */
export function chooseTrainOptions(n: number, cards: number[], settings: SynthSettings): TrainOptions {
  const batch = settings.batchSize ?? Math.min(1024, Math.max(32, 2 ** Math.floor(Math.log2(Math.max(1, n / 48)))));
  const size = settings.modelSize;
  const hidden = size === 'small' ? 128 : size === 'medium' ? 256 : size === 'large' ? 512 : n < 1000 ? 48 : n < 5000 ? 96 : n < 40_000 ? 192 : 256;
  const presetEpochs = settings.preset === 'fast' ? 15 : settings.preset === 'accurate' ? 200 : 60;
  const small = n < 2000;
  const valFraction = small ? 0.2 : 0.1;
  const lr = settings.learningRate ?? 1e-3 * Math.sqrt(batch / 32);
  const base = {
    hidden,
    // Measured on Adult: the direct input->output path overfits and slows sampling; dropout 0.3 helps.
    direct: false,
    dropout: small ? 0.25 : 0.3,
    weightDecay: small ? 0.05 : 0.01,
    batchSize: batch,
    // Measured on Adult: stopping once the validation loss improves by < 0.03% per epoch saves ~25% of the time for the same Quality.
    minDelta: small ? 1e-4 : 3e-4,
    timeBudgetMs: settings.timeBudgetSeconds * 1000,
    seed: settings.seed,
    valFraction,
  };
  if (settings.trainingSchedule === 'plateau')
    return { ...base, lr, maxEpochs: settings.epochs ?? presetEpochs, patience: small ? 6 : 3, schedule: { kind: 'plateau' } };
  // Cosine: the epochs are planned from a number of optimizer steps, the rate peaks higher (it decays to the end).
  const stepsPerEpoch = Math.max(1, Math.ceil((n * (1 - valFraction)) / batch));
  const plan = PLAN[settings.preset];
  const planned = Math.min(presetEpochs, Math.max(plan.epochs, Math.ceil(plan.steps / stepsPerEpoch)));
  const maxEpochs = settings.epochs ?? planned;
  return {
    ...base,
    lr: settings.learningRate ?? 1.25 * lr,
    maxEpochs,
    patience: small ? 6 : 3,
    schedule: { kind: 'cosine', warmupSteps: Math.round(0.05 * maxEpochs * stepsPerEpoch), floor: 0.02 },
  };
}

/** The training token marginals of a prepared table (sampled batches are raked to them). */
export function trainingMarginals(prepared: PreparedTable): Float64Array[] {
  return prepared.marginals ?? tokenMarginals(prepared.tokens, prepared.cards);
}

export async function fitTable(prepared: PreparedTable, opts: FitOptions = {}): Promise<TableModel> {
  const t0 = performance.now();
  const settings = prepared.settings;
  const filter = CopyFilter.fromPrepared(prepared);
  const base = { prepared, filter, trainSeconds: 0 };
  if (prepared.cards.length === 0) return { ...base, family: 'none', net: null, copula: null, trainOptions: null };
  const dpSettings = prepared.effective.differentialPrivacy;
  const dpOn = dpSettings !== null && prepared.dp !== undefined;
  // Under DP only the network is trained (the copula and the family choice would read the data).
  // Otherwise the network is trained and then compared with the copula on held-out rows (chooseModel).
  const family = dpOn ? 'ar' : (opts.family ?? 'ar');
  checkAborted(opts.signal);
  if (family === 'copula') {
    const rows = Int32Array.from({ length: prepared.n }, (_, i) => i);
    const copula = fitCopula(prepared.tokens, prepared.cards, rows);
    return { ...base, family, net: null, copula, trainOptions: null, trainSeconds: (performance.now() - t0) / 1000 };
  }
  const trainOptions: TrainOptions = {
    ...chooseTrainOptions(prepared.n, prepared.cards, settings),
    ...opts.overrides,
    signal: opts.signal,
    onProgress: opts.onProgress,
  };
  let sgd: ReturnType<typeof planSgd> | undefined;
  if (dpOn && dpSettings && prepared.dp) {
    // DP-SGD: every row trains (no validation split to peek at); the noise multiplier spends the
    // rest of the budget over the planned steps, and training stops when they are done.
    const batchSize = dpBatchSize(prepared.n, settings.batchSize);
    // The DP plan keeps its own epoch count (the cosine plan's epochs are for the non-private schedule).
    const plateauEpochs = chooseTrainOptions(prepared.n, prepared.cards, { ...settings, trainingSchedule: 'plateau' }).maxEpochs;
    const epochs = settings.epochs ?? Math.min(opts.overrides?.maxEpochs ?? plateauEpochs, 20);
    sgd = planSgd(prepared.dp.plan, prepared.n, batchSize, epochs);
    const maxGradNorm = dpSettings.maxGradNorm;
    trainOptions.dp = { clip: maxGradNorm, noiseMultiplier: opts.overrides?.dp?.noiseMultiplier ?? sgd.noiseMultiplier, maxSteps: sgd.steps };
    trainOptions.batchSize = batchSize;
    trainOptions.lr = settings.learningRate ?? 2e-3 * Math.sqrt(batchSize / 32);
    trainOptions.valFraction = 0;
    trainOptions.maxEpochs = epochs + 1;
    trainOptions.patience = Number.POSITIVE_INFINITY;
    trainOptions.initLogFreq = prepared.dp.initLogFreq;
  }
  let net = await computeFor(currentBackend()).train(
    { tokens: prepared.tokens, cards: prepared.cards, n: prepared.n, context: opts.context?.matrix, contextDim: opts.context?.dim },
    trainOptions,
  );
  if (dpSettings && prepared.dp && sgd) {
    const differentialPrivacy = spent(
      prepared.dp.plan,
      { ...sgd, noiseMultiplier: trainOptions.dp?.noiseMultiplier ?? sgd.noiseMultiplier },
      net.steps,
      dpSettings.maxGradNorm,
    );
    // training.json records trainOptions: the accounting goes with it.
    trainOptions.dp = { ...trainOptions.dp!, ...differentialPrivacy };
    trainOptions.initLogFreq = undefined;
    return { ...base, family: 'ar', net, copula: null, trainOptions, trainSeconds: (performance.now() - t0) / 1000, marginals: null, differentialPrivacy };
  }
  const marginals = opts.rake === false ? null : trainingMarginals(prepared);
  if (!opts.family && !opts.context) {
    const choice = await chooseModel(prepared, net, settings.seed, opts.rake !== false);
    const budgetMs = trainOptions.timeBudgetMs > 0 ? trainOptions.timeBudgetMs - (performance.now() - t0) : 0;
    const refit = choice.copulaShare < 1 && prepared.n < REFIT_MAX_ROWS && net.validationRows.length > 0 && net.stoppedBy !== 'time-budget' && budgetMs >= 0;
    if (refit) {
      // The validation rows chose the model and its epoch count; the kept network then learns from them too (within the time budget, else it is dropped).
      const data = { tokens: prepared.tokens, cards: prepared.cards, n: prepared.n };
      const all = await computeFor(currentBackend()).train(data, { ...trainOptions, onProgress: undefined, runEpochs: net.bestEpoch, timeBudgetMs: budgetMs });
      const kept = all.stoppedBy === 'time-budget' ? all : net;
      disposeParams(kept.params);
      disposeMasks(kept.masks);
      if (kept === net) {
        choice.refit = { rows: prepared.n, epochs: all.history.length };
        net = { ...all, history: net.history, bestEpoch: net.bestEpoch, stoppedBy: net.stoppedBy, flops: net.flops + all.flops, steps: net.steps + all.steps };
      }
    }
    if (choice.copulaShare > 0) {
      // The kept copula is refitted on every training row (the network keeps its validation split for early stopping).
      const copula = fitCopula(
        prepared.tokens,
        prepared.cards,
        Int32Array.from({ length: prepared.n }, (_, i) => i),
      );
      if (choice.copulaShare === 1) {
        disposeParams(net.params);
        disposeMasks(net.masks);
        return { ...base, family: 'copula', net: null, copula, trainOptions: null, trainSeconds: (performance.now() - t0) / 1000, selection: choice };
      }
      return { ...base, family, net, copula, trainOptions, trainSeconds: (performance.now() - t0) / 1000, selection: choice, marginals };
    }
    return { ...base, family, net, copula: null, trainOptions, trainSeconds: (performance.now() - t0) / 1000, selection: choice, marginals };
  }
  return { ...base, family, net, copula: null, trainOptions, trainSeconds: (performance.now() - t0) / 1000, marginals };
}

/**
 * Network, copula or a blend, by a held-out score at every table size: the copula is fitted on
 * the network's training split, both are sampled, and the samples (and their blends) are scored
 * against the validation rows neither was fitted on (token-level marginals and pairs, as
 * SDMetrics' Quality). Costs one copula fit and two small samples.
 */
async function chooseModel(prepared: PreparedTable, net: TrainedNet, seed: number, rake: boolean): Promise<ModelChoice> {
  const val = net.validationRows;
  if (val.length === 0) return { copulaShare: 0, network: NaN, copula: NaN, chosen: NaN, validationRows: 0 };
  const held = new Uint8Array(prepared.n);
  for (const r of val) held[r] = 1;
  const trainRows = Int32Array.from({ length: prepared.n }, (_, i) => i).filter((i) => held[i] === 0);
  const copula = fitCopula(prepared.tokens, prepared.cards, trainRows);
  const m = Math.min(10_000, Math.max(2000, 2 * val.length));
  const rng = createRng(seed + 3);
  const sampler = computeFor(currentBackend()).sampler(net);
  let netTokens = await sampler.sample(m, rng, prepared.settings.temperature);
  sampler.dispose();
  const trainMarginals = tokenMarginals(pickRows(prepared.tokens, trainRows), prepared.cards);
  // Scored as it will be sampled: raked to the marginals of the rows it was trained on.
  if (rake) netTokens = applyIndices(netTokens, resampleIndices(rakeWeights(netTokens, trainMarginals, m), rng));
  const copTokens = sampleCopula(copula, m, rng);
  const { maps, cards } = coarseMaps(trainMarginals);
  const count = replicatesFor(val.length, cards);
  const { scores, boot } = blendQualities(
    applyMaps(pickRows(prepared.tokens, val), maps),
    applyMaps(netTokens, maps),
    applyMaps(copTokens, maps),
    cards,
    BLEND_SHARES,
    400,
    { count, rng },
  );
  return chooseBlend(scores, boot, val.length);
}

export function disposeTable(model: TableModel): void {
  if (model.net) {
    disposeParams(model.net.params);
    disposeMasks(model.net.masks);
    model.net = null;
  }
}
