/**
 * Self-references (an employee's manager, a category's parent) generated as a forest over the
 * table's own generated rows: no cycles, the real share of rows at each depth (roots where the
 * real data has an empty reference), the real fan-out of the nodes of each depth, and each row
 * under a parent the learned matcher finds likely (matcher.ts).
 */
import { degreesAtQuantiles, type ForestLevels } from '../../../shared/table-stats';
import type { Rng } from '../rng';
import { matchByDegrees, targetDegrees } from './matcher';

export interface ForestShape {
  /** Share of rows at each depth (0 = roots). */
  depthShare: number[];
  /** Real number of children of each node, per depth of the node. */
  fanout: number[][];
}

/** Depth of every row along parent links (−1 = a root); a real cycle is cut where it closes. */
export function depthsOf(link: Int32Array): Int32Array {
  const depth = new Int32Array(link.length).fill(-1);
  for (let i = 0; i < link.length; i++) {
    if (depth[i]! >= 0) continue;
    const path: number[] = [];
    const onPath = new Set<number>();
    let r = i;
    while (r >= 0 && depth[r]! < 0 && !onPath.has(r)) {
      path.push(r);
      onPath.add(r);
      r = link[r]!;
    }
    let d = r >= 0 && depth[r]! >= 0 ? depth[r]! + 1 : 0;
    for (let k = path.length - 1; k >= 0; k--) depth[path[k]!] = d++;
  }
  return depth;
}

export function learnForest(link: Int32Array): ForestShape {
  const depth = depthsOf(link);
  const n = link.length;
  const maxDepth = depth.reduce((a, b) => Math.max(a, b), 0);
  const counts = new Array<number>(maxDepth + 1).fill(0);
  for (const d of depth) counts[d]! += 1;
  const kids = new Int32Array(n);
  link.forEach((p, i) => {
    // A link that closed a real cycle is not an edge of the forest.
    if (p >= 0 && depth[i] === depth[p]! + 1) kids[p]! += 1;
  });
  const fanout: number[][] = counts.map(() => []);
  for (let i = 0; i < n; i++) fanout[depth[i]!]!.push(kids[i]!);
  return { depthShare: counts.map((c) => (n ? c / n : 0)), fanout };
}

/** Most child counts kept per level of a shape taken from counted levels (drawn at evenly spaced quantiles). */
const LEVEL_FANOUTS = 10_000;

/**
 * The shape of a forest counted over the whole table (`ForestLevels`), when the training rows
 * are a sample: a sample holds only some of each row's children, so its chains break into false
 * roots and its levels and fan-outs are not the table's.
 */
export function forestShapeOf(levels: ForestLevels): ForestShape {
  const n = levels.reduce((a, l) => a + l.rows, 0);
  return {
    depthShare: levels.map((l) => (n ? l.rows / n : 0)),
    fanout: levels.map((l) => Array.from(degreesAtQuantiles(l.children, Math.min(l.rows, LEVEL_FANOUTS)))),
  };
}

/**
 * Parent of each of n generated rows (−1 for roots): rows assigned to depths by their preferred
 * depth (the depth of the most similar real row) within the real depth quotas, then each depth
 * matched to the one above with degrees drawn from the real fan-out of that depth.
 */
export function generateForest(
  n: number,
  preferred: ArrayLike<number>,
  shape: ForestShape,
  score: (i: number, p: number) => number,
  popularity: (p: number) => number,
  rng: Rng,
): Int32Array {
  const parent = new Int32Array(n).fill(-1);
  if (n === 0) return parent;
  const quotas = shape.depthShare.map((s) => Math.round(s * n));
  // At least one root; the rounding remainder goes to (or comes from) the largest level.
  quotas[0] = Math.max(1, quotas[0]!);
  let diff = n - quotas.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const k = quotas.indexOf(Math.max(...quotas));
    const step = diff > 0 ? 1 : -1;
    quotas[k]! += step;
    diff -= step;
  }
  const order = Array.from({ length: n }, (_, i) => ({ i, key: (preferred[i] ?? 0) + rng.next() })).sort((a, b) => a.key - b.key);
  const levels: number[][] = quotas.map(() => []);
  let at = 0;
  quotas.forEach((q, d) => {
    for (let k = 0; k < q && at < n; k++) levels[d]!.push(order[at++]!.i);
  });
  for (let d = 1; d < levels.length; d++) {
    const above = levels[d - 1]!;
    const here = levels[d]!;
    if (!above.length || !here.length) {
      // Nothing above: these rows are roots.
      continue;
    }
    const degrees = targetDegrees(shape.fanout[d - 1] ?? [], above.length, here.length, (k) => popularity(above[k]!), rng);
    const local = here.map((_, k) => k);
    const match = matchByDegrees(local, degrees, (k, j) => score(here[k]!, above[j]!), rng);
    for (const [k, j] of match) parent[here[k]!] = above[j]!;
  }
  return parent;
}
