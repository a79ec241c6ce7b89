/**
 * Parents per number of children along a link: in SQL where the tables are (a source database,
 * the execution's local output, a destination), or from one streamed pass over each table (files
 * read by the JavaScript pass). Either way a child whose key matches no parent is not counted and
 * a parent with none counts 0.
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

/** A link's two tables and key columns as SQL (already quoted), for `childCountSql`. */
export interface ChildCountQuery {
  /** The parent and child tables as a from-clause expression each. */
  parent: string;
  child: string;
  parentColumns: string[];
  childColumns: string[];
  /** Per key column: an expression of a text key's bytes when the database compares text by a case-insensitive collation (else null or absent). */
  bytes?: Array<((expr: string) => string) | null>;
}

/**
 * The SQL of a link's histogram, `(children, parents)` rows by children ascending: children per
 * parent row by a left join grouped on the parent key (parents with none count 0; children
 * whose key matches no parent are not counted), then parents per count.
 */
export function childCountSql(q: ChildCountQuery): string {
  const on = q.parentColumns.map((pc, i) => {
    const [p, c] = [`p.${pc}`, `c.${q.childColumns[i]!}`];
    const bytes = q.bytes?.[i];
    return bytes ? `${c} = ${p} and ${bytes(c)} = ${bytes(p)}` : `${c} = ${p}`;
  });
  const key = q.parentColumns.map((pc) => `p.${pc}`).join(', ');
  const perParent = `select count(c.${q.childColumns[0]!}) as n from ${q.parent} p left join ${q.child} c on ${on.join(' and ')} group by ${key}`;
  return `select d.n, count(*) as parents from (${perParent}) d group by d.n order by d.n`;
}
