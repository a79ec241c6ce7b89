import type { DatasetMetadata } from '../../shared/metadata';
import type { Row, RowBatch } from '../../shared/values';
import type { SourceSpec } from '../../shared/source';

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
  close(): Promise<void>;
}

export const DEFAULT_BATCH_SIZE = 5000;
export const DEFAULT_SAMPLE_ROWS = 10_000;

/** Opens a source; the password (if any) comes from opts, the spec, or PGPASSWORD / MYSQL_PWD. */
export async function openSource(spec: SourceSpec, opts: { password?: string } = {}): Promise<SourceConnector> {
  switch (spec.kind) {
    case 'files': {
      const { openFileSource } = await import('./file-source');
      return openFileSource(spec);
    }
    case 'sqlite':
    case 'postgres':
    case 'mysql': {
      const { openDatabaseSource } = await import('./db-source');
      return openDatabaseSource(spec, opts.password);
    }
  }
}
