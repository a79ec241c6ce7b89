/**
 * Effective settings: a synthesis config plus a few facts of the data, resolved once into what
 * the engine applies to every table and column (rare-category threshold, clipping, copy filter,
 * differential privacy, training-row cap). The encoders, the relational protections, the copy
 * filters, the DP preprocessing and the report all read this, never the raw config, so the
 * report states exactly what the engine did.
 */
import { z } from 'zod';
import type { ColumnConfig, SynthesisConfig, SynthSettings } from './config';
import { synthesizedTables } from './config';
import { MIN_ROWS_ROOT } from './validation';

export const effectiveColumnSchema = z.object({
  /** Categories seen fewer times than this (for fewer entities in a relational child table) are never emitted as themselves. */
  rareCategoryThreshold: z.number().int().min(1),
  /** Whether rare categories are replaced (false: the threshold only drives the report's audit). */
  protectRare: z.boolean(),
  /** Numeric/datetime clipping: 'auto' = about the 6th–8th most extreme value; quantiles when set. */
  clip: z.object({ auto: z.boolean(), lowerQuantile: z.number().optional(), upperQuantile: z.number().optional() }),
  /** Digits after the decimal point on output (unset: as observed). */
  precision: z.number().int().optional(),
});
export type EffectiveColumn = z.infer<typeof effectiveColumnSchema>;

export const effectiveTableSchema = z.object({
  /** Rows of the table in the source. */
  sourceRows: z.number().int().min(0),
  /** In a relational synthesis, the root whose sampled rows this table's training rows follow (itself for a root; null for a single table). */
  tree: z.string().nullable(),
  /** Most training rows (null = all): for a relational root, the cap on its rows that keeps every table of its tree under `maxTrainingRows`. */
  maxTrainingRows: z.number().int().positive().nullable(),
  /** How the capped rows are picked. */
  sample: z.enum(['random', 'first']),
  /** Rows copying a training row that is rare on all modelled columns (fewer than `threshold` alike) are dropped. */
  copyFilter: z.object({ enabled: z.boolean(), threshold: z.number().int().min(2) }),
  /** Differential privacy of this table's model (null = off); `rareThreshold` is its category-selection floor. */
  differentialPrivacy: z
    .object({ epsilon: z.number(), delta: z.number().optional(), maxGradNorm: z.number(), rareThreshold: z.number().int().min(1) })
    .nullable(),
  columns: z.record(z.string(), effectiveColumnSchema),
});
export type EffectiveTable = z.infer<typeof effectiveTableSchema>;

export const effectiveSettingsSchema = z.object({
  tables: z.record(z.string(), effectiveTableSchema),
});
export type EffectiveSettings = z.infer<typeof effectiveSettingsSchema>;

/** Facts of the data the resolution needs. */
export interface SettingsFacts {
  /** Rows per table in the source. */
  rows: Record<string, number>;
  /** In a relational synthesis, each table's root (absent: every table is capped on its own). */
  trees?: Record<string, string>;
}

/** One column's effective settings from the synthesis settings and the column's options. */
export function resolveColumn(settings: SynthSettings, column: Pick<ColumnConfig, 'options'>): EffectiveColumn {
  const p = settings.privacy;
  const o = column.options;
  return {
    rareCategoryThreshold: o.rareCategoryThreshold ?? p.rareCategoryThreshold,
    protectRare: p.protectRareCategories,
    clip: {
      auto: p.clipOutliers,
      ...(o.clipLowerQuantile !== undefined ? { lowerQuantile: o.clipLowerQuantile } : {}),
      ...(o.clipUpperQuantile !== undefined ? { upperQuantile: o.clipUpperQuantile } : {}),
    },
    ...(o.precision !== undefined ? { precision: o.precision } : {}),
  };
}

/** Whether the engine clips the column's values (automatically or at configured quantiles). */
export function clipsValues(c: EffectiveColumn): boolean {
  return c.clip.auto || c.clip.lowerQuantile !== undefined || c.clip.upperQuantile !== undefined;
}

/** The threshold the encoders apply: 1 (keep all) when protection is off. */
export function appliedRareThreshold(c: EffectiveColumn): number {
  return c.protectRare ? c.rareCategoryThreshold : 1;
}

/** One table's effective settings; `maxTrainingRows` is the table's own cap (see resolveSettings for relational roots). */
export function resolveTable(
  settings: SynthSettings,
  columns: Record<string, Pick<ColumnConfig, 'options' | 'included'>>,
  sourceRows: number,
  maxTrainingRows = settings.maxTrainingRows ?? null,
  tree: string | null = null,
): EffectiveTable {
  const p = settings.privacy;
  const resolved: Record<string, EffectiveColumn> = {};
  for (const [name, c] of Object.entries(columns)) if (c.included) resolved[name] = resolveColumn(settings, c);
  const dp = p.differentialPrivacy;
  const strictest = Math.max(1, ...Object.values(resolved).map(appliedRareThreshold));
  return {
    sourceRows,
    tree,
    maxTrainingRows: maxTrainingRows !== null && maxTrainingRows < sourceRows ? maxTrainingRows : null,
    sample: settings.randomSample ? 'random' : 'first',
    // Under DP the output may depend on the data only through the DP mechanisms: no copy filter.
    copyFilter: { enabled: p.filterCopies && !dp.enabled, threshold: Math.max(2, p.rareCategoryThreshold) },
    differentialPrivacy: dp.enabled
      ? { epsilon: dp.epsilon, ...(dp.delta !== undefined ? { delta: dp.delta } : {}), maxGradNorm: dp.maxGradNorm, rareThreshold: strictest }
      : null,
    columns: resolved,
  };
}

/**
 * Effective settings of every synthesized table. `maxTrainingRows` caps each table; in a
 * relational synthesis the root's rows are sampled with their whole subtrees, so the root's cap
 * is the largest one that keeps every table of the tree under the limit (the children follow),
 * but never fewer than MIN_ROWS_ROOT root rows.
 */
export function resolveSettings(config: SynthesisConfig, facts: SettingsFacts): EffectiveSettings {
  const s = config.settings;
  const names = synthesizedTables(config);
  const trees = facts.trees;
  const max = s.maxTrainingRows ?? null;
  const rootCap = (root: string): number | null => {
    if (max === null) return null;
    const rootRows = facts.rows[root] ?? 0;
    const largest = Math.max(rootRows, ...names.filter((t) => trees?.[t] === root).map((t) => facts.rows[t] ?? 0));
    // Never below the fewest root rows a model can learn from (a tree too skewed to cut finer).
    return Math.max(Math.min(MIN_ROWS_ROOT, rootRows), Math.floor((max * rootRows) / Math.max(1, largest)));
  };
  const tables: Record<string, EffectiveTable> = {};
  for (const name of names) {
    const tree = trees?.[name] ?? null;
    const cap = tree === null ? max : tree === name ? rootCap(name) : null;
    tables[name] = resolveTable(s, config.tables[name]!.columns, facts.rows[name] ?? 0, cap, tree);
  }
  return { tables };
}

/** Settings of a column that is not in the resolved table (an engine-internal column): resolved from its own options. */
export function columnSettings(
  table: EffectiveTable | undefined,
  settings: SynthSettings,
  name: string,
  column: Pick<ColumnConfig, 'options'>,
): EffectiveColumn {
  return table?.columns[name] ?? resolveColumn(settings, column);
}
