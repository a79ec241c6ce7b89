/** Children per parent counted in a test from every row, and the report's buckets of such counts. */
import { childCountHistogram, type ChildCountHistogram } from '../../src/shared/table-stats';

export interface ChildCounts {
  /** Parents per number of children, parents with none included. */
  histogram: ChildCountHistogram;
  /** Children of each parent, in the parents' order. */
  degrees: number[];
  /** Children whose key names no parent (empty keys left out). */
  orphans: number;
}

/** The children of every parent key among every child's key (keys compared as text). */
export function childCountsOf(parentKeys: Iterable<unknown>, childKeys: Iterable<unknown>): ChildCounts {
  const per = new Map<string, number>();
  for (const k of parentKeys) per.set(String(k), 0);
  let orphans = 0;
  for (const k of childKeys) {
    if (k === null || k === undefined) continue;
    const n = per.get(String(k));
    if (n === undefined) orphans++;
    else per.set(String(k), n + 1);
  }
  const degrees = [...per.values()];
  return { histogram: childCountHistogram(degrees), degrees, orphans };
}

/** The report's buckets of a histogram (labels "0", "1", …, ranges "a–b" and an open "c+"). */
export function bucketsOf(h: ChildCountHistogram, labels: string[]): number[] {
  const out = new Array<number>(labels.length).fill(0);
  const bounds = labels.map((l) => Number(l.split(/[–+]/)[0]));
  for (const [c, n] of h) {
    let b = bounds.length - 1;
    while (b > 0 && bounds[b]! > c) b--;
    out[b]! += n;
  }
  return out;
}
