import { AppError } from '../../shared/errors';
import type { DatasetMetadata, Relationship } from '../../shared/metadata';
import type { CellValue, Row, RowBatch } from '../../shared/values';
import type { SourceSpec } from '../../shared/source';
import type { StatsRequest, TableStats } from '../../shared/table-stats';
import type { ContainmentCount } from './containment';

export interface IntrospectOptions {
  /** Rows read per table to infer sdtypes (files also infer storage types from them). */
  sampleRows?: number;
  /** Infer PKs/FKs for sources without declared keys (files). Default true. */
  inferKeys?: boolean;
}

export interface ReadOptions {
  columns?: string[];
  batchSize?: number;
  limit?: number;
  signal?: AbortSignal;
  /** Columns read as the file's text in this read only (see `readAsText`); sources with declared types ignore it. */
  asText?: string[];
}

export interface SampleOptions {
  columns?: string[];
  /** Rows wanted: the sample holds at most this many. */
  rows: number;
  /** A seeded uniform random sample when true, else the first rows (in key order when there is a key). */
  random: boolean;
  seed: number;
  signal?: AbortSignal;
}

export interface KeyReadOptions {
  columns?: string[];
  /** The column matched against `values` (a foreign key). */
  key: string;
  values: CellValue[];
  signal?: AbortSignal;
}

/** Facts about a table's key columns over every row, for the validations. */
export interface KeyFacts {
  rowCount: number;
  /** Rows whose key repeats an earlier row's key. */
  duplicates: number;
  /** Rows with an empty key part. */
  nulls: number;
}

export interface PreviewResult {
  columns: string[];
  rows: Row[];
  total: number;
}

/** A readable source of one or more tables: files, a folder, SQLite, PostgreSQL or MySQL/MariaDB. */
export interface SourceConnector {
  readonly spec: SourceSpec;
  introspect(opts?: IntrospectOptions): Promise<DatasetMetadata>;
  /** Streams a table in batches (bounded memory). */
  readTable(table: string, opts?: ReadOptions): AsyncIterable<RowBatch>;
  preview(table: string, offset: number, limit: number): Promise<PreviewResult>;
  countRows(table: string): Promise<number>;
  /**
   * At most `rows` rows of a table, drawn where the data is (a sampling clause in the database, a
   * reservoir over a streamed read for files): memory depends on `rows`, not on the table.
   */
  sample(table: string, opts: SampleOptions): Promise<RowBatch>;
  /** The rows whose `key` column holds one of `values` (a sampled family's children), in batches. */
  readByKeys(table: string, opts: KeyReadOptions): AsyncIterable<RowBatch>;
  /** Key uniqueness and emptiness over every row (aggregates in a database, one streamed pass for files). */
  keyFacts(table: string, key: string[]): Promise<KeyFacts>;
  /**
   * How many of each single-column foreign key's child values (every row) have no equal parent
   * key, compared as texts (a file's cells as written: "007" is not "7"): an anti-join in a
   * database or DuckDB, else streamed passes in bounded memory, each parent's keys read once
   * (see `streamedContainment`).
   */
  keyContainment(fks: Relationship[], signal?: AbortSignal): Promise<ContainmentCount[]>;
  /**
   * Statistics over every row (row count, empty cells, value counts, extremes) for a table whose
   * training rows are a sample: aggregates in a database, one streamed pass for files.
   */
  tableStats(table: string, request: StatsRequest): Promise<TableStats>;
  /**
   * Reads `columns` of `table` as text from now on: a file column whose type, guessed from its
   * first rows, was widened to text gives every cell as the file holds it ("007", "Yes"), not its
   * typed value. (Sources with declared types have nothing to widen.)
   */
  readAsText?(table: string, columns: string[]): void;
  close(): Promise<void>;
}

export const DEFAULT_BATCH_SIZE = 5000;
export const DEFAULT_SAMPLE_ROWS = 10_000;

/**
 * A table's rows in batches of `batchSize` (default DEFAULT_BATCH_SIZE) under `columns`, at most
 * `limit` rows; a read whose `signal` is aborted stops with EXECUTION_CANCELED.
 */
export async function* inBatches(
  table: string,
  columns: string[],
  rows: AsyncIterable<Row>,
  opts: Pick<ReadOptions, 'batchSize' | 'limit' | 'signal'>,
): AsyncIterable<RowBatch> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const limit = opts.limit ?? Infinity;
  if (limit <= 0) return;
  let batch: Row[] = [];
  let n = 0;
  for await (const r of rows) {
    if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', `Reading ${table} was canceled.`);
    batch.push(r);
    if (batch.length >= batchSize) {
      yield { columns, rows: batch };
      batch = [];
    }
    if (++n >= limit) break;
  }
  if (batch.length) yield { columns, rows: batch };
}

/** Opens a source; the password (if any) comes from opts, the spec, or PGPASSWORD / MYSQL_PWD. */
export async function openSource(spec: SourceSpec, opts: { password?: string } = {}): Promise<SourceConnector> {
  if (spec.kind === 'files') {
    const { openFileSource } = await import('./file-source');
    return openFileSource(spec);
  }
  const { openDatabaseSource } = await import('./db-source');
  return openDatabaseSource(spec, opts.password);
}
