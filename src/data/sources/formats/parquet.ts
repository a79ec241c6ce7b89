import { basename } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData, type SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { AppError } from '../../../shared/errors';
import type { StorageType } from '../../../shared/metadata';
import type { FileTable } from './types';
import { headerNames } from './header';
import { timestampFromMicroseconds, timestampFromNanoseconds } from './parquet-time';
import { parquetEngine } from './parquet-duckdb';

type AsyncBuffer = Awaited<ReturnType<typeof asyncBufferFromFile>>;

/** Timestamps a JS Date cannot hold become null, never a wrapped date (parquet-time.ts). */
const parsers = { timestampFromNanoseconds, timestampFromMicroseconds } as unknown as Record<string, (v: never) => unknown>;

function storageOf(tree: SchemaTree): { storageType: StorageType; nativeType: string; scale?: number } {
  const e = tree.element;
  const lt = e.logical_type?.type;
  const ct = e.converted_type;
  const native = [e.type ?? 'GROUP', lt ?? ct].filter(Boolean).join('/');
  if (tree.children.length > 0 || e.repetition_type === 'REPEATED' || ct === 'LIST' || lt === 'LIST' || ct === 'MAP')
    return { storageType: 'json', nativeType: native };
  if (ct === 'DECIMAL' || lt === 'DECIMAL') {
    const out: { storageType: StorageType; nativeType: string; scale?: number } = { storageType: 'decimal', nativeType: native };
    if (e.scale !== undefined) out.scale = e.scale;
    return out;
  }
  if (ct === 'DATE' || lt === 'DATE') return { storageType: 'date', nativeType: native };
  if (e.type === 'INT96' || ct?.startsWith('TIMESTAMP') || lt === 'TIMESTAMP') return { storageType: 'datetime', nativeType: native };
  if (ct?.startsWith('TIME') || lt === 'TIME') return { storageType: 'time', nativeType: native };
  if (ct === 'JSON' || lt === 'JSON') return { storageType: 'json', nativeType: native };
  switch (e.type) {
    case 'BOOLEAN':
      return { storageType: 'boolean', nativeType: native };
    case 'INT32':
      return { storageType: 'integer', nativeType: native };
    case 'INT64':
      return { storageType: 'bigint', nativeType: native };
    case 'FLOAT':
    case 'DOUBLE':
      return { storageType: 'float', nativeType: native };
    case 'BYTE_ARRAY':
      return { storageType: 'string', nativeType: native };
    case 'FIXED_LEN_BYTE_ARRAY':
      return lt === 'UUID' ? { storageType: 'string', nativeType: native } : { storageType: 'binary', nativeType: native };
    default:
      return { storageType: 'unknown', nativeType: native };
  }
}

function parquetError(e: unknown, path: string): AppError {
  if (e instanceof AppError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new AppError('SOURCE_MALFORMED', `${basename(path)} is not a readable Parquet file (${msg}).`, {
    fix: 'Check the file is complete (not truncated) and was written as Parquet; export it again if needed.',
  });
}

function leafCount(tree: SchemaTree): number {
  return tree.children.length === 0 ? 1 : tree.children.reduce((n, c) => n + leafCount(c), 0);
}

/**
 * Empty and repeated top-level column names renamed in the file's metadata as a CSV header's
 * would be (header.ts), in the schema and in every column chunk: the reader matches columns by
 * name, so a repeated name would read the first column twice.
 */
function nameColumns(meta: FileMetaData): void {
  const columns = parquetSchema(meta).children;
  const names = headerNames(columns.map((c) => c.element.name));
  if (names.every((n, i) => n === columns[i]!.element.name)) return;
  columns.forEach((c, i) => (c.element.name = names[i]!));
  for (const rg of meta.row_groups) {
    let chunk = 0;
    columns.forEach((c, i) => {
      for (let k = 0; k < leafCount(c); k++) {
        const path = rg.columns[chunk++]?.meta_data?.path_in_schema;
        if (path) path[0] = names[i]!;
      }
    });
  }
}

/** A parquet file as one table; reads row group by row group (bounded memory). Empty and repeated column names are named as in a CSV header. */
export function parquetTable(path: string, name: string): FileTable {
  let state: Promise<{ file: AsyncBuffer; meta: FileMetaData; columns: SchemaTree[] }> | undefined;
  const load = (): Promise<{ file: AsyncBuffer; meta: FileMetaData; columns: SchemaTree[] }> => {
    state ??= (async () => {
      try {
        const file = await asyncBufferFromFile(path);
        if (file.byteLength < 12) throw new Error('file too short');
        const meta = await parquetMetadataAsync(file);
        nameColumns(meta);
        return { file, meta, columns: parquetSchema(meta).children };
      } catch (e) {
        throw parquetError(e, path);
      }
    })();
    return state;
  };
  const readRange = async (rowStart: number, rowEnd: number): Promise<unknown[][]> => {
    const { file, meta } = await load();
    let out: unknown[][] = [];
    try {
      await parquetRead({ file, metadata: meta, compressors, rowStart, rowEnd, parsers, onComplete: (rows: unknown[][]) => (out = rows) });
    } catch (e) {
      throw parquetError(e, path);
    }
    return out;
  };
  return {
    name,
    origin: path,
    textual: false,
    async open() {
      const { meta, columns } = await load();
      async function* rows(): AsyncGenerator<unknown[]> {
        let start = 0;
        for (const rg of meta.row_groups) {
          const n = Number(rg.num_rows);
          for (const r of await readRange(start, start + n)) yield r;
          start += n;
        }
      }
      return { header: columns.map((c) => c.element.name), rows: rows() };
    },
    async knownRowCount() {
      return Number((await load()).meta.num_rows);
    },
    async storageHints() {
      const { columns } = await load();
      return new Map(columns.map((c) => [c.element.name, storageOf(c)]));
    },
    async engine() {
      return parquetEngine(path, (await load()).columns);
    },
    async slice(offset, limit) {
      const total = Number((await load()).meta.num_rows);
      if (offset >= total || limit <= 0) return [];
      return readRange(offset, Math.min(total, offset + limit));
    },
  };
}
