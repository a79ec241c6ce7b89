/**
 * Ordered children as sequences: an encounter is conditioned on the previous encounter of the
 * same patient (its date, through the sequence column's features), so the gaps between
 * consecutive siblings keep their shape. Generation goes position by position over all parents
 * at once: round k holds every parent's k-th child and sees the (k−1)-th.
 */
import type { Row, RowBatch } from '../../../shared/values';
import type { Featurizer } from './context';

/** For each row, the row of the same parent just before it in `order` (−1 for the first). */
export function previousSiblings(link: Int32Array, order: Int32Array): Int32Array {
  const prev = new Int32Array(link.length).fill(-1);
  const last = new Map<number, number>();
  for (const r of order) {
    const p = link[r]!;
    if (p < 0) continue;
    prev[r] = last.get(p) ?? -1;
    last.set(p, r);
  }
  return prev;
}

/** [context | previous sibling's features | has-previous flag] per row. */
export function withPrevious(
  ctx: { matrix: Float32Array; dim: number },
  feats: Float32Array | null,
  featDim: number,
  prev: Int32Array,
): { matrix: Float32Array; dim: number } {
  const n = prev.length;
  const dim = ctx.dim + featDim + 1;
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    out.set(ctx.matrix.subarray(r * ctx.dim, (r + 1) * ctx.dim), r * dim);
    const p = prev[r]!;
    if (p < 0 || !feats) continue;
    out.set(feats.subarray(p * featDim, (p + 1) * featDim), r * dim + ctx.dim);
    out[r * dim + ctx.dim + featDim] = 1;
  }
  return { matrix: out, dim };
}

/**
 * Candidates of ordered children generated round by round. Rows are laid out parent by parent:
 * `position[i]` is row i's place among its siblings, and row i − 1 is its previous sibling when
 * position[i] > 0. Each round samples k candidates per row (`sampleRound`, laid out c·m + j);
 * the chain goes on from candidate 0, and all candidates come back laid out c·n + i, so that
 * one is chosen per row over the whole table (marginals and child counts balance globally).
 */
export async function sequenceCandidates(
  ctx: { matrix: Float32Array; dim: number },
  position: Int32Array,
  columns: string[],
  previous: Featurizer,
  k: number,
  sampleRound: (ctx: { matrix: Float32Array; dim: number }, rows: number, round: number) => Promise<RowBatch>,
  steps?: { pattern: StepPattern; pick: (n: number) => number },
): Promise<RowBatch> {
  const si = steps ? columns.indexOf(steps.pattern.column) : -1;
  const n = position.length;
  const rounds: number[][] = [];
  for (let i = 0; i < n; i++) (rounds[position[i]!] ??= []).push(i);
  const all: Row[] = new Array<Row>(n * k);
  for (let r = 0; r < rounds.length; r++) {
    const idx = rounds[r] ?? [];
    if (!idx.length) continue;
    const m = idx.length;
    const sub = new Float32Array(m * ctx.dim);
    idx.forEach((i, j) => sub.set(ctx.matrix.subarray(i * ctx.dim, (i + 1) * ctx.dim), j * ctx.dim));
    const feats = r > 0 ? previous.encode({ columns, rows: idx.map((i) => all[i - 1]!) }) : null;
    const prev = Int32Array.from(idx, (_, j) => (r > 0 ? j : -1));
    const part = await sampleRound(withPrevious({ matrix: sub, dim: ctx.dim }, feats, previous.dim, prev), m, r);
    if (steps && si >= 0) {
      // One step per row for all its candidates: the first sibling's as sampled, the next ones continuing the chain.
      const first = part.rows.slice(0, m);
      if (r > 0)
        continueSteps(
          first,
          idx.map((i) => all[i - 1]!),
          si,
          steps.pattern,
          steps.pick,
        );
      for (let c = 1; c < k; c++) for (let j = 0; j < m; j++) part.rows[c * m + j]![si] = first[j]![si] ?? null;
    }
    for (let c = 0; c < k; c++) idx.forEach((i, j) => (all[c * n + i] = part.rows[c * m + j]!));
  }
  return { columns, rows: all };
}

/**
 * An integer step column (a grade, a visit number, a year without a date): each child after the
 * first continues from its previous sibling's step by one of the real differences between
 * consecutive siblings, so steps stay unique and rising per parent with the real share of skips;
 * a family is shifted back into the real range when it runs past it.
 */
export interface StepPattern {
  column: string;
  /** Differences between consecutive siblings in the data (sorted). */
  deltas: Float64Array;
  min: number;
  max: number;
}

/** The real step pattern of an integer sequence column (null when its values are not whole numbers or no parent has two children). */
export function learnSteps(batch: RowBatch, column: string, link: Int32Array, order: Int32Array): StepPattern | null {
  const ci = batch.columns.indexOf(column);
  if (ci < 0) return null;
  const value = (r: Row | undefined): number => (r && r[ci] !== null && r[ci] !== '' ? Number(r[ci]) : NaN);
  let min = Infinity;
  let max = -Infinity;
  for (const r of batch.rows) {
    const v = value(r);
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) return null;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const prev = previousSiblings(link, order);
  const deltas: number[] = [];
  prev.forEach((p, r) => {
    const d = p < 0 ? NaN : value(batch.rows[r]) - value(batch.rows[p]);
    if (Number.isFinite(d)) deltas.push(d);
  });
  if (!deltas.length || !Number.isFinite(min)) return null;
  return { column, deltas: Float64Array.from(deltas).sort(), min, max };
}

/** Each row's step set to its previous sibling's plus a real difference (`pick` draws an index into the deltas). */
export function continueSteps(rows: Row[], previous: Row[], ci: number, pattern: StepPattern, pick: (n: number) => number): void {
  rows.forEach((r, j) => {
    const before = Number(previous[j]?.[ci]);
    if (!Number.isFinite(before)) return;
    const next = before + pattern.deltas[pick(pattern.deltas.length)]!;
    r[ci] = typeof r[ci] === 'string' ? String(next) : next;
  });
}

/** Families (rows laid out parent by parent, `position` their place) whose last step runs past the real maximum shifted back (not below the minimum). */
export function fitSteps(rows: Row[], position: Int32Array, ci: number, pattern: StepPattern): void {
  let start = 0;
  for (let i = 0; i <= rows.length; i++) {
    if (i < rows.length && (i === 0 || position[i]! > 0)) continue;
    // rows start..i-1 form one family.
    const last = Number(rows[i - 1]?.[ci]);
    const first = Number(rows[start]?.[ci]);
    const over = Number.isFinite(last) ? last - pattern.max : 0;
    const room = Number.isFinite(first) ? first - pattern.min : 0;
    const shift = Math.min(over, room);
    if (shift > 0)
      for (let k = start; k < i; k++) {
        const v = Number(rows[k]![ci]);
        if (Number.isFinite(v)) rows[k]![ci] = typeof rows[k]![ci] === 'string' ? String(v - shift) : v - shift;
      }
    start = i;
  }
}
