import type { CellValue } from '../../../shared/values';

/** One token stream the model learns; a column yields one or more. */
export interface SubColumn {
  name: string;
  /** Number of distinct tokens (>= 1). */
  cardinality: number;
}

/** Options every encoder's reduce step receives (privacy + user options, already resolved). */
export interface ReduceOptions {
  /** Categories seen fewer times than this are replaced by the protected token (1 = keep all). */
  rareThreshold: number;
  /** Clip numeric/datetime extremes (to about the 6th-8th most extreme value unless quantiles are given). */
  clip: boolean;
  /** With the default clip, draw values beyond the bounds from a smooth tail model (default on; off = values stop at the bounds). */
  clipTails?: boolean;
  clipLowerQuantile?: number;
  clipUpperQuantile?: number;
  /**
   * A sampled table: the rows holding its smallest and largest value over the whole source table
   * (whole-table stats, as the report's extreme check counts them), and the rows below which the
   * report calls an extreme rare. An extreme of the table held by at least that many rows and at
   * least the clip's rank is no rare value: it is not clipped because the sample holds it a few
   * times only (a rare one is clipped on the sample, whose extremes are never beyond the table's).
   */
  wholeExtremes?: { atMin: number; atMax: number; rareBelow: number };
  /**
   * A sampled table's numeric column over every row: its quantiles at QUANTILE_POINTS and the
   * non-empty rows they count. The bins and the tails' shape follow them rather than the sample,
   * and the default clip may lie out to the outermost point held by enough rows (numeric.ts).
   */
  wholeQuantiles?: { points: readonly number[]; rows: number };
  /** Digits after the point on output (numeric); default as observed. */
  precision?: number;
  /** Maximum distinct tokens kept for a categorical (the rest become the protected token). */
  maxCategories: number;
  /** Number of quantile bins for numerics/datetimes. */
  bins: number;
}

export const defaultReduceOptions: ReduceOptions = { rareThreshold: 5, clip: true, maxCategories: 1000, bins: 100 };

/** A column's values, decoded back from tokens. */
export type Decoded = CellValue[];

/** Token streams of one column: one Int32Array per sub-column, each of length n. */
export type Tokens = Int32Array[];

/** Output value for a rare category of a text column: never a real category. */
export const RARE_TOKEN = '_RARE_';

/** Index of the smallest element >= x in a sorted array (length if none). */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
