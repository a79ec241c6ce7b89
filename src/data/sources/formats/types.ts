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
}
