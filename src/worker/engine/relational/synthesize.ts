/**
 * Relational synthesis of a whole database (DESIGN.md §Relational):
 *
 *   const prepared = prepareRelational({ config, metadata, tables, log });   // plan, training subtrees, encoders
 *   const model = await fitRelational(prepared, { signal, onProgress });      // one table model per table, children with a context
 *   const rows = await synthesizeRelational(model, { sink, signal });         // parents before children, original data first
 *   disposeRelational(model);
 *
 * Every root (a table without a synthesized parent) is generated at its own size; each parent row carries, as extra modelled columns, the number of
 * its children in each child table (learned jointly with its attributes, 0 included). Children
 * are sampled from their parent's row context (its encoded values + its ancestors' context + the
 * child's position among its siblings, ordered by its date or step column). Dates are learned
 * relative to an anchor where that is tighter (relative-time.ts); child columns that repeat a
 * parent column are copied from the generated parent (parent-values.ts); candidates are chosen
 * towards the training marginals and child counts (candidates.ts). Keys are regenerated in the
 * source's format; every FK points at an existing output row. The output is generated in family
 * chunks (a range of every root's rows with all their descendants, families.ts), so that a part
 * of it can be generated apart (a site shard) and equal the same part of one pass.
 */
import { wholeForest, wholeNullShare, type TableStats } from '../../../shared/table-stats';
import type { SynthesisConfig, TableConfig } from '../../../shared/config';
import { activeForeignKeys } from '../../../shared/config';
import { resolveSettings, type EffectiveSettings } from '../../../shared/effective-settings';
import { AppError } from '../../../shared/errors';
import { validationFailure } from '../../../shared/problems';
import { relationshipKey, type DatasetMetadata, type Relationship } from '../../../shared/metadata';
import { MIN_ROWS_CHILD, MIN_ROWS_ROOT } from '../../../shared/validation';
import type { CellValue, Row, RowBatch } from '../../../shared/values';
import { checkAborted, heedCancel, type TrainProgress } from '../model/trainer';
import { createRng, type Rng } from '../rng';
import { disposeTable, fitTable, prepareTable, type FitOptions, type PreparedTable, type TableModel } from '../table-model';
import { childContext, featurizer, siblingPositions, withAncestors, type Featurizer } from './context';
import { assignForeignKeys, learnAssignments, learnLookupPools, repairLookups, type Assignment, type AssignmentScores, type LookupPool } from './assign';
import { uniqueKeys, type KeysAcross } from './unique-keys';
import { depthsOf, forestShapeOf, generateForest, learnForest, type ForestShape } from './forest';
import { fitScorer, scoring, type PairScorer } from './matcher';
import { learnLookup, matchedLookups, matchLookup, restoreLookup, type LookupModel } from './lookups';
import { learnLink, matchLink, type LinkModel, type StoredLink } from './matched-link';
import { protectRareByEntity } from './entity-privacy';
import { wholeDegrees, wholeOneToOne } from './whole-degrees';
import {
  childCandidates,
  COUNT_PREFIX,
  countColumn,
  sampleCandidates,
  sampleChildren,
  sampleRoot,
  selectCandidates,
  type CandidateTargets,
} from './candidates';
import { outputCopyFilter } from './copies';
import { constantAmongSiblings, inheritedColumns, type InheritedColumn } from './parent-values';
import { planFromData, resolveLinks, trainingSubtrees } from './links';
import { treesOf } from './plan';
import { planRelativeTimes, toAbsolute, toRelative, type RelativeTime } from './relative-time';
import { sequenceColumn, siblingOrder } from './order';
import { fitSteps, learnSteps, previousSiblings, sequenceCandidates, withPrevious, type StepPattern } from './sequences';
import { relationalProblems, type GenerationPlan } from './plan';
import { chunkSeed, familyChunkCount, keyShifts, rootRange, shiftKeys, type KeyShift } from './families';
import { copyOriginal, heldOriginals, type SourceCopies } from '../original-data';

export interface RelationalInput {
  config: SynthesisConfig;
  metadata: DatasetMetadata;
  /** Real rows of every synthesized table and of the original-data tables the engine works on (`heldOriginals`), included columns. */
  tables: Record<string, RowBatch>;
  /** Original-data tables copied from the source, batch by batch, while the output is written (a part of each may be in `tables`). */
  copies?: SourceCopies;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Per-project secret for consistent mocking; never written to artifacts. */
  mockingKey?: string;
  /** Share of each root's rows held out (with their subtrees) for the report, when the root has at least `minRows` rows. */
  holdout?: { fraction: number; minRows: number };
  /** The effective settings (default: resolved here from the config and the rows). */
  effective?: EffectiveSettings;
  /** Statistics over every row of the tables read as samples: rare categories, empty foreign keys and children per parent are decided on them. */
  wholeStats?: Record<string, TableStats>;
  /** Per-execution secret (hex) the copy filters are keyed by, so that they can be written with the generation artifacts. */
  artifactKey?: string;
}

/** Preferred depth of a generated row in a self-reference: the nearest of these centres of the real rows' features. */
export interface DepthCentre {
  depth: number;
  centre: Float32Array;
}

/** The learned matchers of a trained run read back from its artifacts (relational/artifacts.ts), featurizers left out. */
export interface StoredMatchers {
  matchers: Record<string, { scorer: PairScorer; depths: DepthCentre[] }>;
  links: Record<string, StoredLink>;
  /** The matchers of the FKs into original-data tables, by child table (their parent rows: the held originals in `input.tables`). */
  lookups: Record<string, StoredLink[]>;
}

export interface RelationalPrepared {
  input: RelationalInput;
  plan: GenerationPlan;
  effective: EffectiveSettings;
  /** Training rows per table (whole subtrees), with child-count columns on parents. */
  training: Record<string, RowBatch>;
  parentIdx: Record<string, Int32Array>;
  prepared: Record<string, PreparedTable>;
  /** Names of the child-count columns added to each parent table, by child table. */
  countColumns: Record<string, Record<string, string>>;
  assignments: Record<string, Assignment[]>;
  /** Composite lookups the matcher does not choose: what their unknown keys are redrawn from, by child table. */
  lookupPools: Record<string, LookupPool[]>;
  /** Columns whose value is the same for all children of a parent in the data (e.g. an invoice's billing address): copied from the first sibling. */
  siblingConstant: Record<string, string[]>;
  /** Child columns equal to a column of their parent row in the data (an invoice's billing city is its customer's city): copied from the generated parent. */
  inherited: Record<string, InheritedColumn[]>;
  /** Child datetime columns learned as offsets from their parent's date. */
  relativeTimes: Record<string, RelativeTime[]>;
  /** Ordered children: the sequence column whose previous value each child sees (absent: unordered). */
  sequences: Record<string, string>;
  /** Ordered children by an integer step: the real differences between consecutive siblings. */
  steps: Record<string, StepPattern>;
  /** Real rows per table for the report: what was learned (source columns) and the held-out subtrees. */
  evaluation: Record<string, { train: RowBatch; holdout: RowBatch }>;
  /** Self-references: the real forest's shape and the depth of every training row. */
  forests: Record<string, { fk: Relationship; shape: ForestShape; depth: Int32Array }[]>;
  /** What each table's candidates are chosen towards (child counts, copy filter): all that generating needs of the training rows. */
  targets: Record<string, CandidateTargets>;
  /** Set when read back from a trained run's artifacts: the matchers are restored, not fitted (`training` is then empty). */
  stored?: StoredMatchers;
  warnings: string[];
}

export interface RelationalModel {
  prepared: RelationalPrepared;
  models: Record<string, TableModel>;
  featurizers: Record<string, Featurizer>;
  /** Ordered children: features of the previous sibling's sequence value. */
  previous: Record<string, Featurizer>;
  /** Learned scorers of the self-references, by relationship key, with the feature centres of the real rows' depths. */
  matchers: Record<string, { scorer: PairScorer; child: Featurizer; parent: Featurizer; depths: DepthCentre[] }>;
  /** Learned matchers of the non-context FKs, by relationship key. */
  links: Record<string, LinkModel>;
  /** Learned matchers of the FKs into original-data tables, by child table. */
  lookups: Record<string, LookupModel[]>;
}

/** Table config for the model: FK columns regenerated (overwritten later), lookup FKs categorical, child counts numerical. */
function modelConfig(config: SynthesisConfig, plan: GenerationPlan, table: string, counts: string[]): TableConfig {
  const base = config.tables[table]!;
  const tp = plan.tables[table]!;
  const columns: TableConfig['columns'] = { ...base.columns };
  for (const fk of [tp.context, ...tp.assigned, ...tp.selfRefs]) {
    if (!fk) continue;
    const c = fk.childColumns[0]!;
    columns[c] = { ...columns[c]!, sdtype: 'id', treatment: 'synthesize' };
  }
  // Lookups are chosen by their matcher after generation (lookups.ts); a composite one sharing a column with an FK to a synthesized table is a category.
  const matched = new Set(matchedLookups(plan, table));
  for (const fk of tp.lookups)
    for (const c of fk.childColumns) if (columns[c]) columns[c] = { ...columns[c], sdtype: matched.has(fk) ? 'id' : 'categorical', treatment: 'synthesize' };
  // Child counts are the relational structure itself: kept whole (no clipping of the largest
  // families), else the output loses the rows of every parent above the clip.
  for (const name of counts)
    columns[name] = {
      included: true,
      sdtype: 'numerical',
      sensitive: false,
      treatment: 'synthesize',
      options: { precision: 0, clipLowerQuantile: 0, clipUpperQuantile: 1 },
    };
  return { ...base, columns };
}

export function prepareRelational(input: RelationalInput): RelationalPrepared {
  const { config, metadata } = input;
  const log = input.log ?? (() => undefined);
  const problems = relationalProblems(config).filter((p) => p.severity === 'error');
  const plan = planFromData(config, input.tables);
  if (problems.length > 0) throw validationFailure(problems);
  if (!plan)
    throw new AppError('VALIDATION_FAILED', 'The foreign keys between synthesized tables form a cycle.', {
      fix: 'Run the validations: they name the cycle and the foreign key to delete or make non-context.',
      details: [],
    });
  // Original-data tables not referenced by synthesized rows are only copied (copyOriginal): not needed here.
  const held = heldOriginals(config);
  for (const t of [...plan.order, ...held]) {
    if (!input.tables[t]) throw new AppError('TABLE_NOT_FOUND', `Table "${t}" was not loaded.`, { fix: 'Check that the table still exists in the source.' });
  }
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    log('warn', m);
  };
  const s = config.settings;
  const rowCounts = Object.fromEntries(Object.entries(input.tables).map(([t, b]) => [t, b.rows.length]));
  const effective = input.effective ?? resolveSettings(config, { rows: rowCounts, trees: treesOf(plan) });
  const sub = trainingSubtrees(plan, input.tables, {
    caps: effective.tables,
    seed: s.seed,
    holdoutFraction: input.holdout?.fraction,
    holdoutMinRows: input.holdout?.minRows,
  });
  for (const [t, n] of Object.entries(sub.dropped)) {
    const ctx = plan.tables[t]!.context!;
    if (n > 0)
      warn(`${n} row(s) of "${t}" have no existing "${ctx.parentTable}" row for "${t}.${ctx.childColumns[0]}" (empty or dangling) and are not learned.`);
  }
  // Child counts as extra columns of each parent.
  const countColumns: Record<string, Record<string, string>> = {};
  const counts: Record<string, Int32Array[]> = {};
  for (const t of plan.order) {
    countColumns[t] = {};
    counts[t] = plan.tables[t]!.children.map((fk) => {
      countColumns[t]![fk.childTable] = countColumn(fk.childTable);
      const c = new Int32Array(sub.rows[t]!.rows.length);
      for (const p of sub.parentIdx[fk.childTable]!) c[p]! += 1;
      // Held-out children of kept parents still count: the output keeps the real family sizes.
      for (const p of sub.heldParentIdx[fk.childTable] ?? []) c[p]! += 1;
      return c;
    });
  }
  const withCounts = (t: string, batch: RowBatch): RowBatch => {
    const extra = counts[t]!;
    if (!extra.length) return batch;
    return { columns: [...batch.columns, ...Object.values(countColumns[t]!)], rows: batch.rows.map((r, i) => [...r, ...extra.map((c) => c[i]!)]) };
  };
  // What the models learn: text categories of child tables protected by entity (not by row).
  const entity = protectRareByEntity(config, effective, plan, sub.rows, sub.parentIdx);
  for (const [t, cols] of Object.entries(entity.protectedColumns)) {
    const which = cols.map((c) => `${c} (fewer than ${effective.tables[t]!.columns[c]!.rareCategoryThreshold})`).join(', ');
    log('info', `"${t}": values of ${which} seen for too few "${plan.tables[t]!.root}" rows are protected.`);
  }
  const inherited: Record<string, InheritedColumn[]> = {};
  for (const t of plan.order) {
    const ctx = plan.tables[t]!.context;
    inherited[t] = ctx ? inheritedColumns(config, t, ctx.parentTable, sub.rows[t]!, sub.rows[ctx.parentTable]!, sub.parentIdx[t]!) : [];
    if (inherited[t].length)
      log(
        'info',
        `"${t}": ${inherited[t].map((c) => `${c.column} = ${c.parentTable}.${c.parentColumn}`).join(', ')} in the data; copied from the generated "${ctx!.parentTable}" row.`,
      );
  }
  // Child dates as offsets from their parent's date, where that is tighter (not for copied columns).
  const relativeTimes = planRelativeTimes(config, plan, sub.rows, sub.parentIdx);
  for (const t of plan.order) {
    relativeTimes[t] = relativeTimes[t]!.filter((r) => !inherited[t]!.some((c) => c.column === r.column));
    if (relativeTimes[t].length)
      log('info', `"${t}": ${relativeTimes[t].map((r) => `${r.column} learned relative to "${r.parentTable ?? t}.${r.parentColumn}"`).join(', ')}.`);
  }
  const training: Record<string, RowBatch> = {};
  const plain: Record<string, RowBatch> = {};
  for (const t of plan.order) {
    const ctx = plan.tables[t]!.context;
    const learned = toRelative(entity.rows[t]!, sub.parentIdx[t] ?? null, ctx ? sub.rows[ctx.parentTable]! : null, relativeTimes[t]!);
    training[t] = withCounts(t, learned);
    plain[t] = learned === sub.rows[t] ? training[t] : withCounts(t, sub.rows[t]!);
  }
  const prepared: Record<string, PreparedTable> = {};
  for (const t of plan.order) {
    const tableConfig = modelConfig(config, plan, t, Object.values(countColumns[t]!));
    const meta = metadata.tables.find((m) => m.name === t);
    prepared[t] = prepareTable(training[t]!, {
      table: t,
      config: tableConfig,
      columns: meta?.columns ?? [],
      settings: s,
      effective: effective.tables[t],
      warn,
      minRows: plan.tables[t]!.context ? MIN_ROWS_CHILD : MIN_ROWS_ROOT,
      mockingKey: input.mockingKey,
      ...(input.wholeStats?.[t] ? { whole: input.wholeStats[t] } : {}),
      ...(input.artifactKey ? { artifactKey: input.artifactKey } : {}),
    });
  }
  const targets: Record<string, CandidateTargets> = {};
  for (const t of plan.order) {
    const p = prepared[t]!;
    targets[t] = {
      rows: training[t]!.rows.length,
      counts: Object.fromEntries(plan.tables[t]!.children.map((fk, j) => [countColumns[t]![fk.childTable]!, counts[t]![j]!])),
      copies: outputCopyFilter(p, training[t]!, [...p.columns], COUNT_PREFIX, input.artifactKey),
    };
  }
  const assignments = learnAssignments(plan, sub.rows, sub.parentIdx);
  const degreeRng = createRng(s.seed ^ 0x6d3e);
  for (const a of Object.values(assignments).flat()) {
    a.nullRate = emptyShare(input, a.fk, a.nullRate);
    a.degrees = wholeDegrees(input.wholeStats, a.fk, a.degrees, degreeRng);
    a.unique = wholeOneToOne(input.wholeStats, a.fk) ?? a.unique;
  }
  const lookupPools = learnLookupPools(plan, input.tables, training, (fk) => matchedLookups(plan, fk.childTable).includes(fk));
  const siblingConstant: Record<string, string[]> = {};
  for (const t of plan.order) {
    const link = sub.parentIdx[t];
    const p = prepared[t]!;
    siblingConstant[t] = link ? p.modelled.map((i) => p.plans[i]!.name).filter((c) => constantAmongSiblings(plain[t]!, c, link)) : [];
    if (siblingConstant[t].length) log('info', `"${t}": ${siblingConstant[t].join(', ')} shared by all children of a parent; generated once per parent.`);
  }
  // (Not under DP: a previous sibling's value would enter a second row's gradient.)
  const sequences: Record<string, string> = {};
  for (const t of plan.order) {
    const column = plan.tables[t]!.context && !s.privacy.differentialPrivacy.enabled ? sequenceColumn(config.tables[t]!, sub.rows[t]) : null;
    if (column && prepared[t]!.plans.some((p) => p.name === column && p.role === 'model')) sequences[t] = column;
  }
  const steps: Record<string, StepPattern> = {};
  for (const [t, column] of Object.entries(sequences)) {
    if (config.tables[t]!.columns[column]?.sdtype === 'datetime') continue;
    const pattern = learnSteps(sub.rows[t]!, column, sub.parentIdx[t]!, siblingOrder(sub.rows[t]!, config.tables[t]!));
    if (!pattern) continue;
    steps[t] = pattern;
    const skips = pattern.deltas.filter((d) => d !== 1).length / pattern.deltas.length;
    log(
      'info',
      `"${t}": ${column} is a step per "${plan.tables[t]!.context!.parentTable}" row; each continues the previous one as in the data (${(100 * skips).toFixed(1)}% not by 1).`,
    );
  }
  const evaluation: RelationalPrepared['evaluation'] = {};
  for (const t of plan.order) evaluation[t] = { train: sub.rows[t]!, holdout: sub.holdout[t]! };
  const forests: RelationalPrepared['forests'] = {};
  for (const t of plan.order) {
    forests[t] = plan.tables[t]!.selfRefs.map((fk) => {
      const link = resolveLinks(sub.rows[t]!, fk.childColumns[0]!, sub.rows[t]!, fk.parentColumns[0]!);
      const whole = wholeForest(input.wholeStats, fk);
      const shape = whole?.length ? forestShapeOf(whole) : learnForest(link);
      log(
        'info',
        `"${t}": ${fk.childColumns[0]} generated as a forest (${shape.depthShare.length} level(s), ${(100 * (shape.depthShare[0] ?? 0)).toFixed(0)}% roots), as in the ${whole?.length ? 'whole table (counted in the source)' : 'data'}.`,
      );
      return { fk, shape, depth: depthsOf(link) };
    });
  }
  return {
    input,
    plan,
    effective,
    training,
    parentIdx: sub.parentIdx,
    prepared,
    countColumns,
    assignments,
    lookupPools,
    siblingConstant,
    inherited,
    relativeTimes,
    sequences,
    steps,
    evaluation,
    forests,
    targets,
    warnings,
  };
}

/** Row contexts of every table (its features + its ancestors'), for real or synthetic rows. */
function rowContext(
  model: RelationalModel,
  table: string,
  rows: RowBatch,
  ancestors: Record<string, { matrix: Float32Array; dim: number }>,
  link: Int32Array | null,
): { matrix: Float32Array; dim: number } {
  const f = model.featurizers[table]!;
  const ctx = model.prepared.plan.tables[table]!.context;
  const up = ctx ? ancestors[ctx.parentTable] : undefined;
  return withAncestors(f.encode(rows), f.dim, up?.matrix ?? null, up?.dim ?? 0, link);
}

export interface RelationalFitOptions {
  /** How each table's model comes to be (default: trained; a model read back from artifacts generates again without training). */
  fit?: (prepared: PreparedTable, opts: FitOptions) => Promise<TableModel>;
  signal?: AbortSignal;
  onProgress?: (table: string, p: TrainProgress) => void;
  /** Called when a table's model is trained (before the next table starts). */
  onFitted?: (table: string, model: TableModel) => Promise<void> | void;
}

/**
 * The time budget is for the whole database: each table gets the time left, shared among the
 * tables still to train in proportion to their size (rows x modelled columns).
 */
function tableBudgets(prepared: RelationalPrepared): { next(table: string): { timeBudgetMs: number } | undefined } {
  const totalMs = prepared.input.config.settings.timeBudgetSeconds * 1000;
  const t0 = performance.now();
  const work = (t: string): number => Math.max(1, prepared.prepared[t]!.n) * Math.max(1, prepared.prepared[t]!.cards.length);
  const left = [...prepared.plan.order];
  return {
    next(table) {
      const weight = work(table) / left.reduce((a, t) => a + work(t), 0);
      left.splice(left.indexOf(table), 1);
      if (totalMs <= 0) return undefined;
      // At least a second, so that a table whose predecessors overran still trains one epoch.
      return { timeBudgetMs: Math.max(1000, (totalMs - (performance.now() - t0)) * weight) };
    },
  };
}

export async function fitRelational(prepared: RelationalPrepared, opts: RelationalFitOptions = {}): Promise<RelationalModel> {
  const { plan } = prepared;
  const model: RelationalModel = { prepared, models: {}, featurizers: {}, previous: {}, matchers: {}, links: {}, lookups: {} };
  const contexts: Record<string, { matrix: Float32Array; dim: number }> = {};
  const budget = tableBudgets(prepared);
  const stored = prepared.stored;
  try {
    for (const t of plan.order) {
      checkAborted(opts.signal);
      const p = prepared.prepared[t]!;
      model.featurizers[t] = featurizer(p);
      const seq = prepared.sequences[t];
      if (stored) {
        // Read back: the table models come from `fit`, the contexts from the generated parents.
        if (seq) model.previous[t] = featurizer(p, [seq]);
        model.models[t] = await (opts.fit ?? fitTable)(p, { signal: opts.signal });
        await opts.onFitted?.(t, model.models[t]);
        continue;
      }
      const ctx = plan.tables[t]!.context;
      const link = ctx ? prepared.parentIdx[t]! : null;
      let context: { matrix: Float32Array; dim: number } | undefined;
      if (ctx && link) {
        const parent = contexts[ctx.parentTable]!;
        const order = siblingOrder(prepared.training[t]!, prepared.input.config.tables[t]!);
        const sib = siblingPositions(link, order, prepared.training[ctx.parentTable]!.rows.length);
        context = childContext(parent.matrix, parent.dim, link, sib.position, sib.siblings);
        if (seq) {
          const f = (model.previous[t] = featurizer(p, [seq]));
          context = withPrevious(context, f.encode(prepared.training[t]!), f.dim, previousSiblings(link, order));
        }
      }
      model.models[t] = await (opts.fit ?? fitTable)(p, {
        context,
        signal: opts.signal,
        onProgress: (pr) => opts.onProgress?.(t, pr),
        overrides: budget.next(t),
      });
      await opts.onFitted?.(t, model.models[t]);
      if (plan.tables[t]!.children.length > 0) contexts[t] = rowContext(model, t, prepared.training[t]!, contexts, link);
    }
    if (stored) restoreMatchers(model, stored);
    else fitMatchers(model);
  } catch (e) {
    disposeRelational(model);
    throw e;
  }
  return model;
}

function outputRootRows(config: SynthesisConfig, sourceRows: number): number {
  const size = config.settings.outputSize;
  if (size.mode === 'rows') return size.rows;
  if (size.mode === 'scale') return Math.max(1, Math.round(sourceRows * size.factor));
  return sourceRows;
}

export interface RelationalSynthesisOptions {
  sink: (table: string, batch: RowBatch) => Promise<void>;
  signal?: AbortSignal;
  /** Rows to generate per root table (default: each root's source rows through the output-size setting). */
  rootRows?: Record<string, number>;
  seed?: number;
  batchSize?: number;
  /** Generation steps done (one per table of each family chunk) out of all of them. */
  onProgress?: (done: number, total: number, table: string) => void;
}

/** Rows of each root of the output (default: each root's source rows through the output-size setting). */
export function relationalRootRows(model: RelationalModel, rootRows?: Record<string, number>): Record<string, number> {
  const { plan, input } = model.prepared;
  return Object.fromEntries(
    plan.roots.map((t) => [t, rootRows?.[t] ?? outputRootRows(input.config, input.tables[t]?.rows.length ?? model.prepared.targets[t]!.rows)]),
  );
}

/** Family chunks [from, to) of an output, each as its tables (parents first, keys numbered from 0 in the chunk) and the keys it numbered per table. */
export interface FamilyChunk {
  chunk: number;
  tables: Record<string, RowBatch>;
  /** Keys numbered per table in this chunk (rows generated, before any left out): the next chunk's keys start after them. */
  spans: Record<string, number>;
}

export async function* generateFamilies(
  model: RelationalModel,
  opts: { rootRows: Record<string, number>; seed: number; from: number; to: number; signal?: AbortSignal; onTable?: (chunk: number, table: string) => void },
): AsyncGenerator<FamilyChunk> {
  const count = familyChunkCount(opts.rootRows);
  // Keys made of lookup FKs only, unique over the chunks generated here (see uniqueKeys).
  const across: KeysAcross = {};
  for (let c = opts.from; c < Math.min(opts.to, count); c++) {
    await heedCancel(opts.signal);
    const ranges = Object.fromEntries(Object.entries(opts.rootRows).map(([t, n]) => [t, rootRange(n, c, count)[1] - rootRange(n, c, count)[0]]));
    yield { chunk: c, ...(await synthesizeChunk(model, ranges, opts.rootRows, chunkSeed(opts.seed, c), opts.signal, (t) => opts.onTable?.(c, t), across)) };
  }
}

/**
 * Family chunks [from, to) as one part of the output (a site shard): keys numbered from 0 in the
 * part, to be shifted by the keys of the parts before it (`spans`, per table).
 */
export async function synthesizeFamilies(
  model: RelationalModel,
  opts: { rootRows: Record<string, number>; seed: number; from: number; to: number; signal?: AbortSignal },
): Promise<FamilyChunk & { shifts: Record<string, KeyShift[]> }> {
  const { plan, input } = model.prepared;
  const keys = keyShifts(input.config, plan, model.prepared.prepared);
  if (!('shifts' in keys))
    throw new AppError('BAD_REQUEST', `This relational output cannot be generated in parts: ${keys.problem}.`, { fix: 'Generate it without a site queue.' });
  const tables: Record<string, RowBatch> = {};
  const spans: Record<string, number> = {};
  for await (const family of generateFamilies(model, opts)) {
    shiftKeys(keys.shifts, family.tables, spans);
    for (const t of plan.order) {
      const dst = (tables[t] ??= { columns: family.tables[t]!.columns, rows: [] });
      for (const r of family.tables[t]!.rows) dst.rows.push(r);
      spans[t] = (spans[t] ?? 0) + family.spans[t]!;
    }
  }
  return { chunk: opts.from, tables, spans, shifts: keys.shifts };
}

export async function synthesizeRelational(model: RelationalModel, opts: RelationalSynthesisOptions): Promise<Record<string, number>> {
  const { plan, input } = model.prepared;
  const { config } = input;
  const seed = opts.seed ?? config.settings.seed;
  const written: Record<string, number> = {};
  const batchSize = opts.batchSize ?? 10_000;
  const sinkAll = async (table: string, batch: RowBatch): Promise<void> => {
    for (let i = 0; i < batch.rows.length; i += batchSize) {
      await heedCancel(opts.signal);
      await opts.sink(table, { columns: batch.columns, rows: batch.rows.slice(i, i + batchSize) });
    }
    written[table] = (written[table] ?? 0) + batch.rows.length;
  };
  // Original data first (synthesized rows reference it), parents before children so that a
  // destination checking its FKs at every insert accepts them.
  for (const name of originalsParentsFirst(config)) {
    const held = input.tables[name];
    written[name] = await copyOriginal(name, {
      held: held ? selfReferencesFirst(config, name, held) : undefined,
      copies: input.copies,
      sink: opts.sink,
      signal: opts.signal,
      log: input.log,
    });
  }

  const rootRows = relationalRootRows(model, opts.rootRows);
  const count = familyChunkCount(rootRows);
  const keys = keyShifts(config, plan, model.prepared.prepared);
  const offsets: Record<string, number> = {};
  let step = 0;
  const steps = count * plan.order.length;
  for await (const family of generateFamilies(model, {
    rootRows,
    seed,
    from: 0,
    to: count,
    signal: opts.signal,
    onTable: (_c, t) => opts.onProgress?.(++step, steps, t),
  })) {
    // Keys of the chunks before come first (a key that cannot be shifted is regenerated in one chunk only).
    if ('shifts' in keys) shiftKeys(keys.shifts, family.tables, offsets);
    else if (count > 1) throw new AppError('INTERNAL', `The keys of a relational output of ${count} family chunks cannot be numbered: ${keys.problem}.`);
    for (const t of plan.order) {
      await sinkAll(t, family.tables[t]!);
      offsets[t] = (offsets[t] ?? 0) + family.spans[t]!;
    }
  }
  return written;
}

/** One family chunk: the roots' rows given, then every table below them, FKs assigned, parents first. */
async function synthesizeChunk(
  model: RelationalModel,
  roots: Record<string, number>,
  whole: Record<string, number>,
  seed: number,
  signal: AbortSignal | undefined,
  onTable: (table: string) => void,
  across: KeysAcross,
): Promise<{ tables: Record<string, RowBatch>; spans: Record<string, number> }> {
  const { plan, input } = model.prepared;
  const { config } = input;
  const rng = createRng(seed + 77);
  const out: Record<string, RowBatch> = {};
  const spans: Record<string, number> = {};
  const links: Record<string, Int32Array> = {};
  const contexts: Record<string, { matrix: Float32Array; dim: number }> = {};
  for (let k = 0; k < plan.order.length; k++) {
    const t = plan.order[k]!;
    await heedCancel(signal);
    const tm = model.models[t]!;
    const tp = plan.tables[t]!;
    const columns = [...tm.prepared.columns];
    let batch: RowBatch;
    if (!tp.context) {
      const n = roots[t] ?? 0;
      batch = await sampleRoot(tm, n, columns, model.prepared.targets[t]!, seed, signal, whole[t] ?? n);
      spans[t] = n;
    } else {
      const fk = tp.context;
      const parent = out[fk.parentTable]!;
      const ci = parent.columns.indexOf(countColumn(t));
      const counts = Int32Array.from(parent.rows, (r) => {
        const v = Number(r[ci]);
        return Number.isFinite(v) ? Math.max(0, Math.round(v)) : 0;
      });
      const link: number[] = [];
      counts.forEach((c, p) => {
        for (let j = 0; j < c; j++) link.push(p);
      });
      const parentIdx = Int32Array.from(link);
      const positions = siblingPositions(
        parentIdx,
        Int32Array.from(parentIdx, (_, i) => i),
        parent.rows.length,
      );
      const pctx = contexts[fk.parentTable]!;
      const ctx = childContext(pctx.matrix, pctx.dim, parentIdx, positions.position, positions.siblings);
      const targets = model.prepared.targets[t]!;
      const previous = model.previous[t];
      const n = parentIdx.length;
      spans[t] = n;
      if (previous && n > 0) {
        const pattern = model.prepared.steps[t];
        const stepRng = createRng(seed + k + 0x5e9);
        const all = await sequenceCandidates(
          ctx,
          positions.position,
          columns,
          previous,
          childCandidates(tm, n),
          (c, m, round) => sampleCandidates(tm, c, m, columns, seed + k + round * 7919, signal),
          pattern ? { pattern, pick: (len) => stepRng.int(len) } : undefined,
        );
        batch = selectCandidates(tm, all, n, targets, seed + k);
        if (pattern) fitSteps(batch.rows, positions.position, columns.indexOf(pattern.column), pattern);
      } else batch = await sampleChildren(tm, ctx, n, columns, targets, seed + k, signal);
      // The context FK points at the parent row it was generated from.
      const pk = parent.columns.indexOf(fk.parentColumns[0]!);
      const fc = columns.indexOf(fk.childColumns[0]!);
      batch.rows.forEach((r, i) => (r[fc] = parent.rows[parentIdx[i]!]![pk] ?? null));
      links[t] = parentIdx;
      // Denormalized copies of the parent row (billing address = customer address): the generated parent's values.
      for (const inh of model.prepared.inherited[t] ?? []) {
        const ci = columns.indexOf(inh.column);
        const pi = parent.columns.indexOf(inh.parentColumn);
        if (ci >= 0 && pi >= 0) batch.rows.forEach((r, i) => (r[ci] = parent.rows[parentIdx[i]!]![pi] ?? null));
      }
      // Parent-level values of the children (same for all siblings in the data): the first sibling's.
      const shared = (model.prepared.siblingConstant[t] ?? []).map((c) => columns.indexOf(c)).filter((i) => i >= 0);
      if (shared.length) {
        const firstOf = new Map<number, Row>();
        batch.rows.forEach((r, i) => {
          const p = parentIdx[i]!;
          const f = firstOf.get(p);
          if (!f) firstOf.set(p, r);
          else for (const c of shared) r[c] = f[c] ?? null;
        });
      }
    }
    out[t] = batch;
    // Contexts see what the model learned (relative dates); the output and the children's own dates are absolute.
    if (tp.children.length > 0) contexts[t] = rowContext(model, t, batch, contexts, links[t] ?? null);
    toAbsolute(batch, links[t] ?? null, tp.context ? out[tp.context.parentTable]! : null, model.prepared.relativeTimes[t] ?? []);
    onTable(t);
  }
  const scores: AssignmentScores = (t, a) => {
    const m = model.links[relationshipKey(a.fk)];
    if (!m) return null;
    const child = out[t]!;
    const parent = out[a.fk.parentTable]!;
    return {
      ...scoring(m.scorer, m.child.encode(child), m.parent.encode(parent)),
      match: (linked, degrees) => matchLink(m, child, parent, generatedSiblings(links[t]), linked, degrees, rng),
    };
  };
  assignForeignKeys(plan, out, links, model.prepared.assignments, rng, scores);
  generateForests(model, out, rng);
  for (const t of plan.order)
    for (const m of model.lookups[t] ?? []) {
      const link = links[t];
      matchLookup(m, out[t]!, input.tables[m.fk.parentTable]!, generatedSiblings(link), rng);
    }
  repairLookups(plan, out, input.tables, model.prepared.lookupPools, rng);
  for (const [t, n] of Object.entries(uniqueKeys(config, plan, out, input.tables, rng, across)))
    input.log?.('info', `"${t}": ${n} generated row(s) repeating the primary key of an earlier one left out.`);
  const tables: Record<string, RowBatch> = {};
  for (const t of plan.order) {
    const b = out[t]!;
    const keep = b.columns.map((c, i) => (c.startsWith(COUNT_PREFIX) ? -1 : i)).filter((i) => i >= 0);
    const cols = keep.map((i) => b.columns[i]!);
    const rows: Row[] = b.rows.map((r) => keep.map((i) => (r[i] ?? null) as CellValue));
    tables[t] = selfReferencesFirst(config, t, { columns: cols, rows });
  }
  return { tables, spans };
}

/** Coarse ranges of a number the matchers compare (besides its quantile). */
const MATCH_BINS = 6;

/** Features the matchers compare: a table's modelled columns as the output has them (dates learned relative to a parent's left out). */
function matchFeaturizer(prepared: RelationalPrepared, table: string): Featurizer {
  const p = prepared.prepared[table]!;
  const relative = new Set((prepared.relativeTimes[table] ?? []).map((r) => r.column));
  return featurizer(
    p,
    p.plans.filter((x) => x.role === 'model' && !relative.has(x.name)).map((x) => x.name),
    MATCH_BINS,
  );
}

/** Previous sibling of each generated row (rows laid out parent by parent, siblings in order); null without a context. */
function generatedSiblings(link: Int32Array | undefined): Int32Array | null {
  return link
    ? previousSiblings(
        link,
        Int32Array.from(link, (_, i) => i),
      )
    : null;
}

/** The learned matchers of every non-context FK, self-reference and FK into original data, fitted on the real links. */
function fitMatchers(model: RelationalModel): void {
  const prepared = model.prepared;
  const rng = createRng(prepared.input.config.settings.seed ^ 0x3a7c);
  // (Its own stream: counted degrees leave the matchers' draws as they were.)
  const degreeRng = createRng(prepared.input.config.settings.seed ^ 0x6d3f);
  for (const t of prepared.plan.order) {
    const tp = prepared.plan.tables[t]!;
    const cRows = prepared.training[t]!;
    const previous = tp.context ? previousSiblings(prepared.parentIdx[t]!, siblingOrder(cRows, prepared.input.config.tables[t]!)) : null;
    const child = matchFeaturizer(prepared, t);
    const own = matchColumns(prepared, t);
    for (const fk of tp.selfRefs) {
      const link = resolveLinks(cRows, fk.childColumns[0]!, cRows, fk.parentColumns[0]!);
      const forest = prepared.forests[t]?.find((f) => f.fk === fk);
      model.matchers[relationshipKey(fk)] = {
        scorer: fitScorer(child.encode(cRows), child.dim, child.encode(cRows), child.dim, link, rng),
        child,
        parent: child,
        depths: forest ? depthCentres(child, cRows, forest.depth, prepared.effective.tables[t]!.copyFilter.threshold) : [],
      };
    }
    for (const fk of tp.assigned) {
      const pRows = prepared.training[fk.parentTable]!;
      const link = resolveLinks(cRows, fk.childColumns[0]!, pRows, fk.parentColumns[0]!);
      const side = { rows: pRows, features: matchFeaturizer(prepared, fk.parentTable), columns: matchColumns(prepared, fk.parentTable) };
      const m = (model.links[relationshipKey(fk)] = learnLink(fk, { rows: cRows, features: child, columns: own }, side, link, previous, rng));
      m.nullRate = emptyShare(prepared.input, fk, m.nullRate);
      m.degrees = wholeDegrees(prepared.input.wholeStats, fk, m.degrees, degreeRng);
      logAgreement(prepared, t, m);
    }
    const lookups = matchedLookups(prepared.plan, t);
    if (!lookups.length) continue;
    model.lookups[t] = lookups.map((fk) => {
      const m = learnLookup(prepared.input.config, fk, cRows, child, own, prepared.input.tables[fk.parentTable]!, previous, rng);
      m.nullRate = emptyShare(prepared.input, fk, m.nullRate);
      m.degrees = wholeDegrees(prepared.input.wholeStats, fk, m.degrees, degreeRng);
      return m;
    });
    for (const m of model.lookups[t]) logAgreement(prepared, t, m);
  }
}

/**
 * The share of a child table's rows whose foreign key is empty: over the whole source table when
 * the training rows are a sample (counted in the source), else the training rows' own share.
 */
function emptyShare(input: RelationalInput, fk: Relationship, learned: number): number {
  return (fk.childColumns.length === 1 ? wholeNullShare(input.wholeStats?.[fk.childTable], fk.childColumns[0]!) : undefined) ?? learned;
}

/** The matchers of a trained run read back: learned weights from the artifacts, featurizers from the prepared tables. */
function restoreMatchers(model: RelationalModel, stored: StoredMatchers): void {
  const prepared = model.prepared;
  for (const t of prepared.plan.order) {
    const tp = prepared.plan.tables[t]!;
    const child = matchFeaturizer(prepared, t);
    for (const fk of tp.selfRefs) {
      const m = stored.matchers[relationshipKey(fk)];
      if (m) model.matchers[relationshipKey(fk)] = { ...m, child, parent: child };
    }
    for (const fk of tp.assigned) {
      const m = stored.links[relationshipKey(fk)];
      if (m) model.links[relationshipKey(fk)] = { ...m, child, parent: matchFeaturizer(prepared, fk.parentTable) };
    }
    const lookups = stored.lookups[t];
    if (lookups?.length) model.lookups[t] = lookups.map((m) => restoreLookup(prepared.input.config, m, child, prepared.input.tables[m.fk.parentTable]!));
  }
}

function logAgreement(prepared: RelationalPrepared, t: string, m: LinkModel): void {
  const p = m.fk.parentTable;
  const what = [...m.agreement.equal.map((e) => `${e.child} = ${p}.${e.parent}`), ...m.agreement.stable.map((c) => `${p}.${c} kept across siblings`)];
  prepared.input.log?.(
    'info',
    `"${t}": ${m.fk.childColumns.join(', ')} chosen among the "${p}" rows by a learned matcher${what.length ? ` (${what.join(', ')}, as in the data)` : ''}.`,
  );
}

/** The modelled columns a matcher compares (dates learned relative to a parent's and child counts left out). */
function matchColumns(prepared: RelationalPrepared, table: string): string[] {
  const p = prepared.prepared[table]!;
  const relative = new Set((prepared.relativeTimes[table] ?? []).map((r) => r.column));
  return p.plans.filter((x) => x.role === 'model' && !relative.has(x.name) && !x.name.startsWith(COUNT_PREFIX)).map((x) => x.name);
}

/** Real rows whose features are averaged per depth (an even sample of the table). */
const NEIGHBOUR_SAMPLE = 1000;

/**
 * The centre of the features of the real rows at each depth (from an even sample), for depths
 * with at least `minRows` sampled rows (a centre of fewer would describe single rows); the most
 * common depth when none has as many.
 */
function depthCentres(features: Featurizer, real: RowBatch, depth: Int32Array, minRows: number): DepthCentre[] {
  const size = Math.min(NEIGHBOUR_SAMPLE, real.rows.length);
  const sample = Array.from({ length: size }, (_, k) => Math.floor((k * real.rows.length) / size));
  const feats = features.encode({ columns: real.columns, rows: sample.map((k) => real.rows[k]!) });
  const dim = features.dim;
  const sums = new Map<number, { n: number; sum: Float64Array }>();
  sample.forEach((k, j) => {
    const d = depth[k]!;
    let acc = sums.get(d);
    if (!acc) sums.set(d, (acc = { n: 0, sum: new Float64Array(dim) }));
    acc.n++;
    for (let a = 0; a < dim; a++) acc.sum[a]! += feats[j * dim + a]!;
  });
  const all = [...sums].sort((x, y) => x[0] - y[0]);
  const kept = all.filter(([, acc]) => acc.n >= minRows);
  const chosen = kept.length ? kept : all.sort((x, y) => y[1].n - x[1].n).slice(0, 1);
  return chosen.map(([d, acc]) => ({ depth: d, centre: Float32Array.from(acc.sum, (v) => v / acc.n) }));
}

/** Self-references of the generated rows, as forests (forest.ts). */
function generateForests(model: RelationalModel, out: Record<string, RowBatch>, rng: Rng): void {
  for (const [t, forests] of Object.entries(model.prepared.forests)) {
    for (const f of forests) {
      const m = model.matchers[relationshipKey(f.fk)];
      const rows = out[t]!;
      if (!m) continue;
      const feats = m.child.encode(rows);
      const sc = scoring(m.scorer, feats, m.parent.encode(rows));
      const dim = m.child.dim;
      const preferred = rows.rows.map((_, i) => {
        let best = -Infinity;
        let depth = 0;
        for (const c of m.depths) {
          let d = 0;
          for (let a = 0; a < dim; a++) d -= (feats[i * dim + a]! - c.centre[a]!) ** 2;
          if (d > best) {
            best = d;
            depth = c.depth;
          }
        }
        return depth;
      });
      const parent = generateForest(rows.rows.length, preferred, f.shape, sc.score, sc.popularity, rng);
      const ci = rows.columns.indexOf(f.fk.childColumns[0]!);
      const pk = rows.columns.indexOf(f.fk.parentColumns[0]!);
      parent.forEach((p, i) => (rows.rows[i]![ci] = p >= 0 ? (rows.rows[p]![pk] ?? null) : null));
    }
  }
}

/** Original-data tables, referenced tables first (config order among the rest; a cycle keeps config order). */
export function originalsParentsFirst(config: SynthesisConfig): string[] {
  const names = Object.entries(config.tables)
    .filter(([, t]) => t.treatment === 'original')
    .map(([n]) => n);
  const fks = activeForeignKeys(config).filter((fk) => fk.childTable !== fk.parentTable && names.includes(fk.childTable) && names.includes(fk.parentTable));
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < names.length) {
    const ready =
      names.find((n) => !placed.has(n) && fks.every((fk) => fk.childTable !== n || placed.has(fk.parentTable))) ?? names.find((n) => !placed.has(n))!;
    order.push(ready);
    placed.add(ready);
  }
  return order;
}

/** Rows of a self-referencing table (e.g. an employee's manager) ordered so that referenced rows come first. */
export function selfReferencesFirst(config: SynthesisConfig, table: string, batch: RowBatch): RowBatch {
  const fk = activeForeignKeys(config).find((f) => f.childTable === table && f.parentTable === table && f.childColumns.length === 1);
  if (!fk) return batch;
  const link = resolveLinks(batch, fk.childColumns[0]!, batch, fk.parentColumns[0]!);
  // Source order when it already lists referenced rows first.
  if (link.every((p, i) => p < i)) return batch;
  const depth = new Int32Array(batch.rows.length).fill(-1);
  const depthOf = (i: number): number => {
    const path: number[] = [];
    let r = i;
    // Walk up to a row of known depth, a root, or a cycle (cut at the row met twice).
    while (r >= 0 && depth[r]! < 0 && !path.includes(r)) {
      path.push(r);
      r = link[r]!;
    }
    let d = r >= 0 && depth[r]! >= 0 ? depth[r]! + 1 : 0;
    for (let k = path.length - 1; k >= 0; k--) depth[path[k]!] = d++;
    return depth[i]!;
  };
  const idx = batch.rows.map((_, i) => i);
  const d = idx.map(depthOf);
  idx.sort((a, b) => d[a]! - d[b]! || a - b);
  return { columns: batch.columns, rows: idx.map((i) => batch.rows[i] as Row) };
}

export function disposeRelational(model: RelationalModel): void {
  for (const m of Object.values(model.models)) disposeTable(m);
  model.models = {};
}

export { resolveLinks };
