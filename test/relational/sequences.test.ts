import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/shared/values';
import type { Featurizer } from '../../src/worker/engine/relational/context';
import { previousSiblings, sequenceCandidates, withPrevious } from '../../src/worker/engine/relational/sequences';

describe('ordered children as sequences', () => {
  it("finds each row's previous sibling in the given order", () => {
    // Parents 0 and 1; rows in source order, ordered by date: 2, 0, 3 for parent 0 and 1, 4 for parent 1.
    const link = Int32Array.from([0, 1, 0, 0, 1]);
    const order = Int32Array.from([2, 1, 0, 4, 3]);
    expect(Array.from(previousSiblings(link, order))).toEqual([2, -1, -1, 0, 1]);
  });

  it("appends the previous sibling's features and a flag to the context", () => {
    const ctx = { matrix: Float32Array.from([1, 2, 3]), dim: 1 };
    const feats = Float32Array.from([10, 11, 20, 21, 30, 31]);
    const out = withPrevious(ctx, feats, 2, Int32Array.from([-1, 0, 1]));
    expect(out.dim).toBe(4);
    expect(Array.from(out.matrix)).toEqual([1, 0, 0, 0, 2, 10, 11, 1, 3, 20, 21, 1]);
  });

  it('samples round by round: each round sees the previous round of the same parent (candidate 0), all candidates come back per row', async () => {
    // Two parents: 3 children and 1 child, laid out parent by parent.
    const position = Int32Array.from([0, 1, 2, 0]);
    const ctx = { matrix: Float32Array.from([5, 5, 5, 7]), dim: 1 };
    // The previous sibling's feature: its value.
    const previous: Featurizer = { dim: 1, encode: (b) => Float32Array.from(b.rows, (r) => Number(r[0])) };
    const seen: number[][] = [];
    const k = 2;
    const all = await sequenceCandidates(ctx, position, ['v'], previous, k, async (c, m) => {
      seen.push(Array.from(c.matrix));
      const rows: Row[] = [];
      // Candidate c of row j: parent context + previous value + 1 (+100 for the alternative candidate).
      for (let cand = 0; cand < k; cand++) for (let j = 0; j < m; j++) rows.push([c.matrix[j * c.dim]! + c.matrix[j * c.dim + 1]! + 1 + 100 * cand]);
      return { columns: ['v'], rows };
    });
    // Round 0: both parents' first children, no previous; round 1 sees 6; round 2 sees 6 + 5 + 1 = 12.
    expect(seen).toEqual([
      [5, 0, 0, 7, 0, 0],
      [5, 6, 1],
      [5, 12, 1],
    ]);
    expect(all.rows.map((r) => r[0])).toEqual([6, 12, 18, 8, 106, 112, 118, 108]);
  });
});
