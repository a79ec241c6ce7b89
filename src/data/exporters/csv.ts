import { stringify } from 'csv-stringify/sync';
import type { RowBatch } from '../../shared/values';
import type { FileSink } from './sinks';
import type { ExportTable } from './table-reader';
import { delimitedCell, inertText } from './text-cells';

const encoder = new TextEncoder();

/**
 * Writes a table as CSV (comma) or TSV (tab) with a header row, one batch at a time. Text cells
 * (and column names) that a spreadsheet would run as formulas get a leading apostrophe unless
 * `allowFormulas`; numbers, dates and booleans are written in the source's form (its words,
 * decimals and date pattern) when the output recorded it, else as they are.
 */
export async function writeDelimited(
  table: ExportTable,
  rows: AsyncIterable<RowBatch>,
  sink: FileSink,
  delimiter: ',' | '\t',
  onRows: (n: number) => void,
  allowFormulas = false,
): Promise<void> {
  const types = table.columns.map((c) => c.storageType);
  const forms = table.columns.map((c) => c.form);
  const opts = { delimiter, record_delimiter: '\n' as const, quoted_match: delimiter === '\t' ? /\t/ : undefined };
  sink.push(encoder.encode(stringify([table.columns.map((c) => (allowFormulas ? c.name : inertText(c.name)))], opts)));
  for await (const batch of rows) {
    const text = stringify(
      batch.rows.map((r) => r.map((v, i) => delimitedCell(v, types[i] ?? 'unknown', allowFormulas, forms[i]))),
      opts,
    );
    sink.push(encoder.encode(text));
    onRows(batch.rows.length);
  }
  sink.end();
}
