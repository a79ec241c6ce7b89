/**
 * The staged engine API the job runner calls, one function per timeline step:
 *
 *   const prepared = await preprocess({ config, metadata, tables, workspace, log });   // Preprocessing
 *   const built = await build(prepared);                                              // Building the model
 *   await train(built, { signal, onProgress });                                       // Training the model
 *   const result = await synthesize(built, { signal, onProgress, sink });             // Synthesis
 *   // prepared.evaluation[table] = { train, holdout } real rows for the report (DCR, TSTR).
 *   dispose(built);
 *
 * `tables` holds the loaded real rows of every table that is synthesized or kept as original
 * data (columns = the included ones). Artifacts go to `workspace/<table>/`: encoding.json
 * (column plans and encoder stats), training.json (options and loss history), weights.bin +
 * weights.json (model weights). Rows reach the destination only through `sink`, in batches.
 *
 * Relational datasets (a synthesized table with an active FK to another synthesized table or to
 * an original-data table) go through the relational engine (relational/synthesize.ts) inside
 * the same stages: the root first, children per parent row, keys regenerated, every FK pointing
 * at an output row. Their holdout is whole subtrees of held-out rows of the first table with
 * HOLDOUT_MIN_ROWS rows (the root, or the level below a small root); `order` is the generation order (parents first);
 * `synthesize({ count })` sets the root's rows (children follow their learned counts); the sink
 * receives original-data tables first, then the synthesized ones parents first, so a destination
 * that checks FKs on insert accepts every batch.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SynthesisConfig } from '../../shared/config';
import { activeForeignKeys, outputTables, synthesizedTables } from '../../shared/config';
import { resolveSettings, type EffectiveSettings, type EffectiveTable } from '../../shared/effective-settings';
import { AppError } from '../../shared/errors';
import { validateConfig } from '../../shared/validation';
import { validationEnv } from '../../data/sources/canonical-path';
import { SETTINGS_JSON } from '../../data/store/workspace-files';
import type { TrainMetrics } from '../../shared/job';
import type { DatasetMetadata } from '../../shared/metadata';
import type { Row, RowBatch } from '../../shared/values';
import type { TableStats } from '../../shared/table-stats';
import type { ModelChoiceReport } from '../../report/schema';
import { initBackend } from './backend';
import {
  generatesFromArtifacts,
  readGenerationArtifact,
  originalsFromOutput,
  readSource,
  writeGenerationArtifact,
  type StoredSource,
} from './generation-artifacts';
import { tokenMarginals } from './model/rake';
import { tableDir, writeModelArtifacts } from './model-artifacts';
import { checkAborted } from './model/trainer';
import { modelChoiceReason } from './model/select';
import { disposeTable, fitTable, prepareTable, sampleTable, type PreparedTable, type TableModel } from './table-model';
import { buildPlan, treesOf } from './relational/plan';
import { HOLDOUT_FRACTION, HOLDOUT_MIN_ROWS, splitIndexes } from './holdout';
import { planFromData } from './relational/links';
import { copyOriginal, type SourceCopies } from './original-data';
import {
  disposeRelational,
  fitRelational,
  originalsParentsFirst,
  prepareRelational,
  synthesizeRelational,
  type RelationalFitOptions,
  type RelationalModel,
  type RelationalPrepared,
} from './relational/synthesize';

export type LogFn = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface PipelineInput {
  config: SynthesisConfig;
  metadata: DatasetMetadata;
  /**
   * Real rows per table: every synthesized table (every row, or a training sample) and the
   * original-data tables the engine works on (`heldOriginals`: every row, or the part of
   * `heldInPart`). An original-data table is copied to the output from here, unless named in
   * `copies`.
   */
  tables: Record<string, RowBatch>;
  /** Original-data tables copied from the source, batch by batch, while the output is written. */
  copies?: SourceCopies;
  /** Rows of each table in the source when `tables` holds samples (default: the rows given). */
  sourceRows?: Record<string, number>;
  /** Statistics over every row of the tables given as samples (rare categories are decided on them). */
  wholeStats?: Record<string, TableStats>;
  /** Execution workspace folder (created if missing). */
  workspace: string;
  log?: LogFn;
  /** Per-project secret for consistent mocking (from the project store); never written to artifacts. */
  mockingKey?: string;
  /**
   * Per-execution secret (hex, from the project store) the copy filter's hashes and the sealed
   * values of the generation artifacts are keyed by; never written. Without it no generation
   * artifacts are written (generating again then reads the source).
   */
  artifactKey?: string;
}

export interface StepProgress {
  done: number;
  total: number;
  message?: string;
  metrics?: TrainMetrics;
}
export type ProgressFn = (p: StepProgress) => void;

export interface PreparedDataset {
  input: PipelineInput;
  /** Synthesized tables, in generation order. */
  order: string[];
  /** What the engine applies per table and column (written as settings.json; the report prints it). */
  effective: EffectiveSettings;
  tables: Record<string, PreparedTable>;
  /** Real rows for the report: the training sample and the held-out rows (may be empty). */
  evaluation: Record<string, { train: RowBatch; holdout: RowBatch }>;
  /** Rows of each table in the source (for output size 'same'). */
  sourceRows: Record<string, number>;
  warnings: string[];
  /** Set when the tables are synthesized together by the relational engine. */
  relational?: RelationalPrepared;
}

export interface BuiltDataset {
  prepared: PreparedDataset;
  backend: string;
  models: Record<string, TableModel>;
  /** The trained relational model (relational datasets only). */
  relational?: RelationalModel;
}

function splitRows(batch: RowBatch, effective: EffectiveTable, seed: number): { train: RowBatch; holdout: RowBatch } {
  const n = batch.rows.length;
  const split = splitIndexes(n, { holdoutFraction: n >= HOLDOUT_MIN_ROWS ? HOLDOUT_FRACTION : 0, seed, cap: effective });
  const pick = (ids: number[]): RowBatch => ({ columns: batch.columns, rows: ids.map((i) => batch.rows[i] as Row) });
  return { train: pick(split.train), holdout: pick(split.held) };
}

/**
 * True when the synthesized tables are linked by active foreign keys (to each other, or to
 * original-data lookup tables): they are then generated together by the relational engine so
 * that every FK of the output points at an existing row.
 */
export function isRelational(config: SynthesisConfig): boolean {
  const synth = (t: string): boolean => config.tables[t]?.treatment === 'synthesize';
  const kept = (t: string): boolean => synth(t) || config.tables[t]?.treatment === 'original';
  return activeForeignKeys(config).some((fk) => fk.childTable !== fk.parentTable && synth(fk.childTable) && kept(fk.parentTable));
}

export async function preprocess(input: PipelineInput): Promise<PreparedDataset> {
  const log: LogFn = input.log ?? (() => undefined);
  const { config, metadata } = input;
  await fs.mkdir(input.workspace, { recursive: true });
  const errors = validateConfig(config, metadata, undefined, validationEnv).filter((p) => p.severity === 'error' && p.code !== 'TOO_FEW_ROWS');
  if (errors.length > 0) {
    throw new AppError('VALIDATION_FAILED', errors.map((p) => p.message).join(' '), {
      fix: errors
        .map((p) => p.fix)
        .filter(Boolean)
        .join(' '),
      details: errors,
    });
  }
  if (config.settings.privacy.differentialPrivacy.enabled) {
    const dp = input.config.settings.privacy.differentialPrivacy;
    log(
      'info',
      `Differential privacy is on: target ε = ${dp.epsilon}${dp.delta ? `, δ = ${dp.delta}` : ''} per table (DP-SGD with a privacy accountant; category sets and numeric ranges chosen with DP). Kept and masked columns are outside the guarantee.`,
    );
  }
  const rowCounts = { ...Object.fromEntries(Object.entries(input.tables).map(([t, b]) => [t, b.rows.length])), ...input.sourceRows };
  const relationalPlan = isRelational(config) ? planFromData(config, input.tables) : null;
  const effective = resolveSettings(config, { rows: rowCounts, trees: relationalPlan ? treesOf(relationalPlan) : undefined });
  await fs.writeFile(path.join(input.workspace, SETTINGS_JSON), JSON.stringify(effective, null, 1));
  if (isRelational(config)) return preprocessRelational(input, effective, log);
  const order = buildPlan(config)?.order ?? synthesizedTables(config);
  const tables: Record<string, PreparedTable> = {};
  const evaluation: PreparedDataset['evaluation'] = {};
  const sourceRows: Record<string, number> = {};
  const warnings: string[] = [];
  for (const name of order) {
    const batch = input.tables[name];
    if (!batch) throw new AppError('TABLE_NOT_FOUND', `Table "${name}" was not loaded.`, { fix: 'Check that the table still exists in the source.' });
    const tableConfig = config.tables[name]!;
    const meta = metadata.tables.find((t) => t.name === name);
    sourceRows[name] = input.sourceRows?.[name] ?? batch.rows.length;
    const split = splitRows(batch, effective.tables[name]!, config.settings.seed);
    evaluation[name] = split;
    const prepared = prepareTable(split.train, {
      table: name,
      config: tableConfig,
      columns: meta?.columns ?? [],
      settings: config.settings,
      effective: effective.tables[name],
      mockingKey: input.mockingKey,
      ...(input.wholeStats?.[name] ? { whole: input.wholeStats[name] } : {}),
      ...(input.artifactKey ? { artifactKey: input.artifactKey } : {}),
      warn: (m) => {
        warnings.push(m);
        log('warn', m);
      },
    });
    tables[name] = prepared;
    const dir = tableDir(input.workspace, name);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'encoding.json'), JSON.stringify(encodingArtifact(prepared), null, 1));
    if (input.artifactKey && generatesFromArtifacts(config, false))
      await writeGenerationArtifact(input.workspace, prepared, tokenMarginals(prepared.tokens, prepared.cards), input.artifactKey);
  }
  for (const name of outputTables(config)) if (!(name in sourceRows)) sourceRows[name] = input.sourceRows?.[name] ?? input.tables[name]?.rows.length ?? 0;
  return { input, order, effective, tables, evaluation, sourceRows, warnings };
}

async function preprocessRelational(input: PipelineInput, effective: EffectiveSettings, log: LogFn): Promise<PreparedDataset> {
  const { config } = input;
  const relational = prepareRelational({
    config,
    metadata: input.metadata,
    tables: input.tables,
    log,
    mockingKey: input.mockingKey,
    holdout: { fraction: HOLDOUT_FRACTION, minRows: HOLDOUT_MIN_ROWS },
    effective,
    ...(input.wholeStats ? { wholeStats: input.wholeStats } : {}),
    ...(input.copies ? { copies: input.copies } : {}),
  });
  const { plan } = relational;
  log(
    'info',
    `Relational synthesis of ${plan.order.length} table(s) from root(s) ${plan.roots.map((r) => `"${r}"`).join(', ')}: ${plan.order.map((t) => (plan.tables[t]!.context ? `${t} (under ${plan.tables[t]!.context!.parentTable})` : t)).join(', ')}.`,
  );
  const sourceRows: Record<string, number> = {};
  for (const name of outputTables(config)) sourceRows[name] = input.sourceRows?.[name] ?? input.tables[name]?.rows.length ?? 0;
  for (const name of plan.order) {
    const dir = tableDir(input.workspace, name);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'encoding.json'), JSON.stringify(encodingArtifact(relational.prepared[name]!), null, 1));
  }
  return {
    input,
    order: plan.order,
    effective,
    tables: relational.prepared,
    evaluation: relational.evaluation,
    sourceRows,
    warnings: relational.warnings,
    relational,
  };
}

/**
 * The prepared dataset of a trained run read back from its artifacts (`from`: its workspace),
 * without the source: encoders, copy filter, fake pools and kept values as written by
 * `preprocess`. Null when the run wrote no generation artifacts (a relational synthesis, or a
 * run without an artifact key). No real rows of synthesized tables: `evaluation` is empty and
 * `input.tables` holds only the original-data tables the engine works on, read back from the
 * trained run's output; the others are copied from that output as the rows are written (`input.copies`).
 */
export async function reloadPrepared(opts: {
  config: SynthesisConfig;
  from: string;
  workspace: string;
  artifactKey: string;
  log?: LogFn;
  signal?: AbortSignal;
}): Promise<{ prepared: PreparedDataset; source: StoredSource } | null> {
  const { config } = opts;
  if (!generatesFromArtifacts(config, isRelational(config))) return null;
  const source = await readSource(opts.from);
  if (!source) return null;
  const tables: Record<string, PreparedTable> = {};
  for (const name of source.order) {
    const table = await readGenerationArtifact(opts.from, name, opts.artifactKey);
    if (!table) return null;
    tables[name] = table;
  }
  // Original-data tables as the trained run copied them into its output.
  const originals = await originalsFromOutput(config, opts.from, opts.signal);
  await fs.mkdir(opts.workspace, { recursive: true });
  const effective: EffectiveSettings = { tables: Object.fromEntries(Object.entries(tables).map(([t, p]) => [t, p.effective])) };
  await fs.writeFile(path.join(opts.workspace, SETTINGS_JSON), JSON.stringify(effective, null, 1));
  const input: PipelineInput = {
    config,
    metadata: source.metadata,
    tables: originals.held,
    copies: originals.copies,
    sourceRows: source.sourceRows,
    workspace: opts.workspace,
    ...(opts.log ? { log: opts.log } : {}),
  };
  const prepared: PreparedDataset = {
    input,
    order: source.order,
    effective,
    tables,
    evaluation: {},
    sourceRows: source.sourceRows,
    warnings: [],
  };
  return { prepared, source };
}

function encodingArtifact(p: PreparedTable): unknown {
  return {
    table: p.table,
    trainingRows: p.n,
    // Never real values in artifacts: kept/masked columns and mock templates are summarised.
    columns: p.plans.map((plan) =>
      plan.role === 'keep' || plan.role === 'mask'
        ? { name: plan.name, role: plan.role, values: plan.values.length }
        : plan.role === 'mock'
          ? { name: plan.name, role: plan.role, generator: plan.generator ?? null }
          : plan,
    ),
    tokenCardinalities: p.cards,
    protectedRareRows: p.copyFilter.size,
    warnings: p.warnings,
  };
}

export async function build(prepared: PreparedDataset): Promise<BuiltDataset> {
  const backend = await initBackend(prepared.input.config.settings.device);
  prepared.input.log?.('info', `Compute backend: ${backend}.`);
  return { prepared, backend, models: {} };
}

/**
 * How a table's model comes to be: `fitTable` trains it; `loadTableModel` (model-artifacts.ts)
 * reads a trained one back so a model can generate again without training.
 */
export type TableFitter = NonNullable<RelationalFitOptions['fit']>;

export async function train(built: BuiltDataset, opts: { signal?: AbortSignal; onProgress?: ProgressFn; fit?: TableFitter } = {}): Promise<void> {
  const fit = opts.fit ?? fitTable;
  // Models read back from artifacts are not written again.
  const save = !opts.fit;
  const { prepared } = built;
  const n = prepared.order.length;
  if (prepared.relational) {
    const log = prepared.input.log;
    built.relational = await fitRelational(prepared.relational, {
      fit,
      signal: opts.signal,
      onProgress: (name, p) =>
        opts.onProgress?.({
          done: prepared.order.indexOf(name) * p.epochs + (p.epoch - 1) + p.batch / p.batches,
          total: n * p.epochs,
          metrics: { epoch: p.epoch, trainLoss: p.trainLoss, valLoss: p.valLoss, table: name },
        }),
      onFitted: async (name, model) => {
        built.models[name] = model;
        log?.('info', `Table "${name}": ${describeModel(model)}.`);
        if (save) await writeModelArtifacts(prepared.input.workspace, name, model);
      },
    });
    opts.onProgress?.({ done: 1, total: 1 });
    return;
  }
  for (let t = 0; t < n; t++) {
    const name = prepared.order[t]!;
    checkAborted(opts.signal);
    const model = await fit(prepared.tables[name]!, {
      signal: opts.signal,
      onProgress: (p) =>
        opts.onProgress?.({
          done: t * p.epochs + (p.epoch - 1) + p.batch / p.batches,
          total: n * p.epochs,
          metrics: { epoch: p.epoch, trainLoss: p.trainLoss, valLoss: p.valLoss, table: name },
        }),
    });
    built.models[name] = model;
    prepared.input.log?.('info', `Table "${name}": ${describeModel(model)}.`);
    if (save) await writeModelArtifacts(prepared.input.workspace, name, model);
  }
  opts.onProgress?.({ done: 1, total: 1 });
}

function describeModel(model: TableModel): string {
  const net = `autoregressive network, ${model.net?.history.length ?? 0} epochs (best ${model.net?.bestEpoch ?? 0}, ${model.net?.stoppedBy})`;
  const share = model.selection?.copulaShare ?? 0;
  const kind =
    model.family === 'copula'
      ? 'Gaussian copula'
      : model.family === 'ar'
        ? share > 0
          ? `blend of an ${net} and a Gaussian copula (${Math.round(share * 100)}% of the rows)`
          : net
        : 'no modelled columns';
  return `${kind} in ${model.trainSeconds.toFixed(1)} s${model.selection ? `; ${modelChoiceReason(model.selection)}` : ''}`;
}

const finiteOrNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** The report's account of a table's model: family, held-out scores and the reason. */
export function modelSummary(model: TableModel): ModelChoiceReport {
  const s = model.selection;
  const share = s?.copulaShare ?? (model.family === 'copula' ? 1 : 0);
  const family = model.family === 'none' ? 'none' : model.family === 'copula' ? 'copula' : share > 0 ? 'blend' : 'network';
  const reason = s
    ? modelChoiceReason(s)
    : model.differentialPrivacy
      ? 'differential privacy trains the network only (a comparison would read the data outside the budget)'
      : model.net?.arch.contextDim
        ? 'the network is conditioned on the parent row (the copula cannot be)'
        : model.family === 'none'
          ? 'no column is modelled'
          : 'chosen by the settings';
  return {
    family,
    copulaShare: share,
    network: finiteOrNull(s?.network),
    copula: finiteOrNull(s?.copula),
    chosen: finiteOrNull(s?.chosen),
    validationRows: s?.validationRows ?? 0,
    epochs: model.net ? model.net.history.length : null,
    reason,
  };
}

/** Rows to generate for a table from the output-size setting. */
export function outputRows(config: SynthesisConfig, sourceRows: number): number {
  const size = config.settings.outputSize;
  if (size.mode === 'rows') return size.rows;
  if (size.mode === 'scale') return Math.max(1, Math.round(sourceRows * size.factor));
  return sourceRows;
}

/**
 * Rows of each root of a relational output, and the rows expected per table (children follow
 * their parents' learned counts): each root at its own size; a row count (output size in rows,
 * generate --rows) is the largest root's, the others scaled alike.
 */
export function relationalOutputRows(prepared: PreparedDataset, count?: number): { rootRows: Record<string, number>; expected: Record<string, number> } {
  const roots = prepared.relational!.plan.roots;
  const source = (t: string): number => prepared.sourceRows[t] ?? 0;
  const largest = roots.reduce((x, y) => (source(y) > source(x) ? y : x));
  const target = count ?? outputRows(prepared.input.config, source(largest));
  const scale = target / Math.max(1, source(largest));
  return {
    rootRows: Object.fromEntries(roots.map((r) => [r, r === largest ? target : Math.max(1, Math.round(source(r) * scale))])),
    expected: Object.fromEntries(prepared.order.map((t) => [t, Math.round(source(t) * scale)])),
  };
}

export interface SynthesisResult {
  rows: Record<string, number>;
  seconds: number;
}

export async function synthesize(
  built: BuiltDataset,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn; sink: (table: string, batch: RowBatch) => Promise<void>; count?: number; seed?: number },
): Promise<SynthesisResult> {
  const t0 = performance.now();
  const { prepared } = built;
  const config = prepared.input.config;
  if (built.relational) {
    const { rootRows, expected } = relationalOutputRows(prepared, opts.count);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    const written = await synthesizeRelational(built.relational, {
      sink: opts.sink,
      signal: opts.signal,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      rootRows,
      onProgress: (k, n, table) => opts.onProgress?.({ done: Math.round((total * k) / n), total, message: table }),
    });
    opts.onProgress?.({ done: total, total });
    return { rows: written, seconds: (performance.now() - t0) / 1000 };
  }
  const rows: Record<string, number> = {};
  const targets = prepared.order.map((name) => opts.count ?? outputRows(config, prepared.sourceRows[name] ?? 0));
  const total = targets.reduce((a, b) => a + b, 0);
  let done = 0;
  for (let t = 0; t < prepared.order.length; t++) {
    const name = prepared.order[t]!;
    const model = built.models[name];
    if (!model) throw new AppError('INTERNAL', `Table "${name}" has no trained model.`);
    rows[name] = 0;
    for await (const batch of sampleTable(model, targets[t]!, { signal: opts.signal, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) })) {
      checkAborted(opts.signal);
      await opts.sink(name, batch);
      rows[name] += batch.rows.length;
      done += batch.rows.length;
      opts.onProgress?.({ done, total, message: name });
    }
  }
  // Original-data tables are copied as they are.
  const { input } = prepared;
  for (const name of originalsParentsFirst(config)) {
    rows[name] = await copyOriginal(name, { held: input.tables[name], copies: input.copies, sink: opts.sink, signal: opts.signal, log: input.log });
  }
  opts.onProgress?.({ done: total, total });
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

export function dispose(built: BuiltDataset): void {
  if (built.relational) {
    disposeRelational(built.relational);
    built.relational = undefined;
    built.models = {};
    return;
  }
  for (const m of Object.values(built.models)) disposeTable(m);
  built.models = {};
}
