/**
 * Statistics of a table over every row of the source, computed where the data is (SQL
 * aggregates in a database, one streamed pass over a file) when the training rows are only a
 * sample. The encoders' rare-category decisions and the report's rare-category and extreme
 * checks read them, so a category that many rows of the table hold is not protected because the
 * sample happened to hold it a few times, and a minimum held by many rows is not called rare.
 */
import type { CellValue } from './values';
import { relationshipKey, type Relationship, type StorageType } from './metadata';

/** Most distinct values counted per column (the most frequent ones in a database). */
export const MAX_COUNTED_CATEGORIES = 10_000;

export interface ColumnStats {
  /** Rows with an empty cell. */
  nulls: number;
  /** Values with the rows holding them over the whole table, as the loader reads them (at most MAX_COUNTED_CATEGORIES). */
  categories?: Array<[CellValue, number]>;
  /** Whether every distinct value is listed (else a value not listed has an unknown count). */
  complete?: boolean;
  /** Numeric and datetime columns: the smallest and largest values and the rows holding each. */
  range?: { min: CellValue; max: CellValue; atMin: number; atMax: number };
  /**
   * Numeric and datetime columns: the values at QUANTILE_POINTS over the non-empty cells, discrete
   * (values the table holds, `discreteOffset`); datetimes in milliseconds since the epoch. Exact
   * from a database or DuckDB; from a streamed pass over a file, exact up to the sample's size and
   * within a stated rank error beyond (`QuantileSketch`). Numbers as doubles (`quantilePoints`).
   */
  quantiles?: number[];
}

/** Shares at which whole-table quantiles of numeric and datetime columns are taken: 0, 0.5%, 1%, …, 100%. */
export const QUANTILE_POINTS: readonly number[] = Array.from({ length: 201 }, (_, k) => k / 200);

/** Whether a column of this storage type gets whole-table quantiles as instants (milliseconds since the epoch). */
export function quantilesOfInstants(type: StorageType | undefined): boolean {
  return type === 'date' || type === 'datetime';
}

/** Whether a column of this storage type gets whole-table quantiles (numbers, and dates and times as instants). */
export function takesQuantiles(type: StorageType | undefined): boolean {
  return type === 'integer' || type === 'bigint' || type === 'float' || type === 'decimal' || quantilesOfInstants(type);
}

/** The 0-based position of the discrete quantile `p` among `n` ordered values: the first whose cumulative share reaches `p` (SQL's `percentile_disc`). */
export function discreteOffset(p: number, n: number): number {
  return Math.max(1, Math.ceil(p * n)) - 1;
}

/** A column's whole-table quantiles at every one of QUANTILE_POINTS (undefined when not computed or not all read). */
export function wholeQuantiles(stats: ColumnStats | undefined): readonly number[] | undefined {
  const q = stats?.quantiles;
  return q && q.length === QUANTILE_POINTS.length && q.every(Number.isFinite) ? q : undefined;
}

/**
 * Quantile points as read from a database or an engine (numbers, big integers, numeric texts) as
 * doubles: undefined unless there is one per QUANTILE_POINTS and none is NaN (a NaN a database
 * orders last is no place on the number line); ±Infinity becomes ±Number.MAX_VALUE. Precision
 * bound: a bigint or numeric beyond 2^53 (or with more than ~15–17 significant digits) becomes
 * the nearest double, off by at most 2^-53 of its value; rounding is monotone, so the points stay
 * ascending (two close points may become equal), and they are made so whatever comes in.
 */
export function quantilePoints(values: readonly unknown[]): number[] | undefined {
  if (values.length !== QUANTILE_POINTS.length) return undefined;
  const out: number[] = [];
  for (const v of values) {
    const x = typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' ? Number(v) : NaN;
    if (Number.isNaN(x)) return undefined;
    const finite = Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, x));
    out.push(Math.max(out[out.length - 1] ?? -Number.MAX_VALUE, finite));
  }
  return out;
}

/** The whole table's quantile `p` (one of QUANTILE_POINTS) of a numeric or datetime column (undefined when not computed). */
export function wholeQuantile(stats: ColumnStats | undefined, p: number): number | undefined {
  const k = Math.round(p * (QUANTILE_POINTS.length - 1));
  return QUANTILE_POINTS[k] === p ? wholeQuantiles(stats)?.[k] : undefined;
}

/**
 * The shares of a column's non-empty cells in the bins cut by `edges` (ascending), from its
 * quantiles at evenly spaced points (`wholeQuantiles`): the cells ranked between two consecutive
 * points lie between those two values, all on it when both are equal, else spread evenly between
 * them. Bin i lies between edges[i − 1] and edges[i] (the first and last are open ended); a cell
 * on an edge belongs to the bin above it (`closed` 'left': [a, b)) or below it ('right': (a, b]).
 */
export function quantileShares(quantiles: readonly number[], edges: readonly number[], closed: 'left' | 'right'): number[] {
  const out = new Array<number>(edges.length + 1).fill(0);
  const steps = quantiles.length - 1;
  // Edges below x (at or below x when `atOrBelow`): the bin of a value x.
  const below = (x: number, atOrBelow: boolean): number => {
    let [lo, hi] = [0, edges.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! < x || (atOrBelow && edges[mid] === x)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let j = 1; j <= steps; j++) {
    const [a, b] = [quantiles[j - 1]!, quantiles[j]!];
    if (!(b > a)) {
      out[below(b, closed === 'left')]! += 1 / steps;
      continue;
    }
    let bin = below(a, true);
    let from = a;
    for (; bin < edges.length && edges[bin]! < b; bin++) {
      out[bin]! += (edges[bin]! - from) / (b - a) / steps;
      from = edges[bin]!;
    }
    out[bin]! += (b - from) / (b - a) / steps;
  }
  return out;
}

/**
 * Parents per number of children along one link, over every row of both tables: `[children,
 * parents]` pairs by children ascending, parents with no child included (`[0, n]`), children
 * whose key matches no parent left out. Its length is the number of distinct child counts (at
 * most about √(2 × child rows)), whatever the tables' sizes.
 */
export type ChildCountHistogram = Array<[number, number]>;

export interface TableStats {
  /** Rows of the table. */
  rows: number;
  columns: Record<string, ColumnStats>;
  /** Of the links from this table to a parent (`links` of the request), the parents per number of children, by `relationshipKey`. */
  childCounts?: Record<string, ChildCountHistogram>;
  /** Of the table's self-references (`forests` of the request), the forest's levels, by `relationshipKey`. */
  forests?: Record<string, ForestLevels>;
}

/** Deepest level counted in a self-reference's forest (0 = roots); rows below it are left out. */
export const MAX_FOREST_DEPTH = 32;

/**
 * A self-reference's forest over every row of the table, level by level from the roots (rows
 * whose reference is empty or matches no row): the rows at each depth and, for the rows of that
 * depth, the rows per number of children. Rows that no chain from a root reaches (a cycle of
 * references) and rows deeper than MAX_FOREST_DEPTH are left out; rows at the deepest level
 * count no children.
 */
export type ForestLevels = Array<{ rows: number; children: ChildCountHistogram }>;

/** Which columns to count: `categories` get value counts, `ranges` their extremes; every named column (and those of `nulls`) its empty cells. */
export interface StatsRequest {
  categories: string[];
  ranges: string[];
  /** Columns whose empty cells alone are counted (foreign keys: the share of rows linked to no parent). */
  nulls?: string[];
  /** Links from this table (the child) to a parent whose children per parent row are counted (`childCounts`). */
  links?: Relationship[];
  /** Single-column self-references of this table whose forest is counted level by level (`forests`). */
  forests?: Relationship[];
  /** Rows of the training sample: a streamed pass takes quantiles exactly over up to as many values (the memory the sample holds anyway), within a stated rank error beyond. */
  sampleRows?: number;
  signal?: AbortSignal;
}

/** Every column a request names, once. */
export function statsColumns(request: StatsRequest): string[] {
  return [...new Set([...request.categories, ...request.ranges, ...(request.nulls ?? [])])];
}

/** The share of a table's rows whose cell of `column` is empty, over the whole table (undefined when not counted). */
export function wholeNullShare(stats: TableStats | undefined, column: string): number | undefined {
  const c = stats?.columns[column];
  return c && stats.rows > 0 ? c.nulls / stats.rows : undefined;
}

/**
 * Rows of the table holding each category, by a key the caller chooses (its own category key):
 * the count to decide rarity by is the table's when listed, else the sample's (a lower bound,
 * so an unlisted value is protected unless the sample alone holds it often enough).
 */
export function wholeCounts(stats: ColumnStats | undefined, keyOf: (v: CellValue) => string | null): Map<string, number> | undefined {
  if (!stats?.categories) return undefined;
  const out = new Map<string, number>();
  for (const [v, n] of stats.categories) {
    const k = keyOf(v);
    if (k !== null) out.set(k, (out.get(k) ?? 0) + n);
  }
  return out;
}

/** Whether a request asks for anything to count. */
export function countsAnything(request: StatsRequest): boolean {
  return statsColumns(request).length > 0 || (request.links?.length ?? 0) > 0 || (request.forests?.length ?? 0) > 0;
}

/** The levels of a self-reference's forest over the whole table (undefined when not counted). */
export function wholeForest(stats: Record<string, TableStats> | undefined, fk: Relationship): ForestLevels | undefined {
  return stats?.[fk.childTable]?.forests?.[relationshipKey(fk)];
}

/** The forest's levels of rows linked by `link` (the row each row references, −1 for none), as `ForestLevels` counts them. */
export function forestLevels(link: Int32Array): ForestLevels {
  const kids: number[][] = Array.from({ length: link.length }, () => []);
  let level: number[] = [];
  link.forEach((p, i) => (p >= 0 ? kids[p]!.push(i) : level.push(i)));
  const out: ForestLevels = [];
  for (let d = 0; d <= MAX_FOREST_DEPTH && level.length > 0; d++) {
    const last = d === MAX_FOREST_DEPTH;
    out.push({ rows: level.length, children: childCountHistogram(level.map((i) => (last ? 0 : kids[i]!.length))) });
    level = last ? [] : level.flatMap((i) => kids[i]!);
  }
  return out;
}

/** The parents per number of children along `fk` over the whole tables (undefined when not counted). */
export function wholeChildCounts(stats: Record<string, TableStats> | undefined, fk: Relationship): ChildCountHistogram | undefined {
  return stats?.[fk.childTable]?.childCounts?.[relationshipKey(fk)];
}

/** The histogram of per-parent child counts (`counts[p]`: children of parent p). */
export function childCountHistogram(counts: ArrayLike<number>): ChildCountHistogram {
  const by = new Map<number, number>();
  for (let i = 0; i < counts.length; i++) by.set(counts[i]!, (by.get(counts[i]!) ?? 0) + 1);
  return [...by].sort((a, b) => a[0] - b[0]);
}

/** The histogram of two sets of parents together (e.g. shards of whole families), count by count. */
export function addChildCounts(a: ChildCountHistogram, b: ChildCountHistogram): ChildCountHistogram {
  const by = new Map<number, number>(a);
  for (const [c, n] of b) by.set(c, (by.get(c) ?? 0) + n);
  return [...by].sort((x, y) => x[0] - y[0]);
}

/** Parents counted by a histogram. */
export function histogramParents(h: ChildCountHistogram): number {
  return h.reduce((a, [, n]) => a + n, 0);
}

/** Mean children per parent of a histogram (0 without parents). */
export function histogramMean(h: ChildCountHistogram): number {
  const parents = histogramParents(h);
  return parents ? h.reduce((a, [c, n]) => a + c * n, 0) / parents : 0;
}

/**
 * `size` child counts drawn at evenly spaced quantiles of a histogram (the k-th at quantile
 * (k + ½) / size), ascending: the same distribution over a bounded number of parents.
 */
export function degreesAtQuantiles(h: ChildCountHistogram, size: number): Int32Array {
  const out = new Int32Array(Math.max(0, size));
  const parents = histogramParents(h);
  if (parents === 0) return out;
  let bin = 0;
  let below = h[0]![1];
  for (let k = 0; k < out.length; k++) {
    const at = ((k + 0.5) / out.length) * parents;
    while (at >= below && bin < h.length - 1) below += h[++bin]![1];
    out[k] = h[bin]![0];
  }
  return out;
}
