/**
 * Discrete quantiles of a stream of numbers in bounded memory, the same every run for the same
 * stream (no randomness, so a seeded synthesis stays reproducible).
 *
 * While at most `exactUpTo` values came they are all kept and the quantiles are exact. Past
 * that, the values go through deterministic compactors (Manku, Rajagopalan & Lindsay's
 * multi-level buffers, as in KLL without its coin flips): an item of level h stands for 2^h
 * values; a full level is sorted and every second item moves up a level, the offset
 * alternating. One such compaction moves the rank of any value by at most the level's weight,
 * and every level above 0 is compacted at most n / (LEVEL_ITEMS × 2^h) times, so the rank error
 * of every quantile is at most `rankError()` ≤ n / exactUpTo + levels × n / LEVEL_ITEMS values.
 * With LEVEL_ITEMS = 8192: 7 levels at most (≤ 0.09% of the values) for a million values, 11
 * (≤ 0.14%) for ten million, well inside the 0.5% between two of QUANTILE_POINTS. The
 * memory is at most `exactUpTo` + LEVEL_ITEMS × levels numbers. The smallest and largest values
 * are always exact, and every point is a value of the stream. (The packaged sketches do not fit:
 * t-digest's compression draws random numbers and bounds no rank error; DDSketch bounds the
 * relative error of a value, which says nothing of ranks for values far from 0, such as years.)
 */
import { discreteOffset } from '../../shared/table-stats';

/** Items a level above the exact one holds before it is compacted (even). */
export const LEVEL_ITEMS = 8192;

/** The most `rankError()` can be after `n` values with `exactUpTo` (the bound above, in values). */
export function rankErrorBound(n: number, exactUpTo = LEVEL_ITEMS): number {
  const exact = Math.max(LEVEL_ITEMS, 2 * Math.ceil(exactUpTo / 2));
  if (n <= exact) return 0;
  let bound = Math.floor(n / exact);
  for (let h = 1; LEVEL_ITEMS * 2 ** h <= n; h++) bound += Math.floor(n / (LEVEL_ITEMS * 2 ** h)) * 2 ** h;
  return bound;
}

export class QuantileSketch {
  /** Values counted (weights included). */
  count = 0;
  private min = Infinity;
  private max = -Infinity;
  /** Items per level; level h's items stand for 2^h values each. */
  private readonly levels: number[][] = [[]];
  /** Per level: whether the next compaction keeps the odd positions. */
  private readonly odd: boolean[] = [false];
  private error = 0;
  private readonly exactItems: number;

  constructor(exactUpTo = LEVEL_ITEMS) {
    this.exactItems = Math.max(LEVEL_ITEMS, 2 * Math.ceil(exactUpTo / 2));
  }

  /** `rows` values equal to `x` (a count goes in as its binary digits, one item per level). */
  add(x: number, rows = 1): void {
    if (!Number.isFinite(x) || rows <= 0) return;
    this.count += rows;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    for (let h = 0, r = rows; r > 0; h++, r = Math.floor(r / 2)) if (r % 2 === 1) this.push(h, x);
  }

  /** The most any rank the sketch answers is off by, in values (0 while exact). */
  rankError(): number {
    return this.error;
  }

  private capacity(h: number): number {
    return h === 0 ? this.exactItems : LEVEL_ITEMS;
  }

  private push(h: number, x: number): void {
    while (this.levels.length <= h) {
      this.levels.push([]);
      this.odd.push(false);
    }
    if (this.levels[h]!.length >= this.capacity(h)) this.compact(h);
    this.levels[h]!.push(x);
  }

  /** Sorts a full level and moves every second item up (the same rows in half the items). */
  private compact(h: number): void {
    const sorted = Float64Array.from(this.levels[h]!).sort();
    this.levels[h] = [];
    const start = this.odd[h] ? 1 : 0;
    this.odd[h] = !this.odd[h];
    this.error += 2 ** h;
    for (let i = start; i + 1 - start < sorted.length; i += 2) this.push(h + 1, sorted[i]!);
  }

  /** The discrete quantiles at `points` (shares in [0, 1], ascending): the value at `discreteOffset(p, count)` of the values ordered; [] when none came. */
  quantiles(points: readonly number[]): number[] {
    if (this.count === 0) return [];
    const items: Array<[number, number]> = [];
    this.levels.forEach((level, h) => {
      for (const x of level) items.push([x, 2 ** h]);
    });
    items.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    let at = 0;
    let below = items[0]![1];
    for (const p of points) {
      const r = discreteOffset(p, this.count);
      while (below <= r && at < items.length - 1) below += items[++at]![1];
      out.push(Math.min(this.max, Math.max(this.min, items[at]![0])));
    }
    if (points[0] === 0) out[0] = this.min;
    if (points[points.length - 1] === 1) out[out.length - 1] = this.max;
    return out;
  }
}
