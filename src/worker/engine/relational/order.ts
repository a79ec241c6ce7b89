/**
 * The column that orders the children of one parent into a sequence (an account's orders by
 * date, a player's seasons by year, a pupil's records by grade): the first synthesized datetime
 * column, else a column named like a sequence step holding whole numbers (numerical, or
 * categorical when the rows show its values are integers). Tables without one are unordered sets
 * of children. A
 * child's context holds its position in that order (and its dates are learned relative to its
 * parent's: relative-time.ts); the report compares the gaps between consecutive siblings.
 */
import type { TableConfig } from '../../../shared/config';
import type { RowBatch } from '../../../shared/values';
import { datetimeValue, numericValue } from '../evaluate/columns';

const SEQUENCE_NAME = /year|seq|sequence|step|period|visit|stint|grade|lap|round|term|semester|season|wave|episode/i;

export function sequenceColumn(table: TableConfig, rows?: RowBatch): string | null {
  const entries = Object.entries(table.columns).filter(([n, c]) => c.included && c.treatment === 'synthesize' && !table.primaryKey.includes(n));
  const integers = (name: string): boolean => {
    const ci = rows ? rows.columns.indexOf(name) : -1;
    if (ci < 0) return false;
    let n = 0;
    let whole = 0;
    for (const r of rows!.rows) {
      const x = numericValue(r[ci]);
      if (r[ci] === null || r[ci] === undefined || r[ci] === '') continue;
      n++;
      if (Number.isInteger(x)) whole++;
    }
    return n > 0 && whole >= 0.99 * n;
  };
  return (
    entries.find(([, c]) => c.sdtype === 'datetime')?.[0] ??
    entries.find(([n, c]) => SEQUENCE_NAME.test(n) && (c.sdtype === 'numerical' || (c.sdtype === 'categorical' && integers(n))))?.[0] ??
    null
  );
}

/** Order of siblings: by the child's sequence column (a date or a step), else source order. */
export function siblingOrder(batch: RowBatch, config: TableConfig): Int32Array {
  const idx = Int32Array.from(batch.rows, (_, i) => i);
  const column = sequenceColumn(config, batch);
  const ci = column ? batch.columns.indexOf(column) : -1;
  if (ci < 0) return idx;
  const value = config.columns[column!]!.sdtype === 'datetime' ? datetimeValue : numericValue;
  const t = batch.rows.map((r) => {
    const x = value(r[ci]);
    return Number.isFinite(x) ? x : Number.POSITIVE_INFINITY;
  });
  return idx.sort((a, b) => t[a]! - t[b]! || a - b);
}
