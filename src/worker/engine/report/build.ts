/**
 * buildReport(input) → ReportJson: the quality and privacy report of one execution.
 *
 * Called by the worker's "Report generation" step with:
 * - `config`, `metadata`: the execution's SynthesisConfig and the source's DatasetMetadata;
 * - `realTrain[table]`: the real rows the model was trained on (after sampling), per table;
 * - `realHoldout[table]`: real rows of the same table kept OUT of training (equal-sized to the
 *   training rows is best; ≥ a few hundred rows). Empty or missing → privacy distances and
 *   utility are not measured for that table (the report says so);
 * - `synthetic[table]`: the generated rows per output table (original-data tables may be left
 *   out: their real rows stand in);
 * - `backend` ('tensorflow' | 'wasm' | 'cpu' …), `stepSeconds` (per JobStep, seconds);
 * - `privacyStats`: what the engine's privacy filters did (rare categories replaced, values
 *   clipped, copies filtered, DP ε/δ) — all optional.
 * All rows are RowBatch (columns + rows aligned to them), as read by the connectors.
 * Columns are evaluated per their config: included, synthesized (or kept), sdtype numerical,
 * datetime, categorical or boolean; keys, FK columns, text and mocked columns are skipped.
 */
import { wholeChildCounts, wholeForest, wholeNullShare, type ChildCountHistogram, type ForestLevels, type TableStats } from '../../../shared/table-stats';
import type { DestinationMapping } from '../../../shared/destination-mapping';
import type { DatasetMetadata, JobStep, Relationship, RowBatch, SynthesisConfig } from '../../../shared';
import { activeForeignKeys, clipsValues, columnSettings, relationshipKey, resolveSettings, type EffectiveSettings } from '../../../shared';
import { isContinuous, specsFromTableConfig, type ColumnSpec } from '../evaluate/columns';
import { privacySteps } from '../evaluate/privacy';
import { extremeChecks, rareCategoryChecks } from '../evaluate/protection';
import { qualitySteps, worstFirst } from '../evaluate/quality';
import { accuracySteps } from '../evaluate/accuracy';
import { fidelityNote } from './fidelity-note';
import { evaluateRelationship } from '../evaluate/relational';
import { sequenceColumn } from '../relational/order';
import { nanMean } from '../evaluate/stats';
import { chooseTargets, utilitySteps, type UtilityResult } from '../evaluate/utility';
import { associationMatrix, correlationMatrix, distribution } from './chart-data';
import {
  reportJsonSchema,
  type ColumnClipping,
  type Distribution,
  type ModelChoiceReport,
  type RelationshipReport,
  type ReportJson,
  type TableReport,
} from '../../../report/schema';
import { settingsList } from './settings';
import { runSteps, type Steps } from '../steps';
import { privacyVerdict } from './verdict';

/**
 * Synthetic rows per table the report measures: a uniform sample of the output (the synthesis
 * keeps it in a reservoir as the rows go by; a sharded generation regenerates its first shards),
 * so the report's memory and time are the same whatever the output's row count.
 */
export const REPORT_ROWS = 50_000;

/** The report's synthetic rows per table: REPORT_ROWS, or the positive whole number in `DOPPEL_REPORT_ROWS` (a smaller sample for a small machine). */
export function reportRows(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DOPPEL_REPORT_ROWS);
  return Number.isSafeInteger(n) && n > 0 ? n : REPORT_ROWS;
}

/** What the engine's privacy mechanisms did (all optional; shown in the report's Privacy part). */
export interface EnginePrivacyStats {
  /** Per column: how many categories were below the threshold and replaced (and in how many rows). */
  rareCategories?: { table: string; column: string; categories: number; rows?: number }[];
  /** Per column: extreme values clipped to [low, high] (and in how many rows). */
  clipped?: { table: string; column: string; rows?: number; low?: number; high?: number }[];
  /** Per table: synthetic rows dropped because they equalled a unique training row. */
  filteredCopies?: Record<string, number>;
  /** Differential privacy actually spent, when DP training was on. */
  differentialPrivacy?: { epsilon: number; delta?: number } | null;
}

export interface ReportInput {
  executionId?: string;
  /** The audit chain's newest record when the execution started (null: the chain was empty). */
  auditHead?: { seq: number; hash: string } | null;
  config: SynthesisConfig;
  metadata: DatasetMetadata;
  realTrain: Record<string, RowBatch>;
  realHoldout: Record<string, RowBatch>;
  synthetic: Record<string, RowBatch>;
  backend: string;
  stepSeconds: Partial<Record<JobStep, number>>;
  privacyStats?: EnginePrivacyStats;
  /** The settings the engine applied (default: resolved from the config and the rows given). */
  effective?: EffectiveSettings;
  /** Child columns the relational engine copied from their generated parent row (denormalized copies). */
  inherited?: Record<string, { column: string; parentTable: string; parentColumn: string }[]>;
  /** Per synthesized table: the model that generated it and why. */
  models?: Record<string, ModelChoiceReport>;
  /** Timestamp of the report (default: now). */
  generatedAt?: Date;
  seed?: number;
  /** A database destination's renamed names and changed column types. */
  destination?: DestinationMapping | null;
  /** Statistics over every row of the tables trained on a sample: the rare checks count the table, not the sample. */
  wholeStats?: Record<string, TableStats>;
  /** Per link (`relationshipKey`): parents per number of children over every row of the output, when the synthetic rows given are a sample of it. */
  syntheticChildCounts?: Record<string, ChildCountHistogram>;
}

const MAX_ASSOCIATION_COLUMNS = 24;

function concat(a: RowBatch | undefined, b: RowBatch | undefined): RowBatch | undefined {
  if (!a) return b;
  if (!b || b.rows.length === 0) return a;
  const idx = a.columns.map((c) => b.columns.indexOf(c));
  return { columns: a.columns, rows: [...a.rows, ...b.rows.map((r) => idx.map((i) => (i < 0 ? null : r[i]!)))] };
}

/** Rows per side for the distance metrics: 5,000 up to 15 columns, fewer for wide tables (cost ∝ rows × columns). */
function realRowsForDistances(columns: number): number {
  return Math.max(1500, Math.min(5000, Math.round(75_000 / Math.max(1, columns))));
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Inherited columns whose parent column is mocked: fake values, like their parent's, so not compared with the real ones. */
export function mockedCopies(input: Pick<ReportInput, 'config' | 'inherited'>, table: string): { column: string; parentTable: string; parentColumn: string }[] {
  return (input.inherited?.[table] ?? []).filter((c) => {
    const treatment = input.config.tables[c.parentTable]?.columns[c.parentColumn]?.treatment;
    return treatment !== 'synthesize' && treatment !== 'keep';
  });
}

/**
 * A table's report, one measure at a time: the generator yields between measures (scores, accuracy,
 * privacy distances, each utility target, charts' data, checks), where a caller can let a cancel be heard.
 */
function* tableReport(input: ReportInput, effective: EffectiveSettings, name: string, specs: ColumnSpec[], utilityTargets: string[]): Steps<TableReport> {
  const tc = input.config.tables[name]!;
  const train = input.realTrain[name] ?? { columns: [], rows: [] };
  const holdout = input.realHoldout[name] ?? { columns: train.columns, rows: [] };
  const syn = input.synthetic[name] ?? { columns: train.columns, rows: [] };
  const copied = new Map(mockedCopies(input, name).map((c) => [c.column, c]));
  const otherTreatments = Object.entries(tc.columns)
    .filter(([column, c]) => c.included && (c.treatment !== 'synthesize' || copied.has(column)))
    .map(([column, c]) => {
      const from = copied.get(column);
      return { column, treatment: from ? `mock (copy of ${from.parentTable}.${from.parentColumn})` : c.treatment };
    });
  const rows = { real: train.rows.length + holdout.rows.length, train: train.rows.length, holdout: holdout.rows.length, synthetic: syn.rows.length };
  const columnCount = Object.values(tc.columns).filter((c) => c.included).length;
  if (tc.treatment === 'original') {
    return {
      name,
      treatment: 'original',
      rows: { ...rows, synthetic: rows.real },
      columnCount,
      quality: null,
      columnShapes: null,
      columnPairTrends: null,
      accuracy: null,
      fidelityNote: null,
      columns: [],
      pairs: [],
      distributions: [],
      correlations: null,
      associations: null,
      privacy: null,
      utility: null,
      moreUtility: [],
      checks: null,
      model: null,
      otherTreatments,
    };
  }
  const q = yield* qualitySteps(train, syn, specs);
  yield;
  const whole = input.wholeStats?.[name];
  const acc = yield* accuracySteps(train, syn, specs, { seed: input.seed, ...(whole ? { whole } : {}) });
  yield;
  const accuracy = { score: acc.score, univariate: acc.univariate, bivariate: acc.bivariate, trivariate: acc.trivariate };
  const columns = worstFirst(q.columns);
  const order = new Map(columns.map((c, i) => [c.column, i]));
  const specsByScore = [...specs].sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  const seed = input.seed ?? 42;
  const global = input.config.settings.privacy.rareCategoryThreshold;
  const threshold = (column: string): number => effective.tables[name]?.columns[column]?.rareCategoryThreshold ?? global;
  const privacy =
    specs.length > 0 && train.rows.length > 0 && syn.rows.length > 0
      ? yield* privacySteps({ train, holdout, synthetic: syn, columns: specs, seed, maxRealRows: realRowsForDistances(specs.length) })
      : null;
  yield;
  const extremes = extremeChecks(train, syn, specs, threshold, whole);
  yield;
  const scored: UtilityResult[] = [];
  for (const target of holdout.rows.length > 0 ? utilityTargets : []) {
    const u = yield* utilitySteps({ train, holdout, synthetic: syn, columns: specs, target, seed });
    if (u) scored.push(u);
    yield;
  }
  const distributions: Distribution[] = [];
  for (const s of specsByScore) {
    distributions.push(withWholeMissing(distribution(train, syn, s, whole?.columns[s.name]), whole));
    yield;
  }
  const correlations = correlationMatrix(train, syn, specs);
  yield;
  const associations = associationMatrix(train, syn, specs.slice(0, MAX_ASSOCIATION_COLUMNS));
  yield;
  const rare = rareCategoryChecks(train, syn, specs, threshold, whole).map((c) => ({ ...c, threshold: threshold(c.column) }));
  // The headline is the first informative target (else the first measured one, else the first one); the others are listed after it.
  const utility = scored.find((u) => u.informative) ?? scored.find((u) => u.notMeasurable === null) ?? scored[0] ?? null;
  const moreUtility = scored.filter((u) => u !== utility);
  return {
    name,
    treatment: 'synthesize',
    rows,
    columnCount,
    quality: q.score,
    columnShapes: q.columnShapes,
    columnPairTrends: q.columnPairTrends,
    accuracy,
    fidelityNote: fidelityNote(q.score, accuracy.score, extremes, (column) =>
      clipsValues(columnSettings(effective.tables[name], input.config.settings, column, tc.columns[column] ?? { options: {} })),
    ),
    columns,
    pairs: worstFirst(q.pairs),
    distributions,
    correlations,
    associations,
    privacy,
    utility,
    moreUtility,
    checks: { rare, extremes },
    model: input.models?.[name] ?? null,
    otherTreatments,
  };
}

/** A sampled table's real share of empty cells is the whole table's (counted in the source), not the sample's. */
function withWholeMissing(d: Distribution, whole: TableStats | undefined): Distribution {
  const share = wholeNullShare(whole, d.column);
  return share === undefined ? d : { ...d, missing: { ...d.missing, real: share } };
}

/** A link's real children per parent counted over the whole tables, when its child table was read as a sample. */
function wholeCountsOf(stats: Record<string, TableStats> | undefined, fk: Relationship): { wholeCounts?: ChildCountHistogram; wholeForest?: ForestLevels } {
  const h = wholeChildCounts(stats, fk);
  const f = wholeForest(stats, fk);
  return { ...(h ? { wholeCounts: h } : {}), ...(f?.length ? { wholeForest: f } : {}) };
}

/** A link's synthetic children per parent counted over the whole output, when the report's synthetic rows are a sample of it. */
function syntheticCountsOf(counts: Record<string, ChildCountHistogram> | undefined, fk: Relationship): { syntheticCounts?: ChildCountHistogram } {
  const h = counts?.[relationshipKey(fk)];
  return h ? { syntheticCounts: h } : {};
}

/** The learned numerical and datetime columns of the synthesized tables, each with the clipping the engine applied to it. */
function appliedClipping(input: ReportInput, effective: EffectiveSettings, specs: Record<string, ColumnSpec[]>, synthesized: string[]): ColumnClipping[] {
  return synthesized.flatMap((table) => {
    const columns = input.config.tables[table]!.columns;
    return (specs[table] ?? [])
      .filter((s) => isContinuous(s.sdtype) && columns[s.name]?.treatment === 'synthesize')
      .map((s) => ({ table, column: s.name, ...columnSettings(effective.tables[table], input.config.settings, s.name, columns[s.name]!).clip }));
  });
}

/** The report of an execution, built at once. */
export function buildReport(input: ReportInput): ReportJson {
  return runSteps(reportSteps(input));
}

/** The report of an execution, measure by measure: the steps yield between measures, tables and links. */
export function* reportSteps(input: ReportInput): Steps<ReportJson> {
  const { config } = input;
  const effective =
    input.effective ??
    resolveSettings(config, {
      rows: Object.fromEntries(Object.keys(config.tables).map((t) => [t, (input.realTrain[t]?.rows.length ?? 0) + (input.realHoldout[t]?.rows.length ?? 0)])),
    });
  const fks = activeForeignKeys(config);
  const fkColumns = new Map<string, Set<string>>();
  for (const fk of fks) {
    const set = fkColumns.get(fk.childTable) ?? new Set<string>();
    fk.childColumns.forEach((c) => set.add(c));
    fkColumns.set(fk.childTable, set);
  }
  const outputTables = Object.entries(config.tables).filter(([, t]) => t.treatment !== 'exclude');
  const specs: Record<string, ColumnSpec[]> = {};
  for (const [name, t] of outputTables) {
    const copies = new Set(mockedCopies(input, name).map((c) => c.column));
    specs[name] = specsFromTableConfig(t).filter((c) => !fkColumns.get(name)?.has(c.name) && !copies.has(c.name));
  }

  const synthesized = outputTables.filter(([, t]) => t.treatment === 'synthesize').map(([n]) => n);
  const targetTable =
    config.report.targetTable && synthesized.includes(config.report.targetTable)
      ? config.report.targetTable
      : (synthesized.find((t) => !fkColumns.has(t)) ?? synthesized[0]);
  const tables: TableReport[] = [];
  for (const [name] of outputTables) {
    const train = input.realTrain[name];
    const targets = name === targetTable && train ? chooseTargets(train, specs[name] ?? [], config) : [];
    tables.push(yield* tableReport(input, effective, name, specs[name] ?? [], targets));
    yield;
  }

  const realAll: Record<string, RowBatch> = {};
  const synAll: Record<string, RowBatch> = {};
  for (const [name, t] of outputTables) {
    const real = concat(input.realTrain[name], input.realHoldout[name]);
    if (real) realAll[name] = real;
    const syn = input.synthetic[name] ?? (t.treatment === 'original' ? real : undefined);
    if (syn) synAll[name] = syn;
  }
  const relationships: RelationshipReport[] = [];
  for (const fk of fks) {
    yield;
    const child = config.tables[fk.childTable];
    const r = evaluateRelationship({
      relationship: fk,
      real: { tables: realAll },
      synthetic: { tables: synAll },
      columns: specs,
      seed: input.seed,
      sequenceColumn: child ? sequenceColumn(child, realAll[fk.childTable]) : null,
      ...wholeCountsOf(input.wholeStats, fk),
      ...syntheticCountsOf(input.syntheticChildCounts, fk),
    });
    if (r) relationships.push({ ...r, key: relationshipKey(fk), pairs: worstFirst(r.pairs) });
  }

  const synthTables = tables.filter((t) => t.treatment === 'synthesize');
  const columnShapes = finite(nanMean(synthTables.map((t) => t.columnShapes ?? NaN)));
  const accuracy = finite(nanMean(synthTables.map((t) => t.accuracy?.score ?? NaN)));
  const columnPairTrends = finite(nanMean(synthTables.map((t) => t.columnPairTrends ?? NaN)));
  const cardinality = finite(nanMean(relationships.map((r) => r.cardinality ?? NaN)));
  const intertableTrends = finite(nanMean(relationships.map((r) => r.pairTrends ?? NaN)));
  const quality = finite(nanMean([columnShapes, columnPairTrends, cardinality, intertableTrends].map((x) => x ?? NaN)));

  const dp =
    input.privacyStats?.differentialPrivacy ??
    (config.settings.privacy.differentialPrivacy.enabled
      ? { epsilon: config.settings.privacy.differentialPrivacy.epsilon, delta: config.settings.privacy.differentialPrivacy.delta }
      : null);
  const privacy = privacyVerdict(
    synthTables.map((t) => ({ table: t.name, privacy: t.privacy, checks: t.checks })),
    dp,
  );
  const ut = synthTables.find((t) => t.utility)?.utility ?? null;
  const utilTable = synthTables.find((t) => t.utility)?.name;
  const stepSeconds: Record<string, number> = {};
  for (const [k, v] of Object.entries(input.stepSeconds)) if (typeof v === 'number') stepSeconds[k] = v;
  const p = config.settings.privacy;

  const report: ReportJson = {
    version: 1,
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    executionId: input.executionId ?? null,
    ...(input.auditHead !== undefined ? { auditHead: input.auditHead } : {}),
    name: config.name,
    summary: {
      quality,
      accuracy,
      columnShapes,
      columnPairTrends,
      cardinality,
      intertableTrends,
      privacy,
      utility:
        ut && utilTable
          ? {
              table: utilTable,
              target: ut.target,
              metric: ut.metric,
              real: ut.real[ut.metric] ?? null,
              synthetic: ut.synthetic[ut.metric] ?? null,
              gap: ut.gap,
              informative: ut.informative,
              notMeasurable: ut.notMeasurable,
            }
          : null,
      backend: input.backend,
      stepSeconds,
      totalSeconds: Object.values(stepSeconds).reduce((a, b) => a + b, 0),
      settings: settingsList(config, effective),
      tables: tables.map((t) => ({ name: t.name, treatment: t.treatment, real: t.rows.real, synthetic: t.rows.synthetic })),
    },
    tables,
    relationships,
    protection: {
      protectRareCategories: p.protectRareCategories,
      rareCategoryThreshold: p.rareCategoryThreshold,
      clipOutliers: appliedClipping(input, effective, specs, synthesized),
      filterCopies: Object.values(effective.tables).some((t) => t.copyFilter.enabled),
      rareCategories:
        input.privacyStats?.rareCategories ??
        synthTables.flatMap((t) =>
          (t.checks?.rare ?? []).map((r) => ({ table: t.name, column: r.column, categories: r.categories, rows: r.trainRows, threshold: r.threshold })),
        ),
      clipped: input.privacyStats?.clipped ?? [],
      filteredCopies: input.privacyStats?.filteredCopies ?? {},
      differentialPrivacy: dp,
      replacedColumns: tables.flatMap((t) => t.otherTreatments.filter((o) => o.treatment !== 'keep').map((o) => ({ table: t.name, ...o }))),
    },
    effectiveSettings: effective,
    ...(input.destination ? { destination: input.destination } : {}),
  };
  return reportJsonSchema.parse(report);
}
