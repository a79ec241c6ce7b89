import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { AppError, isAppError } from '../../shared/errors';
import type { DatasetMetadata, TableMeta } from '../../shared/metadata';
import type { SourceSpec } from '../../shared/source';
import type { CellValue, Row, RowBatch } from '../../shared/values';
import {
  DEFAULT_SAMPLE_ROWS,
  inBatches,
  type IntrospectOptions,
  type KeyFacts,
  type KeyReadOptions,
  type PreviewResult,
  type ReadOptions,
  type SampleOptions,
  type SourceConnector,
} from './connector';
import { reservoirIndices, reservoirOf } from './reservoir';
import { streamedKeyFacts } from './key-facts';
import { StatsTally, streamedTableStats } from './streamed-stats';
import { duckdbChildCounts, duckdbContainment, engineWarning } from './formats/duckdb';
import { keySet, streamedContainment, type ContainmentCount } from './containment';
import {
  quantilePoints,
  quantilesOfInstants,
  statsColumns,
  takesQuantiles,
  type ChildCountHistogram,
  type StatsRequest,
  type TableStats,
} from '../../shared/table-stats';
import { relationshipKey, type Relationship } from '../../shared/metadata';
import { streamedChildCounts, streamedForestLevels } from './child-counts';
import { csvTable } from './formats/csv';
import { parquetTable } from './formats/parquet';
import { sheetjsTables, xlsxTables } from './formats/workbook';
import type { FileTable } from './formats/types';
import { fileTableProfile, textCell, type TableProfile } from './file-profile';
import { inferKeys } from '../introspection/infer-keys';

type FilesSpec = Extract<SourceSpec, { kind: 'files' }>;

const EXTENSIONS = ['.csv.gz', '.tsv.gz', '.csv', '.tsv', '.txt', '.xlsx', '.xlsm', '.ods', '.xls', '.parquet'];

function extensionOf(path: string): string | undefined {
  const lower = path.toLowerCase();
  return EXTENSIONS.find((e) => lower.endsWith(e));
}

/** A table name from a file name: no extension, other dots and spaces as `_`. */
export function tableNameOf(file: string): string {
  const ext = extensionOf(file) ?? extname(file);
  return (
    basename(file)
      .slice(0, basename(file).length - ext.length)
      .replace(/[^\p{L}\p{N}_]+/gu, '_') || 'table'
  );
}

async function tablesOfFile(path: string): Promise<FileTable[]> {
  const ext = extensionOf(path);
  const base = tableNameOf(path);
  switch (ext) {
    case '.csv':
    case '.tsv':
    case '.txt':
    case '.csv.gz':
    case '.tsv.gz':
      return [csvTable(path, base)];
    case '.parquet':
      return [parquetTable(path, base)];
    case '.xlsx':
    case '.xlsm':
      return xlsxTables(path, (s) => s);
    case '.ods':
    case '.xls':
      return sheetjsTables(path, (s) => s);
    default:
      throw new AppError('UNSUPPORTED_FORMAT', `${basename(path)} is not a supported file type.`, {
        fix: 'Use CSV, TSV (optionally .gz), XLSX, ODS or Parquet files, or a folder of them.',
      });
  }
}

class FileSource implements SourceConnector {
  private readonly profiles = new Map<string, Promise<TableProfile>>();
  private sampleRows = DEFAULT_SAMPLE_ROWS;
  /** Columns read as text (widened past their guessed type), by table. */
  private readonly textColumns = new Map<string, Set<string>>();

  constructor(
    readonly spec: FilesSpec,
    private readonly tables: FileTable[],
    /** The file of each table, by table name. */
    private readonly files: Map<string, string>,
  ) {}

  private table(name: string): FileTable {
    const t = this.tables.find((x) => x.name === name);
    if (!t) {
      throw new AppError('TABLE_NOT_FOUND', `Table "${name}" is not in ${this.spec.path}.`, {
        fix: `Pick one of: ${this.tables
          .map((x) => x.name)
          .slice(0, 20)
          .join(', ')}.`,
      });
    }
    return t;
  }

  private profile(name: string): Promise<TableProfile> {
    const t = this.table(name);
    let p = this.profiles.get(name);
    if (!p) {
      p = fileTableProfile(this.files.get(name)!, t, this.sampleRows);
      p.catch(() => this.profiles.delete(name));
      this.profiles.set(name, p);
    }
    return p;
  }

  readAsText(table: string, columns: string[]): void {
    this.table(table);
    const set = this.textColumns.get(table) ?? new Set<string>();
    for (const c of columns) set.add(c);
    this.textColumns.set(table, set);
  }

  /** Each column's converter from the file's cell: its guessed type's, or text for a column read as text. */
  private converters(table: string, p: TableProfile, asText: string[] = []): Array<(v: unknown) => CellValue> {
    const text = new Set([...(this.textColumns.get(table) ?? []), ...asText]);
    return text.size > 0 ? p.header.map((h, i) => (text.has(h) ? textCell : (p.convert[i] ?? textCell))) : p.convert;
  }

  async introspect(opts: IntrospectOptions = {}): Promise<DatasetMetadata> {
    if (opts.sampleRows !== undefined && opts.sampleRows !== this.sampleRows) {
      this.sampleRows = opts.sampleRows;
      this.profiles.clear();
    }
    const tables: TableMeta[] = [];
    const profiles = new Map<string, TableProfile>();
    for (const t of this.tables) {
      const p = await this.profile(t.name);
      profiles.set(t.name, p);
      tables.push({ name: t.name, columns: p.columns.map((c) => ({ ...c })), primaryKey: [], rowCount: p.rowCount, origin: t.origin });
    }
    const meta: DatasetMetadata = { tables, relationships: [] };
    if (opts.inferKeys === false) return meta;
    return inferKeys(this, meta, (name) => profiles.get(name)?.uniqueColumns ?? []);
  }

  async countRows(table: string): Promise<number> {
    return (await this.profile(table)).rowCount;
  }

  async preview(table: string, offset: number, limit: number): Promise<PreviewResult> {
    const t = this.table(table);
    const p = await this.profile(table);
    if (t.slice) {
      const convert = this.converters(table, p);
      const raw = await t.slice(Math.max(0, offset), Math.max(0, limit));
      return { columns: p.header, rows: raw.map((r) => p.header.map((_, i) => convert[i]?.(r[i]) ?? null)), total: p.rowCount };
    }
    const rows: Row[] = [];
    let seen = 0;
    for await (const b of this.readTable(table, { limit: offset + limit })) {
      for (const r of b.rows) if (seen++ >= offset) rows.push(r);
    }
    return { columns: p.header, rows, total: p.rowCount };
  }

  async *readTable(table: string, opts: ReadOptions = {}): AsyncIterable<RowBatch> {
    const t = this.table(table);
    const p = await this.profile(table);
    const names = opts.columns ?? p.header;
    const idx = names.map((n) => {
      const i = p.header.indexOf(n);
      if (i < 0)
        throw new AppError('BAD_REQUEST', `Column "${n}" is not in table "${table}" of ${this.spec.path}.`, {
          fix: 'Inspect the source again; the file may have changed.',
        });
      return i;
    });
    if ((opts.limit ?? Infinity) <= 0) return;
    const { rows } = await t.open();
    const convert = this.converters(table, p, opts.asText);
    async function* converted(): AsyncIterable<Row> {
      for await (const r of rows) yield idx.map((i) => convert[i]?.(r[i]) ?? null);
    }
    yield* inBatches(table, names, converted(), opts);
  }

  /** The positions of named columns in the table's header. */
  private async positions(table: string, names: string[] | undefined): Promise<{ p: TableProfile; names: string[]; idx: number[] }> {
    const p = await this.profile(table);
    const cols = names ?? p.header;
    return { p, names: cols, idx: cols.map((n) => p.header.indexOf(n)) };
  }

  /**
   * A reservoir over one streamed read (random), or the first rows. With a table engine the
   * reservoir's row indices are drawn first (they depend on the row count and the seed only) and
   * the engine reads those rows: the same sample as the streamed read.
   */
  async sample(table: string, opts: SampleOptions): Promise<RowBatch> {
    const { p, names, idx } = await this.positions(table, opts.columns);
    if (opts.random && p.engine && idx.every((i) => i >= 0)) {
      const indices = reservoirIndices(p.rowCount, opts.rows, opts.seed);
      const raw = await p.engine.rowsAt(indices, idx, opts.signal).catch((e: unknown) => this.engineFailed(table, p, e));
      const convert = this.converters(table, p);
      if (raw) return { columns: names, rows: raw.map((r) => idx.map((i, k) => convert[i]?.(r[k]) ?? null)) };
    }
    const read = { columns: opts.columns, signal: opts.signal, ...(opts.random ? {} : { limit: opts.rows }) };
    return reservoirOf(this.readTable(table, read), opts.rows, opts.seed, names);
  }

  /** Logs an engine's failure; the caller then makes the streamed pass. A canceled pass is no failure: it ends the read. */
  private engineFailed(table: string, p: TableProfile, e: unknown): undefined {
    if (isAppError(e) && e.code === 'EXECUTION_CANCELED') throw e;
    engineWarning(
      `${p.engine?.name ?? 'the engine'} could not read table "${table}" (${e instanceof Error ? e.message : String(e)}); it is read by the streamed JavaScript pass.`,
    );
    return undefined;
  }

  /** One streamed pass keeping the rows whose key is in the set. */
  async *readByKeys(table: string, opts: KeyReadOptions): AsyncIterable<RowBatch> {
    const p = await this.profile(table);
    const names = opts.columns ?? p.header;
    const at = names.indexOf(opts.key);
    const wanted = new Set(opts.values.filter((v) => v !== null).map((v) => String(v instanceof Date ? v.getTime() : v)));
    const read = at >= 0 ? names : [...names, opts.key];
    const k = at >= 0 ? at : names.length;
    for await (const b of this.readTable(table, { columns: read, signal: opts.signal })) {
      const rows = b.rows.filter((r) => {
        const v = r[k];
        return v !== null && v !== undefined && wanted.has(String(v instanceof Date ? v.getTime() : v));
      });
      if (rows.length) yield { columns: names, rows: at >= 0 ? rows : rows.map((r) => r.slice(0, names.length)) };
    }
  }

  keyFacts(table: string, key: string[]): Promise<KeyFacts> {
    return streamedKeyFacts(() => this.readTable(table, { columns: key, batchSize: 20_000 }));
  }

  /**
   * Containment of single-column foreign keys as the files' texts: joined by DuckDB when both
   * files have it as their engine, else each parent's keys streamed once into a bounded `keySet`
   * and each child's values streamed past it.
   */
  async keyContainment(fks: Relationship[], signal?: AbortSignal): Promise<ContainmentCount[]> {
    const out: Array<ContainmentCount | undefined> = [];
    for (const fk of fks) out.push(await this.engineContainment(fk, signal));
    const read = (table: string, column: string): AsyncIterable<RowBatch> =>
      this.readTable(table, { columns: [column], asText: [column], batchSize: 20_000, signal });
    const parentOf = (fk: Relationship): string => `${fk.parentTable}\u0000${fk.parentColumns[0]}`;
    for (const parent of new Set(fks.filter((_, i) => !out[i]).map(parentOf))) {
      const [table, column] = parent.split('\u0000') as [string, string];
      const keys = await keySet(read(table, column));
      for (const [i, fk] of fks.entries())
        if (!out[i] && parentOf(fk) === parent) out[i] = await streamedContainment(keys, read(fk.childTable, fk.childColumns[0]!));
    }
    return out.map((c) => c!);
  }

  /** A foreign key's containment joined by the files' engine, when both have DuckDB with a relation; else undefined. */
  private async engineContainment(fk: Relationship, signal: AbortSignal | undefined): Promise<ContainmentCount | undefined> {
    const parent = await this.positions(fk.parentTable, fk.parentColumns.slice(0, 1));
    const child = await this.positions(fk.childTable, fk.childColumns.slice(0, 1));
    const [pr, cr] = [parent.p.engine?.relation, child.p.engine?.relation];
    if (!pr || !cr || parent.p.engine?.name !== child.p.engine?.name || parent.idx[0]! < 0 || child.idx[0]! < 0) return undefined;
    return duckdbContainment({ relation: pr, columns: parent.idx }, { relation: cr, columns: child.idx }, fk.childTable, signal).catch((e: unknown) =>
      this.engineFailed(fk.childTable, child.p, e),
    );
  }

  /** One pass over the table: each distinct cell typed once and counted by the engine when the table has one, else a streamed pass. */
  async tableStats(table: string, request: StatsRequest): Promise<TableStats> {
    const stats = await this.columnStats(table, request);
    if (request.links?.length) {
      stats.childCounts = {};
      for (const fk of request.links) stats.childCounts[relationshipKey(fk)] = await this.childCounts(fk, request.signal);
    }
    if (request.forests?.length) {
      stats.forests = {};
      for (const fk of request.forests) {
        const rows = this.readTable(table, { columns: [fk.parentColumns[0]!, fk.childColumns[0]!], batchSize: 20_000, signal: request.signal });
        stats.forests[relationshipKey(fk)] = await streamedForestLevels(rows);
      }
    }
    return stats;
  }

  /**
   * Parents per number of children along `fk`: joined by the engine when both files have one
   * (keys compared as the files' texts), else one streamed pass over the parent's keys and one
   * over the child's (keys compared as read: a key read as text, and the foreign keys onto it, as the files' texts).
   */
  private async childCounts(fk: Relationship, signal: AbortSignal | undefined): Promise<ChildCountHistogram> {
    const parent = await this.positions(fk.parentTable, fk.parentColumns);
    const child = await this.positions(fk.childTable, fk.childColumns);
    const [pr, cr] = [parent.p.engine?.relation, child.p.engine?.relation];
    if (pr && cr && parent.p.engine?.name === child.p.engine?.name && [...parent.idx, ...child.idx].every((i) => i >= 0)) {
      const h = await duckdbChildCounts({ relation: pr, columns: parent.idx }, { relation: cr, columns: child.idx }, fk.childTable, signal).catch(
        (e: unknown) => this.engineFailed(fk.childTable, child.p, e),
      );
      if (h) return h;
    }
    const read = (table: string, columns: string[]): AsyncIterable<RowBatch> => this.readTable(table, { columns, batchSize: 20_000, signal });
    return streamedChildCounts(read(fk.parentTable, fk.parentColumns), read(fk.childTable, fk.childColumns));
  }

  private async columnStats(table: string, request: StatsRequest): Promise<TableStats> {
    const columns = statsColumns(request);
    const { p, idx } = await this.positions(table, columns);
    if (columns.length === 0) return { rows: p.rowCount, columns: {} };
    const text = this.textColumns.get(table);
    const numbers = request.ranges.filter((c) => !text?.has(c) && takesQuantiles(p.columns[p.header.indexOf(c)]?.storageType));
    if (p.engine && idx.every((i) => i >= 0)) {
      // The value counts feed the quantile sketch too (each value with its rows); DuckDB's exact quantiles replace them where it reads the column.
      const tally = new StatsTally(request, numbers);
      const convert = this.converters(table, p);
      const rows = await p.engine
        .valueCounts(idx, (j, value, n) => tally.add(j, convert[idx[j]!]?.(value) ?? null, n), request.signal)
        .catch((e: unknown) => this.engineFailed(table, p, e));
      if (rows !== undefined) {
        tally.rows = rows;
        const stats = tally.result();
        await this.engineQuantiles(p, numbers, request, stats);
        return stats;
      }
    }
    return streamedTableStats(this.readTable(table, { columns, batchSize: 20_000, signal: request.signal }), request, numbers);
  }

  /** Whole-table quantiles of `numbers` (the numeric and datetime columns whose extremes were taken), by the table's engine (a column it cannot read as the converter does keeps none). */
  private async engineQuantiles(p: TableProfile, numbers: string[], request: StatsRequest, stats: TableStats): Promise<void> {
    const engine = p.engine;
    if (!engine?.quantiles) return;
    for (const c of numbers) {
      const k = p.header.indexOf(c);
      const col = stats.columns[c];
      if (k < 0 || !col?.range) continue;
      const q = await engine.quantiles(k, stats.rows - col.nulls, quantilesOfInstants(p.columns[k]?.storageType), request.signal).catch((e: unknown) => {
        if (request.signal?.aborted) throw e;
        return undefined;
      });
      const points = q && quantilePoints(q);
      if (points) col.quantiles = points;
    }
  }

  async close(): Promise<void> {
    this.profiles.clear();
  }
}

/** Opens a file (CSV/TSV/.gz, XLSX, ODS, Parquet) or a folder of them as a multi-table source. */
export async function openFileSource(spec: FilesSpec): Promise<SourceConnector> {
  let info;
  try {
    info = await stat(spec.path);
  } catch {
    throw new AppError('SOURCE_NOT_FOUND', `${spec.path} does not exist.`, { fix: 'Check the path of the file or folder.' });
  }
  let files: string[];
  if (info.isDirectory()) {
    files = (await readdir(spec.path))
      .filter((f) => !f.startsWith('.') && extensionOf(f) !== undefined)
      .sort()
      .map((f) => join(spec.path, f));
    if (files.length === 0) {
      throw new AppError('SOURCE_EMPTY', `The folder ${spec.path} holds no CSV, TSV, XLSX, ODS or Parquet file.`, {
        fix: 'Pick a folder with data files, or a single file.',
      });
    }
  } else {
    if (info.size === 0) throw new AppError('SOURCE_EMPTY', `${spec.path} is empty.`, { fix: 'Pick a file with a header row and data rows.' });
    files = [spec.path];
  }
  const tables: FileTable[] = [];
  const fileOf = new Map<string, string>();
  const used = new Set<string>();
  for (const f of files) {
    for (const t of await tablesOfFile(f)) {
      let name = t.name;
      if (used.has(name)) name = `${tableNameOf(f)}_${t.name}`;
      for (let k = 2; used.has(name); k++) name = `${t.name}_${k}`;
      used.add(name);
      tables.push({ ...t, name });
      fileOf.set(name, f);
    }
  }
  return new FileSource(spec, tables, fileOf);
}
