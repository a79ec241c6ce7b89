/**
 * Parents per number of children along a link, from one streamed pass over each table (files
 * read by the JavaScript pass): the parent keys first (one count per parent row), then the
 * child's foreign keys. Keys match as the engine's links match them (`linkKey`); a child whose
 * key matches no parent is not counted, a parent with none counts 0.
 */
import { childCountHistogram, type ChildCountHistogram } from '../../shared/table-stats';
import { linkKey, type Row, type RowBatch } from '../../shared/values';

/** A key of one or more cells (null when any is empty). */
function tupleKey(r: Row): string | null {
  const parts: string[] = [];
  for (const v of r) {
    const k = linkKey(v);
    if (k === null) return null;
    parts.push(k);
  }
  return parts.join('\u0001');
}

export async function streamedChildCounts(parentKeys: AsyncIterable<RowBatch>, childKeys: AsyncIterable<RowBatch>): Promise<ChildCountHistogram> {
  const children = new Map<string, number>();
  for await (const b of parentKeys)
    for (const r of b.rows) {
      const k = tupleKey(r);
      if (k !== null) children.set(k, 0);
    }
  for await (const b of childKeys)
    for (const r of b.rows) {
      const k = tupleKey(r);
      const n = k === null ? undefined : children.get(k);
      if (n !== undefined) children.set(k!, n + 1);
    }
  return childCountHistogram([...children.values()]);
}
