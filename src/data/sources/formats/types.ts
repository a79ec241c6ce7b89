import type { StorageType } from '../../../shared/metadata';

/** One table inside a file (a CSV, a sheet of a workbook, a parquet file). */
export interface FileTable {
  name: string;
  /** File path (and sheet), informational. */
  origin: string;
  /** Cells are text to be typed by inference (CSV) rather than typed values. */
  textual: boolean;
  /**
   * Streams the header and the raw rows (aligned to the header). Workbooks also tell each
   * column's number format (e.g. `dd/mm/yyyy`, `0.00`): the first seen in the rows read so far.
   */
  open(): Promise<{ header: string[]; rows: AsyncIterable<unknown[]>; numberFormats?: () => Array<string | undefined> }>;
  /** Exact row count known without reading (parquet metadata). */
  knownRowCount?(): Promise<number>;
  /** Storage types declared by the file format (parquet schema). */
  storageHints?(): Promise<Map<string, { storageType: StorageType; nativeType: string; scale?: number }>>;
  /** Reads rows [offset, offset+limit) cheaply when the format allows (parquet). */
  slice?(offset: number, limit: number): Promise<unknown[][]>;
  /** The engine of the whole-table passes when one reads this table identically and faster (a large CSV or Parquet file), else the streamed pass. */
  engine?(width: number): Promise<TableEngine | undefined>;
}

/**
 * Whole-table passes made by an engine over a file's raw cells (a CSV's texts, a Parquet file's
 * cells as our reader gives them), typed afterwards by the profile's converters. Columns are positions in the header; rows are the data rows, from 0. An
 * abort of `signal` stops a pass where it is, with EXECUTION_CANCELED.
 */
export interface TableEngine {
  name: string;
  /** Data rows, and whether each key column's cells are all non-empty and distinct. */
  profile(keyColumns: number[], signal?: AbortSignal): Promise<{ rows: number; unique: boolean[] }>;
  /** Calls `onValue` with each distinct cell of each column (the `j`th of `columns`) and the rows holding it, most held first; returns the data rows. */
  valueCounts(columns: number[], onValue: (j: number, value: unknown, rows: number) => void, signal?: AbortSignal): Promise<number>;
  /** The cells of `columns` of the data rows at `indices`, in that order. */
  rowsAt(indices: number[], columns: number[], signal?: AbortSignal): Promise<unknown[][]>;
  /**
   * The discrete quantiles at QUANTILE_POINTS of column `k`'s `n` non-empty cells as numbers
   * (dates and times, `instants`, in milliseconds since the epoch); undefined when the engine
   * does not read the column's cells as the `n` counted.
   */
  quantiles?(k: number, n: number, instants: boolean, signal?: AbortSignal): Promise<number[] | undefined>;
  /** The data rows as a relation a pass of the same engine can join with another table's (columns `c0`…, the cells as the engine compares them, the header left out). */
  relation?: string;
}
