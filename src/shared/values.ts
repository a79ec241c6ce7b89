/**
 * A cell as it travels between sources, the engine, destinations and exporters.
 * Dates and timestamps are `Date`; 64-bit integers that do not fit a double are strings.
 */
export type CellValue = string | number | boolean | Date | null;
/** A row is an array aligned with its table's column list. */
export type Row = CellValue[];

/** A batch of rows of one table, with the column names the rows are aligned to. */
export interface RowBatch {
  columns: string[];
  rows: Row[];
}

/** The text a key cell is matched by between a child's foreign key and its parent's key (null: empty, references nothing). */
export function linkKey(v: CellValue | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return String(v.getTime());
  return String(v);
}
