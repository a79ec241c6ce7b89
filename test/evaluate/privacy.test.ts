import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared';
import type { ColumnSpec } from '../../src/worker/engine/evaluate/columns';
import { encodeForDistance, nearestTwo } from '../../src/worker/engine/evaluate/distance';
import { dcrShare, evaluatePrivacy, exactMatches } from '../../src/worker/engine/evaluate/privacy';
import { rng } from '../../src/worker/engine/evaluate/sample';

const columns: ColumnSpec[] = [
  { name: 'age', sdtype: 'numerical' },
  { name: 'city', sdtype: 'categorical' },
  { name: 'income', sdtype: 'numerical' },
];

/** A population of people drawn from one distribution (seeded). */
function people(n: number, seed: number): RowBatch {
  const r = rng(seed);
  const cities = ['Oslo', 'Bergen', 'Trondheim', 'Tromsø', 'Bodø'];
  return {
    columns: ['age', 'city', 'income'],
    rows: Array.from({ length: n }, () => {
      const age = 18 + Math.floor(r() * 60);
      return [age, cities[Math.floor(r() * r() * 5)]!, Math.round(20000 + age * 900 + r() * 40000)];
    }),
  };
}

describe('distance (Gower)', () => {
  it('averages scaled numeric gaps (capped at 1) and categorical mismatches, with missing values', () => {
    const ref: RowBatch = {
      columns: ['age', 'city', 'income'],
      rows: [
        [0, 'a', 0],
        [100, 'b', 1000],
      ],
    };
    // scale = 1st–99th percentile spread of the reference: age 98, income 980
    const query: RowBatch = {
      columns: ['age', 'city', 'income'],
      rows: [
        [49, 'a', 98],
        [null, 'c', 5000],
      ],
    };
    const [refE, qE] = encodeForDistance(ref, [ref, query], columns) as [
      ReturnType<typeof encodeForDistance>[number],
      ReturnType<typeof encodeForDistance>[number],
    ];
    const { d1, d2 } = nearestTwo(qE, refE);
    // row 0 -> ref 0: (49/98 + 0 + 98/980)/3 = 0.2; -> ref 1: (51/98 + 1 + 902/980)/3
    expect(d1[0]).toBeCloseTo((0.5 + 0 + 0.1) / 3, 10);
    expect(d2[0]).toBeCloseTo((51 / 98 + 1 + 902 / 980) / 3, 10);
    // row 1: missing age (1) + other city (1) + income gap capped (1) = 1 for both
    expect(d1[1]).toBeCloseTo(1, 10);
  });
});

describe('privacy metrics', () => {
  const train = people(600, 1);
  const holdout = people(600, 2);

  it('a synthetic set of fresh people from the same population scores a DCR share near 0.50', () => {
    const fresh = people(600, 3);
    const p = evaluatePrivacy({ train, holdout, synthetic: fresh, columns });
    expect(p.dcrShare!).toBeGreaterThan(0.4);
    expect(p.dcrShare!).toBeLessThan(0.6);
    expect(p.dcr.synthetic.median).toBeGreaterThan(0);
    expect(p.dcr.holdout!.median).toBeGreaterThan(0);
  });

  it('copies of training rows score a DCR share near 1, zero distances and exact matches', () => {
    const copies: RowBatch = { columns: train.columns, rows: train.rows.slice(0, 300) };
    const p = evaluatePrivacy({ train, holdout, synthetic: copies, columns });
    expect(p.dcrShare!).toBeGreaterThan(0.95);
    expect(p.dcr.synthetic.median).toBe(0);
    expect(p.exactMatches).toBe(300);
    expect(p.exactMatchRate).toBe(1);
    expect(dcrShare(train, holdout, copies, columns)).toBeCloseTo(p.dcrShare!, 10);
  });

  it('counts exact matches with unique training rows separately from common ones', () => {
    const t: RowBatch = {
      columns: ['age', 'city', 'income'],
      rows: [
        [30, 'a', 1],
        [30, 'a', 1],
        [40, 'b', 2],
        [50, 'c', 3],
      ],
    };
    const s: RowBatch = {
      columns: ['age', 'city', 'income'],
      rows: [
        [30, 'a', 1],
        [40, 'b', 2],
        [41, 'b', 2],
        ['50', 'c', '3'],
      ],
    };
    expect(exactMatches(t, s, columns)).toEqual({ matches: 3, uniqueMatches: 2 });
  });

  it('NNDR of copies is 0 while a fresh holdout stays well above', () => {
    const copies: RowBatch = { columns: train.columns, rows: train.rows.slice(0, 200) };
    const p = evaluatePrivacy({ train, holdout, synthetic: copies, columns });
    expect(p.nndr.synthetic.median).toBe(0);
    expect(p.nndr.holdout!.median).toBeGreaterThan(0.3);
    expect(p.nndr.histogram.synthetic.reduce((a, b) => a + b, 0)).toBe(200);
  });
});
