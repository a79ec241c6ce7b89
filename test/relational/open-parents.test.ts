import { describe, expect, it } from 'vitest';
import { matchByDegrees } from '../../src/worker/engine/relational/matcher';
import { OpenParents } from '../../src/worker/engine/relational/open-parents';
import { createRng } from '../../src/worker/engine/rng';

describe('parents filled up to their degree', () => {
  it('keeps the open parents as parents close, in any order', () => {
    const open = new OpenParents(6, (p) => p !== 2);
    expect([...open.list].sort()).toEqual([0, 1, 3, 4, 5]);
    open.close(0);
    open.close(5);
    open.close(2);
    expect(open.has(0)).toBe(false);
    expect(open.has(3)).toBe(true);
    expect([...open.list].sort()).toEqual([1, 3, 4]);
  });

  it('gives every parent exactly its number of children', () => {
    const degrees = Int32Array.from([3, 0, 1, 5, 2, 0, 4]);
    const children = Array.from({ length: 15 }, (_, i) => i);
    const chosen = matchByDegrees(children, degrees, (i, p) => ((i * 7 + p * 3) % 5) / 5, createRng(9));
    const got = new Int32Array(degrees.length);
    for (const p of chosen.values()) if (p >= 0) got[p]! += 1;
    expect([...got]).toEqual([...degrees]);
  });
});
