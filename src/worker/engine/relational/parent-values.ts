/**
 * Child columns that are really values of the parent: the same for all children of a parent
 * (generated once per parent), or a copy of a parent column (an invoice's billing city is its
 * customer's city: copied from the generated parent, mocked values included).
 */
import type { SynthesisConfig, TableConfig } from '../../../shared/config';
import type { RowBatch } from '../../../shared/values';

export interface InheritedColumn {
  column: string;
  parentTable: string;
  parentColumn: string;
}

/** True when, among parents with at least two children, 95% have children all equal on `column` (and such parents exist). */
export function constantAmongSiblings(batch: RowBatch, column: string, link: Int32Array): boolean {
  const ci = batch.columns.indexOf(column);
  const first = new Map<number, string>();
  const multi = new Set<number>();
  const broken = new Set<number>();
  batch.rows.forEach((r, i) => {
    const p = link[i]!;
    const v = String(r[ci] ?? '\u0000');
    const f = first.get(p);
    if (f === undefined) first.set(p, v);
    else {
      multi.add(p);
      if (f !== v) broken.add(p);
    }
  });
  return multi.size >= 10 && broken.size <= 0.05 * multi.size;
}

/** Share of child rows (with a value) whose value must equal the parent's for the column to be inherited. */
const INHERIT_SHARE = 0.95;

/**
 * Generated or mocked child columns that repeat a generated or mocked column of their parent row
 * (denormalized copies: billing address = customer address), with at least 10 parents and two
 * distinct values behind the match; the best-matching parent column when several do. Copying it
 * from the generated parent keeps a mocked parent column and its copies the same fake value.
 */
export function inheritedColumns(
  config: SynthesisConfig,
  table: string,
  parentTable: string,
  child: RowBatch,
  parent: RowBatch,
  link: Int32Array,
): InheritedColumn[] {
  const outputColumn = (tc: TableConfig, name: string): boolean => {
    const c = tc.columns[name];
    return !!c && c.included && (c.treatment === 'synthesize' || c.treatment === 'mock') && c.sdtype !== 'id' && !tc.primaryKey.includes(name);
  };
  const tc = config.tables[table]!;
  const pc = config.tables[parentTable]!;
  const parentCols = parent.columns.filter((n) => outputColumn(pc, n));
  const out: InheritedColumn[] = [];
  for (const name of child.columns.filter((n) => outputColumn(tc, n))) {
    const ci = child.columns.indexOf(name);
    let best: { col: string; share: number } | null = null;
    for (const pcol of parentCols) {
      const pi = parent.columns.indexOf(pcol);
      let seen = 0;
      let same = 0;
      const parents = new Set<number>();
      const values = new Set<string>();
      child.rows.forEach((r, i) => {
        const v = r[ci];
        if (v === null || v === undefined || link[i]! < 0) return;
        seen++;
        const pv = parent.rows[link[i]!]![pi];
        if (pv !== null && pv !== undefined && String(pv) === String(v)) {
          same++;
          parents.add(link[i]!);
          if (values.size < 2) values.add(String(v));
        }
      });
      const share = seen ? same / seen : 0;
      if (share >= INHERIT_SHARE && parents.size >= 10 && values.size >= 2 && (!best || share > best.share)) best = { col: pcol, share };
    }
    if (best) out.push({ column: name, parentTable, parentColumn: best.col });
  }
  return out;
}
