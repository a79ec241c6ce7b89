/**
 * Column plans: how each column of a table is produced. Modelled columns go through an encoder
 * (categorical, numeric, datetime, boolean); the others are regenerated (ids), drawn from the
 * real column (keep), drawn and masked (mask), faked (mock) or left empty (null).
 */
import type { ColumnConfig } from '../../../shared/config';
import { appliedRareThreshold, type EffectiveColumn } from '../../../shared/effective-settings';
import type { ColumnMeta } from '../../../shared/metadata';
import type { CellValue } from '../../../shared/values';
import { wholeCounts, wholeQuantiles, type ColumnStats } from '../../../shared/table-stats';
import type { Rng } from '../rng';
import * as boolean from './boolean';
import * as categorical from './categorical';
import * as datetime from './datetime';
import * as id from './id';
import * as numeric from './numeric';
import { replaceIdentifiers } from '../mock/free-text';
import { shapePattern } from '../mock/generators';
import { defaultReduceOptions, type ReduceOptions, type SubColumn, type Tokens } from './types';

export type EncoderSpec = categorical.CategoricalSpec | numeric.NumericSpec | datetime.DatetimeSpec | boolean.BooleanSpec;

export type ColumnPlan =
  | { name: string; role: 'model'; spec: EncoderSpec }
  | { name: string; role: 'id'; spec: id.IdSpec }
  | { name: string; role: 'null' }
  | { name: string; role: 'keep' | 'mask'; values: CellValue[] }
  | { name: string; role: 'mock'; generator?: string; templates?: string[] };

export interface PlanContext {
  table: string;
  /** The column's effective settings (shared/effective-settings.ts): thresholds, clipping, precision. */
  settings: EffectiveColumn;
  rng: Rng;
  warn: (message: string) => void;
  /** Override the number of numeric bins (default 100). */
  bins?: number;
  /** Primary-key columns are always regenerated. */
  isKey?: boolean;
  /** The column over every row of the source table when the training rows are a sample (rare categories and rare extremes are decided on it). */
  whole?: ColumnStats;
  /** Rows of the source table `whole` counts. */
  wholeRows?: number;
}

function reduceOptions(ctx: PlanContext): ReduceOptions {
  const c = ctx.settings;
  const range = ctx.whole?.range;
  return {
    ...defaultReduceOptions,
    rareThreshold: appliedRareThreshold(c),
    clip: c.clip.auto,
    clipLowerQuantile: c.clip.lowerQuantile,
    clipUpperQuantile: c.clip.upperQuantile,
    precision: c.precision,
    bins: ctx.bins ?? defaultReduceOptions.bins,
    ...(range ? { wholeExtremes: { atMin: range.atMin, atMax: range.atMax, rareBelow: c.rareCategoryThreshold } } : {}),
  };
}

/** Masks a value: text keeps its first character and its separators; numbers keep their magnitude. */
export function maskValue(v: CellValue): CellValue {
  if (v === null) return null;
  if (typeof v === 'string') return v.replace(/(?<=.)[\p{L}\p{N}]/gu, '*');
  if (typeof v === 'number') {
    if (v === 0 || !Number.isFinite(v)) return v;
    const mag = 10 ** Math.floor(Math.log10(Math.abs(v)));
    return Math.round(v / mag) * mag;
  }
  if (v instanceof Date) return new Date(Date.UTC(v.getUTCFullYear(), 0, 1));
  return v;
}

function modelSpec(name: string, values: readonly CellValue[], cfg: ColumnConfig, meta: ColumnMeta | undefined, ctx: PlanContext): EncoderSpec {
  const opts = reduceOptions(ctx);
  const where = `Column "${ctx.table}.${name}"`;
  const asCategorical = (): EncoderSpec => {
    const stats = categorical.analyze(values);
    const spec = categorical.reduce(stats, opts, ctx.rng, wholeCounts(ctx.whole, categorical.categoryKey));
    if (spec.categories.length >= opts.maxCategories)
      ctx.warn(
        `${where} has ${stats.counts.size} distinct values; only the ${opts.maxCategories} most frequent are learned, the others are replaced by a protected value.`,
      );
    return spec;
  };
  switch (cfg.sdtype) {
    case 'numerical': {
      const stats = numeric.analyze(values);
      const present = stats.sorted.length + stats.invalid;
      if (stats.invalid > 0 && stats.invalid > 0.1 * present) {
        ctx.warn(`${where} is marked numerical but ${stats.invalid} of ${present} values are not numbers; it is learned as categorical.`);
        return asCategorical();
      }
      if (stats.invalid > 0) ctx.warn(`${where}: ${stats.invalid} value(s) are not numbers and are treated as missing.`);
      const points = wholeQuantiles(ctx.whole);
      const rows = (ctx.wholeRows ?? 0) - (ctx.whole?.nulls ?? 0);
      return numeric.reduce(stats, points && rows > 0 ? { ...opts, wholeQuantiles: { points, rows } } : opts, ctx.rng);
    }
    case 'datetime': {
      const stats = datetime.analyze(values, meta?.datetimeFormat);
      const present = stats.numbers.sorted.length + stats.numbers.invalid;
      if (stats.numbers.invalid > 0.1 * present && stats.numbers.invalid > 0) {
        ctx.warn(
          `${where} is marked datetime but ${stats.numbers.invalid} of ${present} values are not dates${stats.format ? ` in the format ${stats.format}` : ''}; it is learned as categorical.`,
        );
        return asCategorical();
      }
      if (stats.numbers.invalid > 0) ctx.warn(`${where}: ${stats.numbers.invalid} value(s) are not dates and are treated as missing.`);
      return datetime.reduce(stats, opts, ctx.rng, cfg.options.datetimeFormat);
    }
    case 'boolean':
      return boolean.reduce(boolean.analyze(values), opts, ctx.rng);
    default:
      return asCategorical();
  }
}

/** The shapes of a few real texts (letters as A/a, digits as 9; never the texts) that fake codes imitate. */
function shapeTemplates(values: readonly CellValue[], rng: Rng): string[] {
  const texts = values.filter((v): v is string => typeof v === 'string' && v !== '');
  return Array.from({ length: Math.min(20, texts.length) }, () => shapePattern(texts[rng.int(texts.length)] as string));
}

/** Decides how a column is produced and fits its encoder (analyze + reduce) on the training values. */
export function planColumn(name: string, values: readonly CellValue[], cfg: ColumnConfig, meta: ColumnMeta | undefined, ctx: PlanContext): ColumnPlan {
  switch (cfg.treatment) {
    case 'null':
      return { name, role: 'null' };
    case 'keep':
      return { name, role: 'keep', values: [...values] };
    case 'mask':
      return { name, role: 'mask', values: values.map(maskValue) };
    case 'mock':
      if (cfg.options.freeText === 'identifiers')
        return { name, role: 'keep', values: replaceIdentifiers(values, `${ctx.table}\u0000${ctx.rng.next()}`, name) };
      return { name, role: 'mock', generator: cfg.options.mockGenerator, templates: shapeTemplates(values, ctx.rng) };
    default:
      break;
  }
  if (cfg.sdtype === 'id' || ctx.isKey) return { name, role: 'id', spec: id.analyze(values) };
  if (cfg.sdtype === 'text') {
    const distinct = new Set(values.map((v) => categorical.categoryKey(v))).size;
    if (distinct > Math.max(50, values.length / 4)) {
      ctx.warn(`Column "${ctx.table}.${name}" is free text with ${distinct} distinct values; it is filled with realistic fake text instead of learned.`);
      return { name, role: 'mock', generator: cfg.options.mockGenerator, templates: shapeTemplates(values, ctx.rng) };
    }
  }
  const spec = modelSpec(name, values, cfg, meta, ctx);
  // Said from the values, not from the encoder's first sub-column (one bin can still hold many numbers).
  const present = values.filter((v) => v !== null && v !== undefined);
  const distinct = new Set(present.map((v) => categorical.categoryKey(v))).size;
  if (distinct === 0) ctx.warn(`Column "${ctx.table}.${name}" is empty in every row; it stays empty.`);
  else if (distinct === 1)
    ctx.warn(`Column "${ctx.table}.${name}" has a single value${present.length < values.length ? ' (and empty cells)' : ''}; it is reproduced as is.`);
  return { name, role: 'model', spec };
}

export function subColumnsOf(spec: EncoderSpec, name: string): SubColumn[] {
  switch (spec.kind) {
    case 'categorical':
      return categorical.subColumns(spec, name);
    case 'numeric':
      return numeric.subColumns(spec, name);
    case 'datetime':
      return datetime.subColumns(spec, name);
    case 'boolean':
      return boolean.subColumns(spec, name);
  }
}

export function encodeValues(spec: EncoderSpec, values: readonly CellValue[]): Tokens {
  switch (spec.kind) {
    case 'categorical':
      return categorical.encode(spec, values);
    case 'numeric':
      return numeric.encode(spec, values);
    case 'datetime':
      return datetime.encode(spec, values);
    case 'boolean':
      return boolean.encode(spec, values);
  }
}

export function decodeTokens(spec: EncoderSpec, tokens: Tokens, rng: Rng, column = ''): CellValue[] {
  switch (spec.kind) {
    case 'categorical':
      return categorical.decode(spec, tokens, rng, column);
    case 'numeric':
      return numeric.decode(spec, tokens, rng);
    case 'datetime':
      return datetime.decode(spec, tokens, rng);
    case 'boolean':
      return boolean.decode(spec, tokens, rng);
  }
}
