import type { CellValue, RowBatch } from '../../shared/values';
import { MAX_COUNTED_CATEGORIES, QUANTILE_POINTS, statsColumns, type ColumnStats, type StatsRequest, type TableStats } from '../../shared/table-stats';
import { QuantileSketch } from './quantile-sketch';

/** A cell's place on the number line (numbers, big integers, dates), undefined for other cells. */
function rankOf(v: CellValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  return undefined;
}

/** A distinct-value key that keeps types apart (1 and "1" are two values, as the loader reads them). */
function keyOf(v: Exclude<CellValue, null>): string {
  return v instanceof Date ? `d${v.getTime()}` : `${typeof v}:${String(v)}`;
}

/**
 * The statistics of the requested columns, fed one value at a time with the rows holding it (1
 * per row for a streamed read, a group's count for an engine's value counts). Value counts are
 * exact for the first MAX_COUNTED_CATEGORIES distinct values of a column; later new values are
 * not counted and the column is marked incomplete, so memory stays bounded. The columns of
 * `quantiles` (numbers among the `ranges`) get their QUANTILE_POINTS through a QuantileSketch,
 * exact over up to the request's `sampleRows` values.
 */
export class StatsTally {
  readonly names: string[];
  rows = 0;
  private readonly cols;

  constructor(request: StatsRequest, quantiles: readonly string[] = []) {
    this.names = statsColumns(request);
    this.cols = this.names.map((name) => ({
      name,
      nulls: 0,
      counts: request.categories.includes(name) ? new Map<string, [CellValue, number]>() : undefined,
      complete: true,
      range: request.ranges.includes(name) ? { lo: Infinity, hi: -Infinity, min: null as CellValue, max: null as CellValue, atMin: 0, atMax: 0 } : undefined,
      sketch: request.ranges.includes(name) && quantiles.includes(name) ? new QuantileSketch(request.sampleRows) : undefined,
    }));
  }

  /** `rows` rows of the `i`th column (of `names`) hold `v`. */
  add(i: number, v: CellValue, rows = 1): void {
    const c = this.cols[i]!;
    if (v === null) {
      c.nulls += rows;
      return;
    }
    if (c.counts) {
      const k = keyOf(v);
      const hit = c.counts.get(k);
      if (hit) hit[1] += rows;
      else if (c.counts.size < MAX_COUNTED_CATEGORIES) c.counts.set(k, [v, rows]);
      else c.complete = false;
    }
    const x = c.range ? rankOf(v) : undefined;
    if (c.range && x !== undefined) {
      const g = c.range;
      if (x < g.lo) Object.assign(g, { lo: x, min: v, atMin: rows });
      else if (x === g.lo) g.atMin += rows;
      if (x > g.hi) Object.assign(g, { hi: x, max: v, atMax: rows });
      else if (x === g.hi) g.atMax += rows;
      c.sketch?.add(x, rows);
    }
  }

  result(): TableStats {
    const columns: Record<string, ColumnStats> = {};
    for (const c of this.cols) {
      const s: ColumnStats = { nulls: c.nulls };
      if (c.counts) {
        s.categories = [...c.counts.values()].sort((a, b) => b[1] - a[1]);
        s.complete = c.complete;
      }
      if (c.range && c.range.min !== null) s.range = { min: c.range.min, max: c.range.max, atMin: c.range.atMin, atMax: c.range.atMax };
      // Only when every non-empty cell was a number (a cell of another kind has no place among them).
      if (c.sketch && c.sketch.count > 0 && c.sketch.count === this.rows - c.nulls) s.quantiles = c.sketch.quantiles(QUANTILE_POINTS);
      columns[c.name] = s;
    }
    return { rows: this.rows, columns };
  }
}

/** Table statistics from one pass over a stream of the requested columns (files); `quantiles` names the numeric columns whose quantiles are taken. */
export async function streamedTableStats(stream: AsyncIterable<RowBatch>, request: StatsRequest, quantiles: readonly string[] = []): Promise<TableStats> {
  const tally = new StatsTally(request, quantiles);
  for await (const b of stream) {
    const at = tally.names.map((n) => b.columns.indexOf(n));
    for (const r of b.rows) {
      tally.rows++;
      for (let i = 0; i < at.length; i++) tally.add(i, r[at[i]!] ?? null);
    }
  }
  return tally.result();
}
