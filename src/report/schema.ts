/**
 * The stored quality and privacy report of an execution (`report.json` in its workspace).
 * Scores are fractions in [0, 1] (null when not computable); the HTML shows them as percentages.
 */
import { z } from 'zod';
import { effectiveColumnSchema, effectiveSettingsSchema } from '../shared/effective-settings';
import { destinationMappingSchema } from '../shared/destination-mapping';

const score = z.number().nullable();
const sdtype = z.enum(['numerical', 'categorical', 'datetime', 'boolean', 'text', 'id']);

export const columnShapeSchema = z.object({ column: z.string(), sdtype, metric: z.enum(['KSComplement', 'TVComplement']), score });
export const pairTrendSchema = z.object({
  column1: z.string(),
  column2: z.string(),
  metric: z.enum(['CorrelationSimilarity', 'ContingencySimilarity']),
  score,
  realCorrelation: score,
  syntheticCorrelation: score,
});

/** Real vs synthetic shares per bin or category, for one column's chart. */
export const distributionSchema = z.object({
  column: z.string(),
  sdtype,
  kind: z.enum(['numeric', 'datetime', 'categorical']),
  /** Bins (numeric/datetime: `from`/`to`; categorical: `label`), shares of non-missing rows. */
  bins: z.array(z.object({ label: z.string(), from: z.number().optional(), to: z.number().optional(), real: z.number(), synthetic: z.number() })),
  missing: z.object({ real: z.number(), synthetic: z.number() }),
});
export type Distribution = z.infer<typeof distributionSchema>;

/** Square matrix over `columns` (null where undefined). */
export const matrixSchema = z.object({ columns: z.array(z.string()), real: z.array(z.array(score)), synthetic: z.array(z.array(score)) });
export type Matrix = z.infer<typeof matrixSchema>;

const distanceSummary = z.object({ p5: z.number(), median: z.number(), mean: z.number() });
const histogram = z.object({ edges: z.array(z.number()), synthetic: z.array(z.number()), holdout: z.array(z.number()) });
export type Histogram = z.infer<typeof histogram>;

/** An attack's risk is flagged when the lower end of its 95% interval is above this. */
export const ATTACK_RISK_THRESHOLD = 0.1;
/** Membership-inference AUC above this is a signal; above MIA_AUC_AT_RISK a risk. */
export const MIA_AUC_ACCEPTABLE = 0.55;
export const MIA_AUC_AT_RISK = 0.6;

/** A utility model must beat the no-feature baseline by this much for the task to be informative. */
export const INFORMATIVE_MARGIN = 0.02;

const attackRisk = z.object({
  attackRate: z.number(),
  controlRate: z.number(),
  attacks: z.number().int(),
  risk: z.number(),
  riskLow: z.number(),
  riskHigh: z.number(),
});
export const attacksSchema = z.object({
  singlingOut: attackRisk.nullable(),
  linkability: attackRisk.nullable(),
  inference: attackRisk.extend({ column: z.string() }).nullable(),
  inferenceColumns: z.array(z.object({ column: z.string(), risk: z.number() })),
  membershipAuc: score,
  sizes: z.object({ targets: z.number().int(), synthetic: z.number().int() }),
});

export const privacyResultSchema = z.object({
  dcrShare: score,
  dcr: z.object({ synthetic: distanceSummary, holdout: distanceSummary.nullable(), histogram }),
  nndr: z.object({ synthetic: distanceSummary, holdout: distanceSummary.nullable(), histogram }),
  exactMatches: z.number().int(),
  exactMatchesUnique: z.number().int(),
  exactMatchRate: z.number(),
  uniqueMatchRate: z.number(),
  holdoutExactMatchRate: score,
  holdoutUniqueMatchRate: score,
  sampleSizes: z.object({ train: z.number().int(), holdout: z.number().int(), synthetic: z.number().int() }),
  columns: z.array(z.string()),
  attacks: attacksSchema.nullable().default(null),
});

const modelScores = z.object({ accuracy: z.number().optional(), macroF1: z.number().optional(), r2: z.number().optional() });
export const utilitySchema = z.object({
  target: z.string(),
  task: z.enum(['classification', 'regression']),
  metric: z.enum(['macroF1', 'r2']),
  real: modelScores,
  synthetic: modelScores,
  gap: score,
  majorityBaseline: z.number().optional(),
  /** Headline metric of the baseline that ignores the features (majority class; R² 0). */
  baseline: z.number().default(0),
  /** False when neither model beats that baseline (the gap is then null: "not informative"). */
  informative: z.boolean().default(true),
  /** Why the task could not be scored (no other column to predict from, a single target value): scores empty, gap null. */
  notMeasurable: z.string().nullable().default(null),
  rows: z.object({ train: z.number().int(), synthetic: z.number().int(), holdout: z.number().int() }),
  classes: z.array(z.string()).optional(),
});

/** Measured checks of the protections (see evaluate/protection.ts). */
export const protectionChecksSchema = z.object({
  /** `threshold`: the column's effective rare-category threshold the check used (the one the engine applied). */
  rare: z.array(
    z.object({
      column: z.string(),
      categories: z.number().int(),
      trainRows: z.number().int(),
      syntheticRows: z.number().int(),
      threshold: z.number().int().optional(),
      /** Rarity counted over every row of the source table (the training rows were a sample). */
      wholeTable: z.boolean().optional(),
    }),
  ),
  extremes: z.array(
    z.object({
      column: z.string(),
      sdtype,
      real: z.tuple([z.number(), z.number()]),
      synthetic: z.tuple([z.number(), z.number()]).nullable(),
      rareExtremes: z.object({ min: z.boolean(), max: z.boolean() }),
      reachesExtreme: z.boolean(),
      /** The real extremes and their rows are the source table's (the training rows were a sample). */
      wholeTable: z.boolean().optional(),
    }),
  ),
});
export type ProtectionChecks = z.infer<typeof protectionChecksSchema>;

/** Robust fidelity: accuracy on bins of the real data applied to both sides (evaluate/accuracy.ts). */
export const accuracySchema = z.object({ score, univariate: score, bivariate: score, trivariate: score });
export type Accuracy = z.infer<typeof accuracySchema>;

/** The model that generated a table and why (held-out scores of the network and the copula). */
export const modelChoiceSchema = z.object({
  family: z.enum(['network', 'copula', 'blend', 'none']),
  /** Share of the rows drawn from the copula. */
  copulaShare: z.number(),
  network: score,
  copula: score,
  chosen: score,
  validationRows: z.number().int(),
  epochs: z.number().int().nullable(),
  reason: z.string(),
});
export type ModelChoiceReport = z.infer<typeof modelChoiceSchema>;

export const tableReportSchema = z.object({
  name: z.string(),
  treatment: z.enum(['synthesize', 'original']),
  rows: z.object({ real: z.number().int(), train: z.number().int(), holdout: z.number().int(), synthetic: z.number().int() }),
  columnCount: z.number().int(),
  quality: score,
  columnShapes: score,
  columnPairTrends: score,
  accuracy: accuracySchema.nullable().default(null),
  /** Why the SDMetrics-compatible and the robust score disagree, when they do. */
  fidelityNote: z.string().nullable().default(null),
  /** Worst first. */
  columns: z.array(columnShapeSchema),
  /** Worst first. */
  pairs: z.array(pairTrendSchema),
  distributions: z.array(distributionSchema),
  correlations: matrixSchema.nullable(),
  associations: matrixSchema.nullable(),
  privacy: privacyResultSchema.nullable(),
  utility: utilitySchema.nullable(),
  /** The same score for further automatic targets (none when the user chose the target). */
  moreUtility: z.array(utilitySchema).default([]),
  checks: protectionChecksSchema.nullable(),
  /** Which model generated the table and why (absent in older reports and for original data). */
  model: modelChoiceSchema.nullable().default(null),
  /** Columns mocked, masked, nulled or kept rather than synthesized. */
  otherTreatments: z.array(z.object({ column: z.string(), treatment: z.string() })),
});
export type TableReport = z.infer<typeof tableReportSchema>;

export const relationshipReportSchema = z.object({
  key: z.string(),
  parentTable: z.string(),
  childTable: z.string(),
  cardinality: score,
  integrity: score,
  realIntegrity: score,
  childCounts: z.object({ labels: z.array(z.string()), real: z.array(z.number()), synthetic: z.array(z.number()) }),
  meanChildren: z.object({ real: z.number(), synthetic: z.number() }),
  pairTrends: score,
  pairs: z.array(pairTrendSchema),
  /** Ordered children: how the gaps between consecutive siblings compare (KSComplement), and their medians. */
  sequence: z
    .object({ column: z.string(), gaps: score, medianGap: z.object({ real: z.number().nullable(), synthetic: z.number().nullable() }) })
    .nullable()
    .default(null),
  /** Self-references: how the depths and fan-outs of the forests compare (KSComplement), and their deepest levels. */
  forest: z
    .object({ depth: score, fanout: score, maxDepth: z.object({ real: z.number(), synthetic: z.number() }) })
    .nullable()
    .default(null),
});
export type RelationshipReport = z.infer<typeof relationshipReportSchema>;

export const verdictLevels = ['strong', 'acceptable', 'at-risk', 'not-measured'] as const;

/** A learned numerical or datetime column and the clipping the engine applied to it (its effective setting). */
export const columnClippingSchema = effectiveColumnSchema.shape.clip.extend({ table: z.string(), column: z.string() });
export type ColumnClipping = z.infer<typeof columnClippingSchema>;

export const protectionSchema = z.object({
  protectRareCategories: z.boolean(),
  rareCategoryThreshold: z.number().int(),
  /** Per learned numerical/datetime column, the clipping applied (reports of earlier versions hold the synthesis-wide switch). */
  clipOutliers: z.union([z.array(columnClippingSchema), z.boolean()]),
  filterCopies: z.boolean(),
  rareCategories: z.array(
    z.object({
      table: z.string(),
      column: z.string(),
      categories: z.number().int(),
      rows: z.number().int().optional(),
      threshold: z.number().int().optional(),
    }),
  ),
  clipped: z.array(
    z.object({ table: z.string(), column: z.string(), rows: z.number().int().optional(), low: z.number().optional(), high: z.number().optional() }),
  ),
  filteredCopies: z.record(z.string(), z.number().int()),
  differentialPrivacy: z.object({ epsilon: z.number(), delta: z.number().optional() }).nullable(),
  /** Columns never learned: mocked, masked or set to null. */
  replacedColumns: z.array(z.object({ table: z.string(), column: z.string(), treatment: z.string() })),
});
export type Protection = z.infer<typeof protectionSchema>;

export const reportJsonSchema = z.object({
  version: z.literal(1),
  generatedAt: z.string(),
  executionId: z.string().nullable(),
  name: z.string(),
  /** The audit chain's newest record when the execution started (`doppel audit --verify` checks it is still in the chain). */
  auditHead: z.object({ seq: z.number().int(), hash: z.string() }).nullable().optional(),
  summary: z.object({
    /** 0–1; SDMetrics Quality (single table) or the mean of its multi-table properties. */
    quality: score,
    /** 0–1; the robust score (mean accuracy of the synthesized tables on bins of the real data). */
    accuracy: score.default(null),
    columnShapes: score,
    columnPairTrends: score,
    cardinality: score,
    intertableTrends: score,
    privacy: z.object({
      level: z.enum(verdictLevels),
      headline: z.string(),
      details: z.array(z.string()),
      dcrShare: score,
      exactMatches: z.number().int().nullable(),
      exactMatchesUnique: z.number().int().nullable(),
    }),
    utility: z
      .object({
        table: z.string(),
        target: z.string(),
        metric: z.enum(['macroF1', 'r2']),
        real: score,
        synthetic: score,
        gap: score,
        informative: z.boolean().default(true),
        /** Why utility could not be measured on this target (real, synthetic and gap are then null). */
        notMeasurable: z.string().nullable().default(null),
      })
      .nullable(),
    backend: z.string(),
    stepSeconds: z.record(z.string(), z.number()),
    totalSeconds: z.number(),
    settings: z.array(z.object({ label: z.string(), value: z.string() })),
    tables: z.array(z.object({ name: z.string(), treatment: z.string(), real: z.number().int(), synthetic: z.number().int() })),
  }),
  tables: z.array(tableReportSchema),
  relationships: z.array(relationshipReportSchema),
  protection: protectionSchema,
  /** What the engine applied per table and column (absent in reports of older versions). */
  effectiveSettings: effectiveSettingsSchema.optional(),
  /** A database destination: the names it stores differently and the column types it changes (absent for the local store). */
  destination: destinationMappingSchema.optional(),
});
export type ReportJson = z.infer<typeof reportJsonSchema>;

/** Parses a stored report (throws a zod error on a malformed file). */
export function parseReport(value: unknown): ReportJson {
  return reportJsonSchema.parse(value);
}
