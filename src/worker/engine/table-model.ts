/**
 * The single-table model: column plans + encoders + a generative model over the tokens.
 *
 * API (engineer G's relational synthesis conditions a child table on its parent row):
 *
 *   const prepared = prepareTable(rows, { table, config, columns, settings, warn, minRows: MIN_ROWS_CHILD });
 *   // Optional context: one row per training row, row-major Float32Array (n x dim), e.g. the
 *   // parent's encoded attributes (one-hot tokens, normalised numbers, child counts...).
 *   const model = await fitTable(prepared, { context: { matrix, dim }, signal, onProgress });
 *   for await (const batch of sampleTable(model, count, { seed, context: parentMatrix, idOffset })) { ... }
 *   disposeTable(model);
 *
 * With a context, `sampleTable` generates row i from context row i (`context` must then hold
 * `count` rows of the same width). Columns with role 'id' are regenerated (ids from
 * `idOffset`), FK columns should be planned as 'id' by the caller and overwritten. The model
 * family is chosen automatically: the autoregressive network, or a Gaussian copula when the
 * table is tiny (and no context is given). Batches are raked to the training marginals (not
 * with a context) and pass the privacy filter (copies of rare training rows are redrawn; with a
 * context, in place). Sampling lives in table-sample.ts.
 */
import type { SynthSettings, TableConfig } from '../../shared/config';
import { AppError } from '../../shared/errors';
import type { ColumnMeta } from '../../shared/metadata';
import { MIN_ROWS_ROOT } from '../../shared/validation';
import type { CellValue, RowBatch } from '../../shared/values';
import { encodeValues, planColumn, subColumnsOf, type ColumnPlan } from './encoders/index';
import { fitCopula, sampleCopula, type CopulaModel } from './model/copula';
import { disposeMasks, disposeParams } from './model/network';
import { createSampler } from './model/sampler';
import { tokenQuality } from './model/select';
import { tokenMarginals } from './model/rake';
import { checkAborted, train, type TrainedNet, type TrainOptions, type TrainProgress } from './model/trainer';
import { createRng } from './rng';
import { CopyFilter } from './privacy-filter';

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
  /** Training rows that are rare on all modelled columns (never emitted). */
  copyFilter: CopyFilter;
  /**
   * Consistent mocking (setting on + a project key): the key and, per mocked plan index, the
   * real training values synthetic rows draw and map to fakes. In memory only, never written.
   */
  mocking?: { key: string; pools: Map<number, CellValue[]> };
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
    throw new AppError('DATASET_TOO_SMALL', `Table "${opts.table}" has ${n} training row(s); at least ${minRows} are needed to learn it (dataset too little).`, {
      fix: `Add rows to "${opts.table}", keep it as original data, or exclude it from the synthesis.`,
    });
  }
  const rng = createRng(opts.settings.seed);
  const names = Object.entries(opts.config.columns)
    .filter(([, c]) => c.included)
    .map(([name]) => name);
  const plans: ColumnPlan[] = [];
  const valuesByPlan: CellValue[][] = [];
  for (const name of names) {
    const cfg = opts.config.columns[name]!;
    const idx = rows.columns.indexOf(name);
    if (idx < 0) throw new AppError('CONFIG_INVALID', `Column "${opts.table}.${name}" is not in the loaded data.`, { fix: 'Re-inspect the source and update the configuration.' });
    const values = rows.rows.map((r) => r[idx] ?? null);
    const meta = opts.columns.find((c) => c.name === name);
    const isKey = opts.config.primaryKey.includes(name);
    plans.push(planColumn(name, values, cfg, meta, { table: opts.table, privacy: opts.settings.privacy, rng, warn, isKey }));
    valuesByPlan.push(values);
  }
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
  const copyFilter = privacy.filterCopies
    ? CopyFilter.fromColumns(modelled.map((i) => valuesByPlan[i] as CellValue[]), modelled, Math.max(2, privacy.rareCategoryThreshold))
    : CopyFilter.none();
  let mocking: PreparedTable['mocking'];
  if (privacy.consistentMocking && opts.mockingKey) {
    const pools = new Map<number, CellValue[]>();
    plans.forEach((p, i) => {
      if (p.role === 'mock') pools.set(i, valuesByPlan[i] as CellValue[]);
    });
    if (pools.size > 0) mocking = { key: opts.mockingKey, pools };
  }
  return { table: opts.table, columns: names, plans, modelled, tokens, cards, n, warnings, settings: opts.settings, copyFilter, mocking };
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
  /** Small tables: token-level quality of each family when both were tried. */
  selection?: { ar: number; copula: number };
}

/** Under this many rows both families are fitted and the better one kept. */
export const SMALL_TABLE_ROWS = 1000;

/** Training options from the data size and the settings (TabularARGN's rules of thumb). */
export function chooseTrainOptions(n: number, cards: number[], settings: SynthSettings): TrainOptions {
  const batch = settings.batchSize ?? Math.min(1024, Math.max(32, 2 ** Math.floor(Math.log2(Math.max(1, n / 48)))));
  const size = settings.modelSize;
  const hidden = size === 'small' ? 128 : size === 'medium' ? 256 : size === 'large' ? 512 : n < 1000 ? 48 : n < 5000 ? 96 : n < 40_000 ? 192 : 256;
  const presetEpochs = settings.preset === 'fast' ? 15 : settings.preset === 'accurate' ? 200 : 60;
  const small = n < 2000;
  return {
    hidden,
    // Measured on Adult: the direct input->output path overfits and slows sampling; dropout 0.3 helps.
    direct: false,
    dropout: small ? 0.25 : 0.3,
    weightDecay: small ? 0.05 : 0.01,
    batchSize: batch,
    lr: settings.learningRate ?? 1e-3 * Math.sqrt(batch / 32),
    maxEpochs: settings.epochs ?? presetEpochs,
    patience: small ? 6 : 3,
    // Measured on Adult: stopping once the validation loss improves by < 0.03% per epoch saves ~25% of the time for the same Quality.
    minDelta: small ? 1e-4 : 3e-4,
    timeBudgetMs: settings.timeBudgetSeconds * 1000,
    seed: settings.seed,
    valFraction: small ? 0.2 : 0.1,
  };
}

/** Tiny tables (very few rows, or few rows per column) use the Gaussian copula directly. */
export function chooseFamily(n: number, columns: number): 'ar' | 'copula' {
  return n < 100 || columns * 4 > n ? 'copula' : 'ar';
}

export async function fitTable(prepared: PreparedTable, opts: FitOptions = {}): Promise<TableModel> {
  const t0 = performance.now();
  const settings = prepared.settings;
  const filter = CopyFilter.fromPrepared(prepared);
  const base = { prepared, filter, trainSeconds: 0 };
  if (prepared.cards.length === 0) return { ...base, family: 'none', net: null, copula: null, trainOptions: null };
  const family = opts.family ?? (opts.context ? 'ar' : chooseFamily(prepared.n, prepared.cards.length));
  checkAborted(opts.signal);
  if (family === 'copula') {
    const rows = Int32Array.from({ length: prepared.n }, (_, i) => i);
    const copula = fitCopula(prepared.tokens, prepared.cards, rows);
    return { ...base, family, net: null, copula, trainOptions: null, trainSeconds: (performance.now() - t0) / 1000 };
  }
  const trainOptions: TrainOptions = { ...chooseTrainOptions(prepared.n, prepared.cards, settings), ...opts.overrides, signal: opts.signal, onProgress: opts.onProgress };
  const dp = settings.privacy.differentialPrivacy.enabled;
  if (dp) {
    // DP-SGD: every row trains (no validation split to peek at), a fixed number of epochs.
    trainOptions.dp = { clip: settings.privacy.differentialPrivacy.maxGradNorm, noiseMultiplier: trainOptions.dp?.noiseMultiplier ?? 1 };
    trainOptions.valFraction = 0;
    trainOptions.maxEpochs = settings.epochs ?? Math.min(trainOptions.maxEpochs, 20);
    trainOptions.patience = Number.POSITIVE_INFINITY;
  }
  const net = await train(
    { tokens: prepared.tokens, cards: prepared.cards, n: prepared.n, context: opts.context?.matrix, contextDim: opts.context?.dim },
    trainOptions,
  );
  if (!opts.family && !opts.context && prepared.n < SMALL_TABLE_ROWS) {
    // Small table: keep the network only if its samples are at least as good as a copula's.
    const rows = Int32Array.from({ length: prepared.n }, (_, i) => i);
    const copula = fitCopula(prepared.tokens, prepared.cards, rows);
    const m = Math.max(prepared.n, 2000);
    const rng = createRng(settings.seed + 3);
    const sampler = createSampler(net);
    const arQ = tokenQuality(prepared.tokens, await sampler.sample(m, rng, settings.temperature), prepared.cards);
    sampler.dispose();
    const copQ = tokenQuality(prepared.tokens, sampleCopula(copula, m, rng), prepared.cards);
    if (copQ > arQ) {
      disposeParams(net.params);
      disposeMasks(net.masks);
      return { ...base, family: 'copula', net: null, copula, trainOptions: null, trainSeconds: (performance.now() - t0) / 1000, selection: { ar: arQ, copula: copQ } };
    }
    return { ...base, family, net, copula: null, trainOptions, trainSeconds: (performance.now() - t0) / 1000, selection: { ar: arQ, copula: copQ } };
  }
  // Raking uses exact training marginals: not under differential privacy.
  const marginals = opts.rake === false || dp ? null : tokenMarginals(prepared.tokens, prepared.cards);
  return { ...base, family, net, copula: null, trainOptions, trainSeconds: (performance.now() - t0) / 1000, marginals };
}

export function disposeTable(model: TableModel): void {
  if (model.net) {
    disposeParams(model.net.params);
    disposeMasks(model.net.masks);
    model.net = null;
  }
}
