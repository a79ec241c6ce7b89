/**
 * Parents per number of children along a link: in SQL where the tables are (a source database,
 * the execution's local output, a destination), or from one streamed pass over each table (files
 * read by the JavaScript pass). Either way a child whose key matches no parent is not counted and
 * a parent with none counts 0.
 */
import { childCountHistogram, forestLevels, MAX_FOREST_DEPTH, type ChildCountHistogram, type ForestLevels } from '../../shared/table-stats';
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

/**
 * A single-column self-reference's forest level by level (`ForestLevels`) from one streamed pass
 * over the table's key and reference (in that order): each row's reference resolved to the row
 * holding that key as the engine's links match keys, then walked down from the roots.
 */
export async function streamedForestLevels(keyAndReference: AsyncIterable<RowBatch>): Promise<ForestLevels> {
  const at = new Map<string, number>();
  const refs: Array<string | null> = [];
  for await (const b of keyAndReference)
    for (const r of b.rows) {
      const k = linkKey(r[0] ?? null);
      if (k !== null && !at.has(k)) at.set(k, refs.length);
      refs.push(linkKey(r[1] ?? null));
    }
  const link = Int32Array.from(refs, (k) => (k === null ? -1 : (at.get(k) ?? -1)));
  return forestLevels(link);
}

/** A single-column self-reference as SQL (already quoted), for `forestLevelsSql`. */
export interface ForestQuery {
  /** The table as a from-clause expression. */
  table: string;
  key: string;
  reference: string;
  /** An expression of a text key's bytes when the database compares text by a case-insensitive collation. */
  bytes: ((expr: string) => string) | null;
}

/**
 * The SQL of a self-reference's forest level by level, `(depth, children, rows)` rows: a
 * recursive query walks down from the roots (an empty reference or one matching no row) at
 * most MAX_FOREST_DEPTH levels, so a cycle of references is never entered and never loops. A
 * reached row's children are the rows reached one level below it whose reference is its key, so
 * they are counted by grouping each level's rows by their reference (keys are unique); the rows
 * of a level no row below references have none. No join of the walk with itself: on a large
 * table without an index on the reference, that join was the slow part (MariaDB, 1M rows).
 */
export function forestLevelsSql(q: ForestQuery): string {
  const { table, key: k, reference: r, bytes } = q;
  const eq = (a: string, b: string): string => (bytes ? `${a} = ${b} and ${bytes(a)} = ${bytes(b)}` : `${a} = ${b}`);
  const walk =
    `with recursive f(k, r, d) as (` +
    `select t.${k}, t.${r}, 0 from ${table} t where t.${r} is null or not exists (select 1 from ${table} q where ${eq(`q.${k}`, `t.${r}`)}) ` +
    `union all select c.${k}, c.${r}, f.d + 1 from ${table} c join f on ${eq(`c.${r}`, 'f.k')} where f.d < ${MAX_FOREST_DEPTH})`;
  // Per parent reached: the level it is at and its children (rows one level below naming it).
  const parents = `select f.d - 1 as d, count(*) as n from f where f.d > 0 group by f.d, ${bytes ? bytes('f.r') : 'f.r'}`;
  const childless =
    `select z.d, 0 as n, sum(z.m) as m from (select f.d, count(*) as m from f group by f.d ` +
    `union all select p.d, -count(*) from (${parents}) p group by p.d) z group by z.d having sum(z.m) > 0`;
  return `${walk} select x.d, x.n, x.m from (select p.d, p.n, count(*) as m from (${parents}) p group by p.d, p.n union all ${childless}) x order by x.d, x.n`;
}
