import { z } from 'zod';
import { relationshipSchema, sdtypeSchema } from './metadata';
import { sourceSpecSchema } from './source';

export const CONFIG_VERSION = 1;

export const tableTreatments = ['synthesize', 'original', 'exclude'] as const;
export type TableTreatment = (typeof tableTreatments)[number];

export const columnTreatments = ['synthesize', 'keep', 'mock', 'mask', 'null'] as const;
export type ColumnTreatment = (typeof columnTreatments)[number];

export const columnOptionsSchema = z.object({
  /** Numeric/datetime clipping, as quantiles in [0, 1] of the training values. */
  clipLowerQuantile: z.number().min(0).max(1).optional(),
  clipUpperQuantile: z.number().min(0).max(1).optional(),
  /** Digits after the decimal point kept on output (default: as observed). */
  precision: z.number().int().min(0).max(12).optional(),
  /** Categories seen for fewer entities than this are never emitted as themselves. */
  rareCategoryThreshold: z.number().int().min(1).optional(),
  /** Output format for datetimes (default: the source's own). */
  datetimeFormat: z.string().optional(),
  /** Fake-data generator for `mock` (e.g. `person.fullName`, `internet.email`); default by column kind. */
  mockGenerator: z.string().optional(),
  /** Free text under `mock`: fake the whole value (default) or keep the text and replace only the identifiers inside it. */
  freeText: z.enum(['value', 'identifiers']).optional(),
});
export type ColumnOptions = z.infer<typeof columnOptionsSchema>;

export const columnConfigSchema = z.object({
  included: z.boolean().default(true),
  sdtype: sdtypeSchema,
  sensitive: z.boolean().default(false),
  treatment: z.enum(columnTreatments).default('synthesize'),
  options: columnOptionsSchema.default({}),
});
export type ColumnConfig = z.infer<typeof columnConfigSchema>;

export const tableConfigSchema = z.object({
  treatment: z.enum(tableTreatments).default('synthesize'),
  primaryKey: z.array(z.string()).default([]),
  columns: z.record(z.string(), columnConfigSchema),
});
export type TableConfig = z.infer<typeof tableConfigSchema>;

export const qualityPresets = ['fast', 'balanced', 'accurate'] as const;
export type QualityPreset = (typeof qualityPresets)[number];

export const devices = ['auto', 'gpu', 'cpu', 'wasm'] as const;
export type Device = (typeof devices)[number];

export const privacySettingsSchema = z.object({
  /** Replace categories seen for fewer than `rareCategoryThreshold` entities. */
  protectRareCategories: z.boolean().default(true),
  rareCategoryThreshold: z.number().int().min(1).default(5),
  /** Clip numeric and datetime extremes to about the k-th most extreme value. */
  clipOutliers: z.boolean().default(true),
  /** Drop synthetic rows equal to a unique training row on all columns. */
  filterCopies: z.boolean().default(true),
  differentialPrivacy: z
    .object({
      enabled: z.boolean().default(false),
      epsilon: z.number().positive().default(4),
      delta: z.number().positive().max(1).optional(),
      maxGradNorm: z.number().positive().default(1),
    })
    .default({ enabled: false, epsilon: 4, maxGradNorm: 1 }),
  /** Same real value -> same fake value across tables and executions (keyed by the project secret). */
  consistentMocking: z.boolean().default(true),
});
export type PrivacySettings = z.infer<typeof privacySettingsSchema>;

export const outputSizeSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('same') }),
  z.object({ mode: z.literal('rows'), rows: z.number().int().positive() }),
  z.object({ mode: z.literal('scale'), factor: z.number().positive().max(1000) }),
]);
export type OutputSize = z.infer<typeof outputSizeSchema>;

export const synthSettingsSchema = z.object({
  preset: z.enum(qualityPresets).default('balanced'),
  /** Rows of the root table (or the single table) to generate. */
  outputSize: outputSizeSchema.default({ mode: 'same' }),
  /** Unset = chosen from the data and the preset. */
  epochs: z.number().int().positive().max(10_000).optional(),
  batchSize: z
    .number()
    .int()
    .positive()
    .max(1 << 16)
    .optional(),
  learningRate: z.number().positive().max(1).optional(),
  modelSize: z.enum(['auto', 'small', 'medium', 'large']).default('auto'),
  maxTrainingRows: z.number().int().positive().optional(),
  randomSample: z.boolean().default(true),
  seed: z.number().int().default(42),
  device: z.enum(devices).default('auto'),
  /** Threads that draw the synthetic rows (unset = one per core for outputs of ~260k rows or more; 1 = the worker's own thread). The rows do not depend on it. */
  samplingThreads: z.number().int().positive().max(64).optional(),
  /** Training stops when this many seconds have passed (0 = no limit). */
  timeBudgetSeconds: z.number().nonnegative().default(0),
  /** The whole execution is stopped (failed, EXECUTION_TIMED_OUT) after this many seconds (0 = no limit). */
  maxExecutionSeconds: z.number().nonnegative().default(0),
  /**
   * Learning-rate schedule: 'cosine' plans the epochs from the data size and decays the rate to
   * the end of the plan; 'plateau' keeps it constant and halves it when validation stalls (the
   * schedule of earlier versions: slower to the same quality).
   */
  trainingSchedule: z.enum(['cosine', 'plateau']).default('cosine'),
  /** Sampling temperature (1 = as learned). */
  temperature: z.number().positive().max(5).default(1),
  privacy: privacySettingsSchema.default(privacySettingsSchema.parse({})),
});
export type SynthSettings = z.infer<typeof synthSettingsSchema>;

export const tableModes = ['create', 'write-into-empty', 'truncate'] as const;
export type TableMode = (typeof tableModes)[number];

/**
 * The destination's foreign keys and their indexes on tables Doppel creates: declared before the
 * rows go in (`during-load`), added once every row is in (`after-load`, faster), or left off
 * (`off`). Primary keys are always created. Referential integrity is checked before the write is
 * kept, whichever is chosen.
 */
export const constraintModes = ['during-load', 'after-load', 'off'] as const;
export type ConstraintMode = (typeof constraintModes)[number];
export const DEFAULT_CONSTRAINTS: ConstraintMode = 'after-load';

export const destinationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('database'),
    target: sourceSpecSchema,
    tableMode: z.enum(tableModes).default('create'),
    batchSize: z.number().int().positive().max(1_000_000).default(10_000),
    parallel: z.number().int().min(1).max(16).default(1),
    /** Unset = `after-load`. */
    constraints: z.enum(constraintModes).optional(),
  }),
]);
export type Destination = z.infer<typeof destinationSchema>;

export const reportSettingsSchema = z.object({
  /** Target for the train-on-synthetic / test-on-real utility score. */
  targetTable: z.string().optional(),
  targetColumn: z.string().optional(),
});

export const synthesisConfigSchema = z.object({
  version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
  name: z.string().min(1).default('Synthesis'),
  source: sourceSpecSchema,
  tables: z.record(z.string(), tableConfigSchema),
  /** The foreign keys as the user set them (start: the source's declared + inferred ones). */
  foreignKeys: z.array(relationshipSchema).default([]),
  settings: synthSettingsSchema.default(synthSettingsSchema.parse({})),
  destination: destinationSchema.default({ kind: 'local' }),
  report: reportSettingsSchema.default({}),
});
export type SynthesisConfig = z.infer<typeof synthesisConfigSchema>;
export type SynthesisConfigInput = z.input<typeof synthesisConfigSchema>;

/** Tables the engine generates (not excluded, not original data). */
export function synthesizedTables(config: SynthesisConfig): string[] {
  return Object.entries(config.tables)
    .filter(([, t]) => t.treatment === 'synthesize')
    .map(([name]) => name);
}

/** Tables present in the output (synthesized + original data). */
export function outputTables(config: SynthesisConfig): string[] {
  return Object.entries(config.tables)
    .filter(([, t]) => t.treatment !== 'exclude')
    .map(([name]) => name);
}

/** Included column names of a table, in config order. */
export function includedColumns(table: TableConfig): string[] {
  return Object.entries(table.columns)
    .filter(([, c]) => c.included)
    .map(([name]) => name);
}

/** Foreign keys whose both ends are in the output and whose columns are included. */
export function activeForeignKeys(config: SynthesisConfig): SynthesisConfig['foreignKeys'] {
  return config.foreignKeys.filter((fk) => {
    const child = config.tables[fk.childTable];
    const parent = config.tables[fk.parentTable];
    if (!child || !parent || child.treatment === 'exclude' || parent.treatment === 'exclude') return false;
    return fk.childColumns.every((c) => child.columns[c]?.included) && fk.parentColumns.every((c) => parent.columns[c]?.included);
  });
}
