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
): Promise<RowBatch> {
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
    for (let c = 0; c < k; c++) idx.forEach((i, j) => (all[c * n + i] = part.rows[c * m + j]!));
  }
  return { columns, rows: all };
}
