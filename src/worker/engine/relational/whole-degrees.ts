/**
 * The degrees a link is generated with when its child table was read as a sample: the parents
 * per number of children counted over the whole tables (`childCounts` of the whole-table
 * statistics), not the sample's, whose parents keep only the sampled share of their children
 * (a shop with 60 sales holds 6 in a 10% sample, one with 2 mostly none).
 */
import { degreesAtQuantiles, histogramParents, wholeChildCounts, type TableStats } from '../../../shared/table-stats';
import type { Relationship } from '../../../shared/metadata';
import type { Rng } from '../rng';

/**
 * The real degree of each of the `learned.length` parent rows the engine holds: the whole
 * tables' distribution at evenly spaced quantiles, handed out in the order of the rows' degrees
 * in the sample (ties at random), so a parent with more sampled children keeps more. Without
 * whole-table counts, the learned degrees.
 */
export function wholeDegrees(stats: Record<string, TableStats> | undefined, fk: Relationship, learned: Int32Array, rng: Rng): Int32Array {
  const h = wholeChildCounts(stats, fk);
  if (!h || histogramParents(h) === 0 || learned.length === 0) return learned;
  const values = degreesAtQuantiles(h, learned.length);
  const tie = Float64Array.from(learned, () => rng.next());
  const order = Array.from(learned, (_, p) => p).sort((a, b) => learned[a]! - learned[b]! || tie[a]! - tie[b]!);
  const out = new Int32Array(learned.length);
  order.forEach((p, k) => (out[p] = values[k]!));
  return out;
}

/** Whether every parent has at most one child over the whole tables (undefined when not counted). */
export function wholeOneToOne(stats: Record<string, TableStats> | undefined, fk: Relationship): boolean | undefined {
  const h = wholeChildCounts(stats, fk);
  return h ? h.every(([c, n]) => c <= 1 || n === 0) : undefined;
}
