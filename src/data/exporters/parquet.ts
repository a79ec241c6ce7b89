import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { StorageType } from '../../shared/metadata';
import type { CellValue, RowBatch } from '../../shared/values';
import type { ValueForm } from '../../shared/value-form';
import type { FileSink } from './sinks';
import type { ExportTable } from './table-reader';

export const PARQUET_ROW_GROUP = 100_000;

/**
 * The column's Parquet type. In the source's form: booleans the source wrote as words are text
 * with those words, numbers with fixed decimals are DECIMAL with that scale.
 */
function schemaElement(name: string, type: StorageType, form: ValueForm | undefined): SchemaElement {
  const base = { name, repetition_type: 'OPTIONAL' as const };
  if (type === 'boolean' && form?.booleanWords) return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  if ((type === 'float' || type === 'decimal') && form?.decimals !== undefined)
    return { ...base, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: form.decimals };
  switch (type) {
    case 'integer':
    case 'bigint':
      return { ...base, type: 'INT64' };
    case 'float':
    case 'decimal':
      return { ...base, type: 'DOUBLE' };
    case 'boolean':
      return { ...base, type: 'BOOLEAN' };
    case 'date':
      return { ...base, type: 'INT32', converted_type: 'DATE' };
    case 'datetime':
      return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
    case 'binary':
      return { ...base, type: 'BYTE_ARRAY' };
    default:
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  }
}

/** A cell as the value hyparquet-writer expects for the column's parquet type. */
function parquetValue(v: CellValue, type: StorageType, form: ValueForm | undefined): unknown {
  if (v === null) return null;
  if (type === 'boolean' && form?.booleanWords) return typeof v === 'boolean' ? form.booleanWords[v ? 0 : 1] : String(v);
  switch (type) {
    case 'integer':
    case 'bigint':
      if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : BigInt(Math.round(v));
      if (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim())) return BigInt(v.trim());
      if (typeof v === 'boolean') return v ? 1n : 0n;
      return null;
    case 'float':
    case 'decimal': {
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : v === 1 || v === '1' || v === 'true';
    case 'date':
    case 'datetime':
      return v instanceof Date && !Number.isNaN(v.getTime()) ? v : null;
    case 'binary':
      return typeof v === 'string' ? new TextEncoder().encode(v) : null;
    default:
      return v instanceof Date ? v.toISOString() : String(v);
  }
}

/** A hyparquet Writer that hands its bytes to the sink about every megabyte. */
function sinkWriter(sink: FileSink): ByteWriter {
  const writer = new ByteWriter();
  const state = writer as unknown as { index: number; buffer: ArrayBuffer; view: DataView };
  const flush = (): void => {
    if (state.index) sink.push(new Uint8Array(state.buffer, 0, state.index).slice());
    state.index = 0;
  };
  writer.ensure = (size: number): void => {
    if (state.index > 1_000_000) flush();
    if (state.index + size > state.buffer.byteLength) {
      const next = new ArrayBuffer(Math.max(state.buffer.byteLength * 2, state.index + size));
      new Uint8Array(next).set(new Uint8Array(state.buffer, 0, state.index));
      state.buffer = next;
      state.view = new DataView(next);
    }
  };
  writer.finish = (): void => {
    flush();
    sink.end();
  };
  return writer;
}

/** Writes a table as Parquet in row groups of PARQUET_ROW_GROUP rows (memory bounded by one group). */
export async function writeParquet(table: ExportTable, rows: AsyncIterable<RowBatch>, sink: FileSink, onRows: (n: number) => void): Promise<void> {
  const types = table.columns.map((c) => c.storageType);
  const forms = table.columns.map((c) => c.form);
  const schema: SchemaElement[] = [
    { name: 'root', num_children: table.columns.length },
    ...table.columns.map((c) => schemaElement(c.name, c.storageType, c.form)),
  ];
  const pw = new ParquetWriter({ writer: sinkWriter(sink), schema, codec: 'SNAPPY' });
  let cols: unknown[][] = table.columns.map(() => []);
  let pending = 0;
  const flushGroup = async (): Promise<void> => {
    if (!pending) return;
    await pw.write({ columnData: table.columns.map((c, i) => ({ name: c.name, data: cols[i] ?? [] })), rowGroupSize: pending });
    onRows(pending);
    cols = table.columns.map(() => []);
    pending = 0;
  };
  for await (const batch of rows) {
    for (const r of batch.rows) {
      for (let i = 0; i < types.length; i++) cols[i]!.push(parquetValue(r[i] ?? null, types[i]!, forms[i]));
      pending++;
    }
    if (pending >= PARQUET_ROW_GROUP) await flushGroup();
  }
  await flushGroup();
  await pw.finish();
}
