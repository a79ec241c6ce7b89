/** Reading the rows a test holds (a table of an output or a source, as columns and rows). */

/** The cells of one column of a batch; a missing column fails the test by name. */
export function columnOf<T>(batch: { columns: string[]; rows: T[][] }, column: string): T[] {
  const at = batch.columns.indexOf(column);
  if (at < 0) throw new Error(`no column ${column} in ${batch.columns.join(', ')}`);
  return batch.rows.map((r) => r[at]!);
}
