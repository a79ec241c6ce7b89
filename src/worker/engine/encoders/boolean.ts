/**
 * Boolean encoding: a categorical over the observed representations (true/false, 'yes'/'no',
 * 0/1...), with the null token when values are missing. No rare-category merging for a real
 * yes/no column: both values are kept (rare-value protection matters for identifying
 * categories); a "boolean" column that turns out to hold more values is protected as categories.
 */
import type { CellValue } from '../../../shared/values';
import type { Rng } from '../rng';
import * as categorical from './categorical';
import type { ReduceOptions, SubColumn, Tokens } from './types';

export type BooleanSpec = Omit<categorical.CategoricalSpec, 'kind'> & { kind: 'boolean' };

export const analyze = categorical.analyze;

export function reduce(stats: categorical.CategoricalStats, opts: ReduceOptions, rng: Rng): BooleanSpec {
  // More than two values: not a yes/no column after all (a file's type guessed from a sample), so
  // its rare values are protected like any category's.
  const rareThreshold = stats.counts.size <= 2 ? 1 : opts.rareThreshold;
  const spec = categorical.reduce(stats, { ...opts, rareThreshold, maxCategories: 16 }, rng);
  return { ...spec, kind: 'boolean' };
}

const asCategorical = (spec: BooleanSpec): categorical.CategoricalSpec => ({ ...spec, kind: 'categorical' });

export function subColumns(spec: BooleanSpec, name: string): SubColumn[] {
  return categorical.subColumns(asCategorical(spec), name);
}

export function encode(spec: BooleanSpec, values: readonly CellValue[]): Tokens {
  return categorical.encode(asCategorical(spec), values);
}

export function decode(spec: BooleanSpec, tokens: Tokens, rng: Rng): CellValue[] {
  return categorical.decode(asCategorical(spec), tokens, rng);
}
