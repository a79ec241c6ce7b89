/**
 * The real rows of a table split once for the report and the model: a share held out (never
 * learned, for privacy distances and ML utility), the rest capped by the effective training-row
 * limit. Single tables and relational roots (whose descendants follow) use the same split.
 */
import type { EffectiveTable } from '../../shared/effective-settings';
import { createRng, shuffle } from './rng';

/** Share of rows held out of training for the report, when the table has at least HOLDOUT_MIN_ROWS rows. */
export const HOLDOUT_FRACTION = 0.2;
export const HOLDOUT_MIN_ROWS = 500;

/**
 * Indexes of `n` rows (both lists sorted): `held` = round(n × holdoutFraction) rows drawn with
 * the seed, `train` = the others, at most `cap.maxTrainingRows` of them (a random sample, or the
 * first rows of the source).
 */
export function splitIndexes(
  n: number,
  opts: { holdoutFraction: number; seed: number; cap?: Pick<EffectiveTable, 'maxTrainingRows' | 'sample'> },
): { train: number[]; held: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  const nHold = Math.round(n * opts.holdoutFraction);
  let held: number[] = [];
  let train = all;
  if (nHold > 0) {
    const drawn = [...all];
    shuffle(drawn, createRng(opts.seed ^ 0x5eed));
    held = drawn.slice(0, nHold).sort((a, b) => a - b);
    const out = new Set(held);
    train = all.filter((i) => !out.has(i));
  }
  const max = opts.cap?.maxTrainingRows ?? null;
  if (max !== null && train.length > max) {
    if (opts.cap?.sample === 'random') shuffle(train, createRng(opts.seed ^ 0x7ee5));
    train = train.slice(0, max).sort((a, b) => a - b);
  }
  return { train, held };
}
