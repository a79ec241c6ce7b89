import { stringify } from 'csv-stringify/sync';
import type { RowBatch } from '../../shared/values';
import type { FileSink } from './sinks';
import type { ExportTable } from './table-reader';
import { cellText } from './text-cells';

const encoder = new TextEncoder();

/** Writes a table as CSV (comma) or TSV (tab) with a header row, one batch at a time. */
export async function writeDelimited(table: ExportTable, rows: AsyncIterable<RowBatch>, sink: FileSink, delimiter: ',' | '\t', onRows: (n: number) => void): Promise<void> {
  const types = table.columns.map((c) => c.storageType);
  const opts = { delimiter, record_delimiter: '\n' as const, quoted_match: delimiter === '\t' ? /\t/ : undefined };
  sink.push(encoder.encode(stringify([table.columns.map((c) => c.name)], opts)));
  for await (const batch of rows) {
    const text = stringify(batch.rows.map((r) => r.map((v, i) => cellText(v, types[i] ?? 'unknown'))), opts);
    sink.push(encoder.encode(text));
    onRows(batch.rows.length);
  }
  sink.end();
}
