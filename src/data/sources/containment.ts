/**
 * Value containment of a single-column foreign key over every row: how many of the child
 * column's non-empty values have no equal value in the parent column. In SQL where the tables are
 * (an anti-join on the parent's distinct keys), or from two streamed passes over files in bounded
 * memory (the parent's keys in a `DistinctCheck`, the child's values streamed past it).
 */
import type { RowBatch } from '../../shared/values';
import { linkKey } from '../../shared/values';
import { DistinctCheck } from './distinct-check';

/** A child column's non-empty values, and those with no equal parent key. */
export interface ContainmentCount {
  values: number;
  orphans: number;
}

/**
 * A parent's keys for `streamedContainment`, from one streamed pass: held exactly up to the
 * check's set size, past it as a Bloom filter of fixed size.
 */
export async function keySet(parentKeys: AsyncIterable<RowBatch>): Promise<DistinctCheck> {
  const keys = new DistinctCheck();
  for await (const b of parentKeys)
    for (const r of b.rows) {
      const k = linkKey(r[0] ?? null);
      if (k !== null) keys.seen(k);
    }
  return keys;
}

/**
 * Streamed containment of a child's values in a parent's `keySet`. A Bloom filter's only error is
 * to take an orphan for a contained value (about one in 1e11 values at two million parent keys):
 * the orphans are exact while the parent has at most 65,536 keys, else a lower bound.
 */
export async function streamedContainment(keys: DistinctCheck, childValues: AsyncIterable<RowBatch>): Promise<ContainmentCount> {
  const out: ContainmentCount = { values: 0, orphans: 0 };
  for await (const b of childValues)
    for (const r of b.rows) {
      const v = r[0];
      if (v === null || v === undefined) continue;
      out.values++;
      const k = linkKey(v);
      if (k === null || !keys.has(k)) out.orphans++;
    }
  return out;
}

/** A foreign key's two tables and columns as SQL (already quoted), for `containmentSql`. */
export interface ContainmentQuery {
  /** The parent and child tables as a from-clause expression each. */
  parent: string;
  child: string;
  parentColumn: string;
  childColumn: string;
  /** The expression each side's key is compared as (a cast to text when only one side is text); default the column. */
  parentKey?: (col: string) => string;
  childKey?: (col: string) => string;
  /** An expression of a text key's bytes when the database compares text by a case-insensitive collation. */
  bytes?: ((expr: string) => string) | null;
}

/**
 * The SQL of a foreign key's containment, one row `(n, orphans)`: the child's non-null values
 * left-joined with the parent's distinct keys (a hash or an index on the derived table in every
 * database), those without a match counted.
 */
export function containmentSql(q: ContainmentQuery): string {
  const pk = (q.parentKey ?? ((c: string) => c))(`p0.${q.parentColumn}`);
  const ck = (q.childKey ?? ((c: string) => c))(`c.${q.childColumn}`);
  const eq = q.bytes ? `${ck} = p.k and ${q.bytes(ck)} = ${q.bytes('p.k')}` : `${ck} = p.k`;
  const keys = `select distinct ${pk} as k from ${q.parent} p0 where p0.${q.parentColumn} is not null`;
  return `select count(*) as n, count(*) - count(p.k) as orphans from ${q.child} c left join (${keys}) p on ${eq} where c.${q.childColumn} is not null`;
}
