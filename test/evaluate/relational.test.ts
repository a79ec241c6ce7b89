import { describe, expect, it } from 'vitest';
import type { Relationship, RowBatch } from '../../src/shared';
import { evaluateRelationship } from '../../src/worker/engine/evaluate/relational';

const rel: Relationship = { parentTable: 'account', parentColumns: ['id'], childTable: 'loan', childColumns: ['account_id'], origin: 'declared' };
const columns = {
  account: [{ name: 'region', sdtype: 'categorical' as const }],
  loan: [{ name: 'amount', sdtype: 'numerical' as const }],
};

function tables(accounts: [number, string][], loans: [number | null, number][]): { tables: Record<string, RowBatch> } {
  return {
    tables: {
      account: { columns: ['id', 'region'], rows: accounts },
      loan: { columns: ['account_id', 'amount'], rows: loans },
    },
  };
}

describe('relational metrics', () => {
  const real = tables(
    [
      [1, 'north'],
      [2, 'south'],
      [3, 'south'],
    ],
    [
      [1, 100],
      [1, 120],
      [2, 900],
    ],
  );

  it('cardinality is the KS complement of children per parent (0-child parents included)', () => {
    // real children per parent {2,1,0}, synthetic {1,1,1}: D = 1/3
    const syn = tables(
      [
        [10, 'north'],
        [20, 'south'],
        [30, 'south'],
      ],
      [
        [10, 100],
        [20, 900],
        [30, 950],
      ],
    );
    const r = evaluateRelationship({ relationship: rel, real, synthetic: syn, columns })!;
    expect(r.cardinality).toBeCloseTo(2 / 3, 12);
    expect(r.childCounts.labels).toEqual(['0', '1', '2', '3+']);
    expect(r.childCounts.real).toEqual([1, 1, 1, 0]);
    expect(r.childCounts.synthetic).toEqual([0, 3, 0, 0]);
    expect(r.meanChildren).toEqual({ real: 1, synthetic: 1 });
    expect(r.integrity).toBe(1);
  });

  it('referential integrity counts non-null foreign keys pointing at an existing parent', () => {
    const syn = tables(
      [
        [10, 'north'],
        [20, 'south'],
      ],
      [
        [10, 100],
        [20, 900],
        [99, 5],
        [null, 7],
      ],
    );
    const r = evaluateRelationship({ relationship: rel, real, synthetic: syn, columns })!;
    expect(r.integrity).toBeCloseTo(2 / 3, 12);
    expect(r.realIntegrity).toBe(1);
  });

  it('identical data scores 1.0 everywhere, and pair trends link parent and child columns', () => {
    const r = evaluateRelationship({ relationship: rel, real, synthetic: real, columns })!;
    expect(r.cardinality).toBe(1);
    expect(r.pairTrends).toBe(1);
    expect(r.pairs).toHaveLength(1);
    expect(r.pairs[0]).toMatchObject({ column1: 'account.region', column2: 'loan.amount', metric: 'ContingencySimilarity' });
  });

  it('children attached to the wrong kind of parent lower the pair trends', () => {
    // Big loans now belong to the north account: the region–amount relationship is reversed.
    const syn = tables(
      [
        [1, 'north'],
        [2, 'south'],
        [3, 'south'],
      ],
      [
        [2, 100],
        [2, 120],
        [1, 900],
      ],
    );
    const r = evaluateRelationship({ relationship: rel, real, synthetic: syn, columns })!;
    expect(r.pairTrends!).toBeLessThan(0.5);
  });
});
