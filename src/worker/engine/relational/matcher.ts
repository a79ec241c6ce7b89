/**
 * The learned matcher of non-context links (non-context FKs, self-references): which generated
 * parent row a generated child row points at.
 *
 * - A pair scorer learned on the real links: score(c, p) = cᵀ·W·p + uᵀ·p + vᵀ·e(c, p) over the rows'
 *   features (context.ts featurizers) and pair features e (link-features.ts: the parent's column
 *   equal to the child's, the parent sharing a group with the parent of the previous sibling),
 *   fitted by logistic regression of real pairs against random parents and against parents the
 *   matcher would also propose (negative sampling). The bilinear term carries the pair trends
 *   across the link (an order's amount with its product's price), the parent term how popular a
 *   kind of parent is.
 * - Degrees: every generated parent gets a number of children drawn from the real distribution
 *   (parents with none included), the largest going to the parents the scorer finds most popular;
 *   each child then draws its parent among candidates with children left, by softmax of the scores.
 */
import type { Rng } from '../rng';
import { OpenParents } from './open-parents';

export interface PairScorer {
  dimC: number;
  dimP: number;
  /** dimC × dimP, row-major. */
  w: Float32Array;
  u: Float32Array;
  /** Weights of the pair features (empty without). */
  v: Float32Array;
}

/** Pair features of (child row i, parent row p), written into `out` (length `dim`). */
export interface PairFeatures {
  dim: number;
  features(i: number, p: number, out: Float32Array): void;
  /** A parent the matcher would also propose for child i (a harder negative than a random one); −1 for none. */
  hardNegative?(i: number): number;
}

/** Real pairs used to fit a scorer (a sample when there are more). */
const MAX_PAIRS = 20_000;
const NEGATIVES = 4;
const EPOCHS = 6;
const HARD_EPOCHS = 16;
const LEARNING_RATE = 0.05;
const L2 = 1e-4;
/** Candidate parents scored per child. */
const CANDIDATES = 64;

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[ao + k]! * b[bo + k]!;
  return s;
}

/** Fits the scorer on real links: child row i points at parent row link[i] (−1: none). */
export function fitScorer(child: Float32Array, dimC: number, parent: Float32Array, dimP: number, link: Int32Array, rng: Rng, pairs?: PairFeatures): PairScorer {
  const w = new Float32Array(dimC * dimP);
  const u = new Float32Array(dimP);
  const v = new Float32Array(pairs?.dim ?? 0);
  const e = new Float32Array(v.length);
  const nP = dimP > 0 ? parent.length / dimP : 0;
  let real = Array.from(link.keys()).filter((i) => link[i]! >= 0);
  if (real.length > MAX_PAIRS) {
    for (let i = real.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [real[i], real[j]] = [real[j]!, real[i]!];
    }
    real = real.slice(0, MAX_PAIRS);
  }
  if (nP < 2 || real.length === 0) return { dimC, dimP, w, u, v };
  const proj = new Float32Array(dimP);
  const step = (i: number, p: number, label: number, lr: number): void => {
    // proj = Wᵀ·c_i + u
    for (let b = 0; b < dimP; b++) proj[b] = u[b]!;
    for (let a = 0; a < dimC; a++) {
      const ca = child[i * dimC + a]!;
      if (ca === 0) continue;
      const row = a * dimP;
      for (let b = 0; b < dimP; b++) proj[b]! += ca * w[row + b]!;
    }
    let z = dot(proj, 0, parent, p * dimP, dimP);
    if (pairs) {
      pairs.features(i, p, e);
      z += dot(v, 0, e, 0, v.length);
    }
    const g = 1 / (1 + Math.exp(-Math.max(-30, Math.min(30, z)))) - label;
    for (let k = 0; k < v.length; k++) v[k]! -= lr * (g * e[k]! + L2 * v[k]!);
    for (let b = 0; b < dimP; b++) {
      const pb = parent[p * dimP + b]!;
      u[b]! -= lr * (g * pb + L2 * u[b]!);
    }
    for (let a = 0; a < dimC; a++) {
      const ca = child[i * dimC + a]!;
      if (ca === 0) continue;
      const row = a * dimP;
      for (let b = 0; b < dimP; b++) {
        const pb = parent[p * dimP + b]!;
        if (pb !== 0) w[row + b]! -= lr * g * ca * pb;
      }
    }
  };
  // With pair features, the parents agreeing with a child are told apart by the other terms: trained longer, on those harder negatives as much as on random ones.
  const epochs = pairs?.hardNegative ? HARD_EPOCHS : EPOCHS;
  for (let e = 0; e < epochs; e++) {
    const lr = LEARNING_RATE / (1 + e / 2);
    for (const i of real) {
      step(i, link[i]!, 1, lr);
      for (let k = 0; k < NEGATIVES; k++) {
        const hard = k % 2 === 1 && pairs?.hardNegative ? pairs.hardNegative(i) : -1;
        if (hard >= 0 && hard !== link[i]) step(i, hard, 0, (2 * lr) / NEGATIVES);
        else step(i, rng.int(nP), 0, lr / NEGATIVES);
      }
    }
  }
  return { dimC, dimP, w, u, v };
}

/** Scores of generated rows: child projections computed once, then one dot product per candidate. */
export function scoring(
  s: PairScorer,
  child: Float32Array,
  parent: Float32Array,
  pairs?: PairFeatures,
): { score(i: number, p: number): number; popularity(p: number): number } {
  const e = new Float32Array(s.v.length);
  const nC = s.dimC > 0 ? child.length / s.dimC : 0;
  const proj = new Float32Array(nC * s.dimP);
  for (let i = 0; i < nC; i++) {
    for (let a = 0; a < s.dimC; a++) {
      const ca = child[i * s.dimC + a]!;
      if (ca === 0) continue;
      for (let b = 0; b < s.dimP; b++) proj[i * s.dimP + b]! += ca * s.w[a * s.dimP + b]!;
    }
  }
  return {
    score: (i, p) => {
      const base = dot(proj, i * s.dimP, parent, p * s.dimP, s.dimP) + dot(s.u, 0, parent, p * s.dimP, s.dimP);
      if (!pairs || !s.v.length) return base;
      pairs.features(i, p, e);
      return base + dot(s.v, 0, e, 0, s.v.length);
    },
    popularity: (p) => dot(s.u, 0, parent, p * s.dimP, s.dimP),
  };
}

/**
 * Number of children of each of `parents` generated parents: the real degrees (zeros included)
 * at evenly spaced quantiles, scaled so that they add up to `children`, the largest given to the
 * most popular parents (with noise, so that popularity is a tendency, not a ranking).
 */
export function targetDegrees(real: ArrayLike<number>, parents: number, children: number, popularity: (p: number) => number, rng: Rng): Int32Array {
  const out = new Int32Array(parents);
  if (parents === 0 || children === 0) return out;
  const sorted = Float64Array.from(real).sort();
  const drawn: number[] = [];
  for (let k = 0; k < parents; k++)
    drawn.push(sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(((k + rng.next()) / parents) * sorted.length))]! : 1);
  const total = drawn.reduce((a, b) => a + b, 0);
  const scale = total > 0 ? children / total : 0;
  let sum = 0;
  const deg = drawn.map((d) => {
    const x = d * scale;
    const r = Math.floor(x) + (rng.next() < x - Math.floor(x) ? 1 : 0);
    sum += r;
    return r;
  });
  // Off by a few after rounding: add to (or take from) random parents that already have children.
  for (let guard = 0; sum !== children && guard < 10 * (parents + children); guard++) {
    const k = rng.int(parents);
    if (sum < children && (deg[k]! > 0 || total === 0 || guard > 5 * parents)) {
      deg[k]! += 1;
      sum++;
    } else if (sum > children && deg[k]! > 0) {
      deg[k]! -= 1;
      sum--;
    }
  }
  deg.sort((a, b) => b - a);
  const gumbel = (): number => -Math.log(-Math.log(Math.max(1e-12, rng.next())));
  const rank = Array.from({ length: parents }, (_, p) => ({ p, key: popularity(p) + gumbel() })).sort((a, b) => b.key - a.key);
  rank.forEach((r, k) => (out[r.p] = deg[k]!));
  return out;
}

/** Softmax draw among scored candidates. */
export function drawByScore(candidates: number[], score: (p: number) => number, rng: Rng): number {
  if (candidates.length === 1) return candidates[0]!;
  const s = candidates.map(score);
  const max = Math.max(...s);
  let total = 0;
  const e = s.map((x) => ((total += Math.exp(x - max)), Math.exp(x - max)));
  let r = rng.next() * total;
  for (let k = 0; k < e.length; k++) if ((r -= e[k]!) <= 0) return candidates[k]!;
  return candidates[candidates.length - 1]!;
}

/**
 * Parent of each child (−1 for those not to link) with the given parent degrees: children in
 * random order, each drawing among CANDIDATES parents with children left (all of them when few).
 */
export function matchByDegrees(
  children: number[],
  degrees: Int32Array,
  score: (i: number, p: number) => number,
  rng: Rng,
  parentsOf?: (i: number) => number[] | undefined,
): Map<number, number> {
  const left = Int32Array.from(degrees);
  const openParents = new OpenParents(degrees.length, (p) => degrees[p]! > 0);
  const open = openParents.list;
  const order = [...children];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out = new Map<number, number>();
  for (const i of order) {
    const allowed = parentsOf?.(i);
    let candidates: number[];
    if (allowed) {
      const withRoom = allowed.filter((p) => left[p]! > 0);
      candidates = withRoom.length ? withRoom : allowed;
    } else if (open.length === 0) {
      candidates = Array.from({ length: Math.min(CANDIDATES, degrees.length) }, () => rng.int(degrees.length));
    } else if (open.length <= CANDIDATES) candidates = [...open];
    else candidates = Array.from({ length: CANDIDATES }, () => open[rng.int(open.length)]!);
    if (candidates.length === 0) continue;
    const p = drawByScore(candidates, (c) => score(i, c), rng);
    out.set(i, p);
    if (left[p]! > 0) {
      left[p]! -= 1;
      if (left[p] === 0) openParents.close(p);
    }
  }
  return out;
}
