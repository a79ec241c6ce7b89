/**
 * DuckDB as the engine of the whole-table passes over a large Parquet file (row count, key
 * candidates, value counts, rows by index for a sample), as for CSV (csv-duckdb.ts). Columns are
 * taken by position (names may be empty or repeated), and each column is read as an expression
 * whose value becomes exactly the cell our reader (hyparquet) gives: decimals from their unscaled
 * digits, dates from their days, timestamps from their epoch with our reader's truncation and
 * bounds. A file with a column it cannot read identically (nested, INT96, times, JSON, binary,
 * UUID, float16) is read by the streamed JavaScript pass.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SchemaTree } from 'hyparquet';
import { duckdbMinBytes, duckdbModule, duckdbPass, duckdbRowsAt, lit, quantilesAt } from './duckdb';
import { timestampFromMicroseconds, timestampFromNanoseconds } from './parquet-time';
import type { TableEngine } from './types';

/** How DuckDB reads one column so that its cells are our reader's. */
interface ColumnRead {
  /** The expression DuckDB reads the column `c` as. */
  sql: (c: string) => string;
  /** Its value as our reader's cell. */
  decode: (v: unknown) => unknown;
  /** An expression equal for two rows exactly when our reader's cells are (key checks); default `sql`. */
  key?: (c: string) => string;
  /** Whether the empty text counts as an empty cell (texts). */
  text?: boolean;
}

const same: ColumnRead = { sql: (c) => c, decode: (v) => v };
const orNull =
  (f: (v: unknown) => unknown) =>
  (v: unknown): unknown =>
    v === null || v === undefined ? null : f(v);

/** A timestamp of `unit` as our reader reads it (parquet.ts's parsers, hyparquet's for milliseconds). */
function timestampRead(unit: string): ColumnRead | undefined {
  if (unit === 'MILLIS') return { sql: (c) => `epoch_ms(${c})`, decode: orNull((v) => new Date(Number(v))) };
  if (unit === 'MICROS')
    return { sql: (c) => `epoch_us(${c})`, decode: orNull((v) => timestampFromMicroseconds(BigInt(v as bigint))), key: (c) => `epoch_us(${c}) // 1000` };
  if (unit === 'NANOS')
    return {
      sql: (c) => `epoch_ns(${c})`,
      decode: orNull((v) => timestampFromNanoseconds(BigInt(v as bigint))),
      key: (c) => `epoch_ns(${c}) // 1000000`,
    };
  return undefined;
}

/** How DuckDB reads a top-level column identically to our reader, or undefined. */
export function parquetColumnRead(tree: SchemaTree): ColumnRead | undefined {
  const e = tree.element;
  const ct = e.converted_type;
  const lt = e.logical_type;
  if (tree.children.length > 0 || e.repetition_type === 'REPEATED') return undefined;
  if (ct === 'DECIMAL') {
    // hyparquet: the unscaled integer as a number, times 10^-scale; DuckDB prints every scale digit.
    if ((e.precision ?? 0) > 38) return undefined;
    const factor = 10 ** -(e.scale || 0);
    return { sql: (c) => `${c}::VARCHAR`, decode: orNull((v) => Number(BigInt(String(v).replace('.', ''))) * factor), key: (c) => c };
  }
  if (ct === 'DATE') return { sql: (c) => `(${c} - DATE '1970-01-01')`, decode: orNull((v) => new Date(Number(v) * 86_400_000)) };
  if (ct === 'TIMESTAMP_MILLIS') return timestampRead('MILLIS');
  if (ct === 'TIMESTAMP_MICROS') return timestampRead('MICROS');
  if (ct === undefined && lt?.type === 'TIMESTAMP') return timestampRead(lt.unit);
  if (lt && lt.type !== 'STRING' && lt.type !== 'INTEGER') return undefined;
  switch (e.type) {
    case 'BOOLEAN':
    case 'FLOAT':
    case 'DOUBLE':
      return ct === undefined ? same : undefined;
    case 'INT32':
      return ct === undefined || ['INT_8', 'INT_16', 'INT_32', 'UINT_8', 'UINT_16', 'UINT_32'].includes(ct) ? same : undefined;
    case 'INT64':
      return ct === undefined || ct === 'INT_64' || ct === 'UINT_64' ? same : undefined;
    case 'BYTE_ARRAY':
      return ct === undefined || ct === 'UTF8' ? { ...same, text: true } : undefined;
    default:
      return undefined;
  }
}

/** The engine of a Parquet file's whole-table passes: DuckDB for a large file it reads identically, else none (the streamed pass). */
export async function parquetEngine(path: string, columns: SchemaTree[]): Promise<TableEngine | undefined> {
  if ((await stat(path)).size < duckdbMinBytes()) return undefined;
  const reads = columns.map(parquetColumnRead);
  if (!reads.every((r): r is ColumnRead => r !== undefined)) return undefined;
  return (await duckdbModule()) ? duckdbParquetEngine(path, reads) : undefined;
}

/** The whole-table engine of a Parquet file whose top-level columns DuckDB reads with `reads`. */
export function duckdbParquetEngine(path: string, reads: ColumnRead[]): TableEngine {
  const cols = reads.map((_, i) => `c${i}`);
  const from = `read_parquet(${lit(path)}, binary_as_string = true, file_row_number = true) as t(${cols.join(', ')})`;
  const what = basename(path);
  const read = (k: number): ColumnRead => reads[k]!;
  return {
    name: 'duckdb',
    profile: (keyColumns, signal) =>
      duckdbPass(what, signal, async (c) => {
        const parts = keyColumns.flatMap((k) => {
          const r = read(k);
          const empty = r.text ? `c${k} is null or c${k} = ''` : `c${k} is null`;
          return [`count(distinct ${(r.key ?? r.sql)(`c${k}`)})`, `count(*) filter (where ${empty})`];
        });
        const r = (await c.runAndReadAll(`select ${['count(*)', ...parts].join(', ')} from ${from}`)).getRowsJS()[0]!.map(Number);
        const rows = r[0]!;
        return { rows, unique: keyColumns.map((_, j) => rows > 0 && r[2 + 2 * j] === 0 && r[1 + 2 * j] === rows) };
      }),
    valueCounts: (columns, onValue, signal) =>
      duckdbPass(what, signal, async (c) => {
        const vs = columns.map((_, j) => `v${j}`);
        const sets = [...vs.map((v) => `(${v})`), '()'];
        const inner = columns.map((k, j) => `${read(k).sql(`c${k}`)} as v${j}`).join(', ');
        // grouping(v) tells a column's own set from the others (a genuine empty cell is a group too).
        const sql = `select ${vs.join(', ')}, ${vs.map((v) => `grouping(${v})`).join(', ')}, count(*) as n from (select ${inner} from ${from}) group by grouping sets (${sets.join(', ')}) order by n desc`;
        let rows = 0;
        for await (const chunk of (await c.stream(sql)).yieldRowsJs()) {
          for (const r of chunk) {
            const n = Number(r[2 * columns.length]);
            const j = columns.findIndex((_, i) => Number(r[columns.length + i]) === 0);
            if (j < 0) rows = n;
            else onValue(j, read(columns[j]!).decode(r[j]), n);
          }
        }
        return rows;
      }),
    // Ordered by the column's own values (a decimal's, not its digits'), read as our reader's cells.
    quantiles: (k, n, _instants, signal) =>
      duckdbPass(what, signal, (c) =>
        quantilesAt(c, `(select ${read(k).sql(`c${k}`)} as v, c${k} as o from ${from} where c${k} is not null)`, n, (v) => {
          const cell = read(k).decode(v);
          return cell instanceof Date ? cell.getTime() : typeof cell === 'number' || typeof cell === 'bigint' ? Number(cell) : NaN;
        }),
      ),
    rowsAt: (indices, columns, signal) =>
      duckdbRowsAt(what, signal, {
        from,
        record: 'file_row_number',
        records: indices,
        columns,
        pick: (ref, k) => read(k).sql(ref),
        cell: (v, k) => read(k).decode(v),
      }),
  };
}
