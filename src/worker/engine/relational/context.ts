/**
 * Context vectors: a row of a parent table (real or synthetic) encoded for the child's model.
 * Each modelled sub-column of the parent (child counts included) becomes one-hot features when
 * it has few tokens, else one scaled token index; the parent's own context (its ancestors) is
 * appended, truncated, so grandchildren see their grandparents.
 */
import type { CellValue, RowBatch } from '../../../shared/values';
import { encodeValues, subColumnsOf } from '../encoders/index';
import type { PreparedTable } from '../table-model';

/** Sub-columns with at most this many tokens are one-hot encoded. */
const ONE_HOT_MAX = 12;
/** Ancestor context kept in a row's context (features). */
export const MAX_ANCESTOR_DIM = 64;
/** Sibling features appended to a child's context: position, relative position, log count. */
export const SIBLING_DIM = 3;

export interface Featurizer {
  dim: number;
  encode(rows: RowBatch): Float32Array;
}

/**
 * Features of a table's modelled columns (or of `only` these). With `bins`, a sub-column of many
 * tokens (numbers: quantile bins) also gets one-hot features of `bins` coarse ranges, so that a
 * bilinear matcher can prefer a parent in the same range as the child (not only the largest).
 */
export function featurizer(prepared: PreparedTable, only?: string[], bins = 0): Featurizer {
  const parts: { col: string; spec: Parameters<typeof encodeValues>[0]; cards: number[] }[] = [];
  let dim = 0;
  for (const i of prepared.modelled) {
    const plan = prepared.plans[i]!;
    if (plan.role !== 'model' || (only && !only.includes(plan.name))) continue;
    const cards = subColumnsOf(plan.spec, plan.name).map((s) => s.cardinality);
    parts.push({ col: plan.name, spec: plan.spec, cards });
    for (const c of cards) dim += c <= ONE_HOT_MAX ? c : 1 + bins;
  }
  return {
    dim,
    encode(rows: RowBatch): Float32Array {
      const n = rows.rows.length;
      const out = new Float32Array(n * dim);
      let offset = 0;
      for (const part of parts) {
        const idx = rows.columns.indexOf(part.col);
        const values: CellValue[] = rows.rows.map((r) => (idx < 0 ? null : (r[idx] ?? null)));
        const tokens = encodeValues(part.spec, values);
        part.cards.forEach((card, k) => {
          const t = tokens[k]!;
          if (card <= ONE_HOT_MAX) {
            for (let r = 0; r < n; r++) {
              const v = Math.min(card - 1, Math.max(0, t[r] ?? 0));
              out[r * dim + offset + v] = 1;
            }
            offset += card;
          } else {
            for (let r = 0; r < n; r++) {
              const q = ((t[r] ?? 0) + 0.5) / card;
              out[r * dim + offset] = q;
              if (bins) out[r * dim + offset + 1 + Math.min(bins - 1, Math.floor(q * bins))] = 1;
            }
            offset += 1 + bins;
          }
        });
      }
      return out;
    },
  };
}

/** Row-major concatenation [a | b[link[r]] (first `keepB` dims)] for every row r of a. */
export function withAncestors(
  a: Float32Array,
  dimA: number,
  b: Float32Array | null,
  dimB: number,
  link: Int32Array | null,
): { matrix: Float32Array; dim: number } {
  const keep = b && link ? Math.min(dimB, MAX_ANCESTOR_DIM) : 0;
  const n = dimA > 0 ? a.length / dimA : (link?.length ?? 0);
  const dim = dimA + keep;
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    out.set(a.subarray(r * dimA, r * dimA + dimA), r * dim);
    if (keep && b && link) {
      const p = link[r]!;
      out.set(b.subarray(p * dimB, p * dimB + keep), r * dim + dimA);
    }
  }
  return { matrix: out, dim };
}

/**
 * The context of each child row: its parent's row context plus where it stands among its
 * siblings (ordered children keep the shape of their sequences).
 */
export function childContext(
  parentCtx: Float32Array,
  parentDim: number,
  parentIdx: Int32Array,
  position: Int32Array,
  siblings: Int32Array,
): { matrix: Float32Array; dim: number } {
  const n = parentIdx.length;
  const dim = parentDim + SIBLING_DIM;
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    const p = parentIdx[r]!;
    out.set(parentCtx.subarray(p * parentDim, p * parentDim + parentDim), r * dim);
    const s = Math.max(1, siblings[r]!);
    const pos = position[r]!;
    out[r * dim + parentDim] = Math.log1p(pos) / 4;
    out[r * dim + parentDim + 1] = s > 1 ? pos / (s - 1) : 0;
    out[r * dim + parentDim + 2] = Math.log1p(s) / 4;
  }
  return { matrix: out, dim };
}

/** Position of each row among the rows of the same parent, in the given order, and the sibling counts. */
export function siblingPositions(
  parentIdx: Int32Array,
  order: Int32Array,
  parents: number,
): { position: Int32Array; siblings: Int32Array; counts: Int32Array } {
  const counts = new Int32Array(parents);
  for (const p of parentIdx) counts[p]! += 1;
  const seen = new Int32Array(parents);
  const position = new Int32Array(parentIdx.length);
  for (const r of order) {
    const p = parentIdx[r]!;
    position[r] = seen[p]!;
    seen[p]! += 1;
  }
  const siblings = Int32Array.from(parentIdx, (p) => counts[p]!);
  return { position, siblings, counts };
}
