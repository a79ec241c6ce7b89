import { KIND_FACTS } from '../../shared/db-kinds';
import { existsSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import { describeSource } from '../../shared/source';
import type { ColumnMeta, DatasetMetadata, StorageType, TableMeta } from '../../shared/metadata';
import type { CellValue, Row, RowBatch } from '../../shared/values';
import {
  DEFAULT_BATCH_SIZE,
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
import { reservoirOf } from './reservoir';
import { dialectOf, passwordOf, type Catalog, type CatalogTable, type Connection, type DbSpec, type Dialect } from '../dialects';
import { dbError } from '../dialects/errors';
import { storageTypeOf } from '../dialects/native-types';
import { normalizeCell } from './cells';
import { inferSdtype } from '../introspection/infer-types';
import { declaredForm } from '../introspection/value-forms';
import {
  MAX_COUNTED_CATEGORIES,
  type ChildCountHistogram,
  type ForestLevels,
  type ColumnStats,
  statsColumns,
  QUANTILE_POINTS,
  quantilePoints,
  discreteOffset,
  quantilesOfInstants,
  takesQuantiles,
  type StatsRequest,
  type TableStats,
} from '../../shared/table-stats';
import { isTextStorage, relationshipKey, type Relationship } from '../../shared/metadata';
import { childCountSql, forestLevelsSql } from './child-counts';
import { containmentSql, type ContainmentCount } from './containment';

/** Types whose values can be counted by `group by` in every dialect. */
const COUNTABLE = new Set<StorageType>(['integer', 'bigint', 'float', 'decimal', 'string', 'text', 'boolean', 'date', 'datetime', 'time']);
/** Types with an order on the number line (their extremes are checked). */
const RANGED = new Set<StorageType>(['integer', 'bigint', 'float', 'decimal', 'date', 'datetime']);

/** Key values per `in (…)` query when reading the children of sampled parents. */
const KEY_CHUNK = 2000;

class DatabaseSource implements SourceConnector {
  private catalog: Catalog | undefined;

  private readonly dialect: Dialect;
  private readonly namespace: string;

  constructor(
    readonly spec: DbSpec,
    private readonly conn: Connection,
    private readonly password: string | undefined,
  ) {
    this.dialect = dialectOf(spec.kind);
    this.namespace = this.dialect.namespaceOf(spec);
  }

  async loadCatalog(): Promise<Catalog> {
    if (this.catalog) return this.catalog;
    try {
      this.catalog = await this.dialect.catalog(this.conn, this.namespace);
    } catch (e) {
      throw dbError(e, this.spec, 'read the catalog');
    }
    return this.catalog;
  }

  private async table(name: string): Promise<CatalogTable> {
    const cat = await this.loadCatalog();
    const t = cat.tables.find((x) => x.name === name);
    if (!t) {
      const names = cat.tables.map((x) => x.name);
      throw new AppError('TABLE_NOT_FOUND', `Table "${name}" was not found in ${describeSource(this.spec)}.`, {
        fix: names.length
          ? `Pick one of: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`
          : 'The source has no tables; check the database or schema name.',
      });
    }
    return t;
  }

  /** A table as SQL (under the name it is stored as). */
  private from(t: CatalogTable): string {
    return this.dialect.qualified(this.namespace, t.stored ?? t.name);
  }

  /** A column as SQL, quoted by the dialect (a name is never parsed). */
  private column(t: CatalogTable, name: string): string {
    return this.dialect.quote(t.columns.find((c) => c.name === name)?.stored ?? name);
  }

  /** `select <columns> from <table>` with every name quoted by the dialect. */
  private selectSql(t: CatalogTable, columns: string[], tail = ''): string {
    return `select ${columns.map((c) => this.column(t, c)).join(', ')} from ${this.from(t)}${tail}`;
  }

  private columnsOf(t: CatalogTable, columns?: string[]): { names: string[]; types: StorageType[] } {
    const names = columns ?? t.columns.map((c) => c.name);
    const types = names.map((n) => {
      const c = t.columns.find((x) => x.name === n);
      if (!c)
        throw new AppError('BAD_REQUEST', `Column "${n}" is not in table "${t.name}" of ${describeSource(this.spec)}.`, {
          fix: 'Inspect the source again; the table may have changed.',
        });
      return storageTypeOf(c.nativeType).storageType;
    });
    return { names, types };
  }

  async countRows(table: string): Promise<number> {
    const t = await this.table(table);
    try {
      const r = await this.conn.query(`select count(*) as n from ${this.from(t)}`);
      return Number(r[0]?.n ?? 0);
    } catch (e) {
      throw dbError(e, this.spec, `count the rows of ${table}`, table);
    }
  }

  async preview(table: string, offset: number, limit: number): Promise<PreviewResult> {
    const t = await this.table(table);
    const { names, types } = this.columnsOf(t);
    const order = t.primaryKey.length ? ` order by ${t.primaryKey.map((c) => this.column(t, c)).join(', ')}` : '';
    const sql = this.selectSql(t, names, `${order} limit ${Math.max(0, Math.floor(limit))} offset ${Math.max(0, Math.floor(offset))}`);
    const rows: Row[] = [];
    try {
      for await (const r of this.rowsOf(sql, Math.max(1, limit))) rows.push(r.map((v, i) => normalizeCell(v, types[i] ?? 'unknown')));
    } catch (e) {
      throw dbError(e, this.spec, `read ${table}`, table);
    }
    return { columns: names, rows, total: await this.countRows(table) };
  }

  /** Rows of a query as driver values, streamed on a connection of their own (cursor in PostgreSQL, query stream in MySQL, iterator in SQLite). */
  private async *rowsOf(sql: string, batchSize: number): AsyncGenerator<unknown[]> {
    const c = await this.dialect.connect(this.spec, this.password, { purpose: 'read' });
    try {
      yield* c.rows(sql, batchSize);
    } finally {
      await c.close();
    }
  }

  async *readTable(table: string, opts: ReadOptions = {}): AsyncIterable<RowBatch> {
    const t = await this.table(table);
    const { names, types } = this.columnsOf(t, opts.columns);
    yield* this.batches(table, this.selectSql(t, names, opts.limit !== undefined ? ` limit ${Math.max(0, Math.floor(opts.limit))}` : ''), names, types, opts);
  }

  /** The rows of a query in batches of normalized cells. */
  private async *batches(
    table: string,
    sql: string,
    names: string[],
    types: StorageType[],
    opts: { batchSize?: number; signal?: AbortSignal },
  ): AsyncIterable<RowBatch> {
    const rowsOf = this.rowsOf.bind(this);
    async function* normalized(): AsyncIterable<Row> {
      for await (const r of rowsOf(sql, opts.batchSize ?? DEFAULT_BATCH_SIZE)) yield r.map((v, i) => normalizeCell(v, types[i] ?? 'unknown'));
    }
    try {
      yield* inBatches(table, names, normalized(), opts);
    } catch (e) {
      throw dbError(e, this.spec, `read ${table}`, table);
    }
  }

  /**
   * A sample drawn in the database: the first rows in key order, or a seeded random share of the
   * rows (the dialect's clause: TABLESAMPLE BERNOULLI … REPEATABLE in PostgreSQL, RAND(seed) in
   * MySQL/MariaDB) reduced to exactly `rows` by a reservoir; SQLite, which has no seeded random,
   * streams through the reservoir. Only the sampled share crosses the connection otherwise.
   */
  async sample(table: string, opts: SampleOptions): Promise<RowBatch> {
    const t = await this.table(table);
    const { names, types } = this.columnsOf(t, opts.columns);
    const read = { signal: opts.signal };
    if (!opts.random) {
      const order = t.primaryKey.length ? ` order by ${t.primaryKey.map((c) => this.column(t, c)).join(', ')}` : '';
      return reservoirOf(this.batches(table, this.selectSql(t, names, `${order} limit ${opts.rows}`), names, types, read), opts.rows, opts.seed, names);
    }
    const count = await this.countRows(table);
    // Enough headroom that the share almost never falls short of `rows` (4 standard deviations).
    const share = (opts.rows + 4 * Math.sqrt(opts.rows) + 16) / Math.max(1, count);
    const tail = share < 1 ? (this.dialect.randomShare(share, opts.seed) ?? '') : '';
    return reservoirOf(this.batches(table, this.selectSql(t, names, tail), names, types, read), opts.rows, opts.seed, names);
  }

  /** Children of sampled parents: `key in (…)` in chunks, so the child table is never read whole. */
  async *readByKeys(table: string, opts: KeyReadOptions): AsyncIterable<RowBatch> {
    const t = await this.table(table);
    const { names, types } = this.columnsOf(t, opts.columns);
    const literal = (v: CellValue): string => this.dialect.literal(v instanceof Date ? v.toISOString() : (v as string | number | bigint | boolean));
    const values = [...new Set(opts.values.filter((v) => v !== null).map(literal))];
    for (let i = 0; i < values.length; i += KEY_CHUNK) {
      const where = ` where ${this.column(t, opts.key)} in (${values.slice(i, i + KEY_CHUNK).join(', ')})`;
      yield* this.batches(table, this.selectSql(t, names, where), names, types, { signal: opts.signal });
    }
  }

  async keyFacts(table: string, key: string[]): Promise<KeyFacts> {
    const t = await this.table(table);
    const q = (c: string): string => this.column(t, c);
    const from = this.from(t);
    const complete = key.map((c) => `${q(c)} is not null`).join(' and ');
    try {
      const n = async (sql: string): Promise<number> => Number((await this.conn.query(sql))[0]?.n ?? 0);
      const rowCount = await this.countRows(table);
      const keyed = await n(`select count(*) as n from ${from} where ${complete}`);
      const distinct = await n(`select count(*) as n from (select distinct ${key.map(q).join(', ')} from ${from} where ${complete}) d`);
      return { rowCount, duplicates: keyed - distinct, nulls: rowCount - keyed };
    } catch (e) {
      throw dbError(e, this.spec, `check the key of ${table}`, table);
    }
  }

  /**
   * Containment of a single-column foreign key by an anti-join in the database. Keys compare as
   * their values, or both as text when only one side is text; MySQL/MariaDB texts by their bytes.
   */
  async keyContainment(fks: Relationship[]): Promise<ContainmentCount[]> {
    const out: ContainmentCount[] = [];
    for (const fk of fks) out.push(await this.containment(fk));
    return out;
  }

  private async containment(fk: Relationship): Promise<ContainmentCount> {
    const parent = await this.table(fk.parentTable);
    const child = await this.table(fk.childTable);
    const [pt, ct] = [this.columnsOf(parent, fk.parentColumns).types[0], this.columnsOf(child, fk.childColumns).types[0]];
    const cast = isTextStorage(pt) !== isTextStorage(ct) ? (c: string): string => `cast(${c} as ${this.dialect.castTypes.text})` : undefined;
    const sql = containmentSql({
      parent: this.from(parent),
      child: this.from(child),
      parentColumn: this.column(parent, fk.parentColumns[0]!),
      childColumn: this.column(child, fk.childColumns[0]!),
      ...(cast && !isTextStorage(pt) ? { parentKey: cast } : {}),
      ...(cast && !isTextStorage(ct) ? { childKey: cast } : {}),
      bytes: isTextStorage(pt) || isTextStorage(ct) ? this.dialect.textBytes : null,
    });
    try {
      const r = (await this.conn.query(sql))[0];
      return { values: Number(r?.n ?? 0), orphans: Number(r?.orphans ?? 0) };
    } catch (e) {
      throw dbError(e, this.spec, `check ${fk.childTable}.${fk.childColumns[0]} against ${fk.parentTable}`, fk.childTable);
    }
  }

  /**
   * Statistics over every row from aggregates: one scan for the row count, empty cells and
   * extremes, one for the rows at each extreme, one `group by` per counted column (the most
   * frequent MAX_COUNTED_CATEGORIES values; MySQL/MariaDB compare texts by their bytes, not by a
   * case-insensitive collation, so counts match the values as read).
   */
  async tableStats(table: string, request: StatsRequest): Promise<TableStats> {
    const t = await this.table(table);
    const names = statsColumns(request);
    const { types } = this.columnsOf(t, names);
    const typeOf = (c: string): StorageType => types[names.indexOf(c)] ?? 'unknown';
    const ranged = request.ranges.filter((c) => RANGED.has(typeOf(c)));
    const from = this.from(t);
    const q = (c: string): string => this.column(t, c);
    const first = async (sql: string): Promise<unknown[]> => {
      for await (const r of this.rowsOf(sql, 1)) return r;
      return [];
    };
    const columns: Record<string, ColumnStats> = {};
    let rows: number;
    try {
      const scan = await first(
        `select ${['count(*)', ...names.map((c) => `count(${q(c)})`), ...ranged.flatMap((c) => [`min(${q(c)})`, `max(${q(c)})`])].join(', ')} from ${from}`,
      );
      rows = Number(scan[0] ?? 0);
      names.forEach((c, i) => (columns[c] = { nulls: rows - Number(scan[1 + i] ?? 0) }));
      if (ranged.length) {
        const bounds = ranged.flatMap((c, i) => [`min(${q(c)}) as lo${i}`, `max(${q(c)}) as hi${i}`]).join(', ');
        const at = await first(
          `select ${ranged.flatMap((c, i) => [`sum(case when s.${q(c)} = m.lo${i} then 1 else 0 end)`, `sum(case when s.${q(c)} = m.hi${i} then 1 else 0 end)`]).join(', ')} from ${from} s cross join (select ${bounds} from ${from}) m`,
        );
        ranged.forEach((c, i) => {
          const min = scan[1 + names.length + 2 * i];
          const max = scan[2 + names.length + 2 * i];
          if (min === null || min === undefined) return;
          const type = typeOf(c);
          columns[c]!.range = {
            min: normalizeCell(min, type),
            max: normalizeCell(max, type),
            atMin: Number(at[2 * i] ?? 0),
            atMax: Number(at[2 * i + 1] ?? 0),
          };
        });
      }
      for (const c of ranged.filter((c) => takesQuantiles(typeOf(c)))) {
        const n = rows - columns[c]!.nulls;
        const points = n > 0 ? quantilePoints(await this.quantiles(from, q(c), n, typeOf(c))) : undefined;
        if (points) columns[c]!.quantiles = points;
      }
      for (const c of request.categories) {
        const type = typeOf(c);
        if (!COUNTABLE.has(type)) continue;
        if (request.signal?.aborted) throw new AppError('EXECUTION_CANCELED', `Counting the values of ${table} was canceled.`);
        const bytes = isTextStorage(type) && this.dialect.textBytes;
        const [value, group] = bytes ? [`min(${q(c)})`, bytes(q(c))] : [q(c), q(c)];
        const categories: Array<[CellValue, number]> = [];
        const sql = `select ${value}, count(*) as n from ${from} where ${q(c)} is not null group by ${group} order by n desc limit ${MAX_COUNTED_CATEGORIES + 1}`;
        for await (const r of this.rowsOf(sql, 5000)) categories.push([normalizeCell(r[0], type), Number(r[1] ?? 0)]);
        const complete = categories.length <= MAX_COUNTED_CATEGORIES;
        columns[c]!.categories = categories.slice(0, MAX_COUNTED_CATEGORIES);
        columns[c]!.complete = complete;
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw dbError(e, this.spec, `count the values of ${table}`, table);
    }
    const out: TableStats = { rows, columns };
    const canceled = (): void => {
      if (request.signal?.aborted) throw new AppError('EXECUTION_CANCELED', `Counting the children per parent of ${table} was canceled.`);
    };
    if (request.links?.length) {
      out.childCounts = {};
      for (const fk of request.links) {
        canceled();
        out.childCounts[relationshipKey(fk)] = await this.childCounts(fk);
      }
    }
    if (request.forests?.length) {
      out.forests = {};
      for (const fk of request.forests) {
        canceled();
        out.forests[relationshipKey(fk)] = await this.forestLevels(fk);
      }
    }
    return out;
  }

  /**
   * A numeric or datetime column's discrete quantiles at QUANTILE_POINTS over its `n` non-empty
   * cells, as numbers (datetimes in milliseconds since the epoch, read as the loader reads their
   * cells): the dialect's `percentile_disc` where it has one, else the rows at those positions of
   * the ordered values. NaN where a value is not read as a number or an instant.
   */
  private async quantiles(from: string, col: string, n: number, type: StorageType): Promise<number[]> {
    const number = (v: unknown): number => {
      const cell = normalizeCell(v, type);
      if (cell instanceof Date) return cell.getTime();
      // A decimal too precise for a double stays a text; a date or time left a text was not read as one.
      return typeof cell === 'number' || (typeof cell === 'string' && !quantilesOfInstants(type)) ? Number(cell) : NaN;
    };
    const aggregate = this.dialect.quantilesSql;
    if (aggregate) {
      const [values] = (await this.first(aggregate(col, from, QUANTILE_POINTS))) as [unknown[]];
      return values.map(number);
    }
    const at = QUANTILE_POINTS.map((p) => discreteOffset(p, n) + 1);
    const byRow = new Map<number, number>();
    const sql = `select v, rn from (select ${col} as v, row_number() over (order by ${col}) as rn from ${from} where ${col} is not null) s where rn in (${[...new Set(at)].join(', ')})`;
    for await (const r of this.rowsOf(sql, 1000)) byRow.set(Number(r[1]), number(r[0]));
    return at.map((k) => byRow.get(k) ?? NaN);
  }

  private async first(sql: string): Promise<unknown[]> {
    for await (const r of this.rowsOf(sql, 1)) return r;
    return [];
  }

  /** A single-column self-reference's forest level by level, in the database (`forestLevelsSql`); MySQL/MariaDB texts compare by their bytes. */
  private async forestLevels(fk: Relationship): Promise<ForestLevels> {
    const t = await this.table(fk.childTable);
    const { types } = this.columnsOf(t, fk.parentColumns);
    const [k, r] = [this.column(t, fk.parentColumns[0]!), this.column(t, fk.childColumns[0]!)];
    const bytes = (types[0] === 'string' || types[0] === 'text' ? this.dialect.textBytes : null) ?? null;
    const sql = forestLevelsSql({ table: this.from(t), key: k, reference: r, bytes });
    const levels: ForestLevels = [];
    try {
      for await (const row of this.rowsOf(sql, 5000)) {
        const [d, n, m] = [Number(row[0] ?? 0), Number(row[1] ?? 0), Number(row[2] ?? 0)];
        while (levels.length <= d) levels.push({ rows: 0, children: [] });
        levels[d]!.rows += m;
        levels[d]!.children.push([n, m]);
      }
    } catch (e) {
      throw dbError(e, this.spec, `count the levels of ${fk.childTable} along ${fk.childColumns[0]}`, fk.childTable);
    }
    return levels;
  }

  /**
   * Parents per number of children along `fk`, in the database (`childCountSql`). MySQL/MariaDB
   * keys of text also compare by their bytes, as the loader's values do (not equal under a
   * case-insensitive collation).
   */
  private async childCounts(fk: Relationship): Promise<ChildCountHistogram> {
    const parent = await this.table(fk.parentTable);
    const child = await this.table(fk.childTable);
    const { types } = this.columnsOf(parent, fk.parentColumns);
    const sql = childCountSql({
      parent: this.from(parent),
      child: this.from(child),
      parentColumns: fk.parentColumns.map((c) => this.column(parent, c)),
      childColumns: fk.childColumns.map((c) => this.column(child, c)),
      bytes: types.map((t) => (isTextStorage(t) && this.dialect.textBytes) || null),
    });
    const out: ChildCountHistogram = [];
    try {
      for await (const r of this.rowsOf(sql, 5000)) out.push([Number(r[0] ?? 0), Number(r[1] ?? 0)]);
    } catch (e) {
      throw dbError(e, this.spec, `count the ${fk.childTable} rows per ${fk.parentTable} row`, fk.childTable);
    }
    return out;
  }

  async introspect(opts: IntrospectOptions = {}): Promise<DatasetMetadata> {
    const cat = await this.loadCatalog();
    const sample = opts.sampleRows ?? DEFAULT_SAMPLE_ROWS;
    const keyCols = new Set<string>();
    for (const t of cat.tables) for (const c of t.primaryKey) keyCols.add(`${t.name}\u0000${c}`);
    for (const r of cat.relationships) for (const c of r.childColumns) keyCols.add(`${r.childTable}\u0000${c}`);
    const tables: TableMeta[] = [];
    for (const t of cat.tables) {
      const rowCount = await this.countRows(t.name);
      const rows: Row[] = [];
      for await (const b of this.readTable(t.name, { limit: sample })) rows.push(...b.rows);
      const columns: ColumnMeta[] = t.columns.map((c, i) => {
        const st = storageTypeOf(c.nativeType);
        const meta: ColumnMeta = {
          name: c.name,
          storageType: st.storageType,
          nativeType: c.nativeType,
          ...(c.portable === false ? {} : { nativeOf: this.spec.kind }),
          nullable: c.nullable,
          sdtype: inferSdtype(
            c.name,
            st.storageType,
            rows.map((r) => r[i] ?? null),
            { isKey: keyCols.has(`${t.name}\u0000${c.name}`) },
          ),
        };
        if (st.scale !== undefined) meta.scale = st.scale;
        if (st.maxLength !== undefined) meta.maxLength = st.maxLength;
        const form = declaredForm(st.storageType, st.scale);
        if (form) meta.form = form;
        return meta;
      });
      const table: TableMeta = {
        name: t.name,
        columns,
        primaryKey: t.primaryKey,
        rowCount,
        origin: this.dialect.originName(this.namespace, t.name),
      };
      if (t.kind !== 'table') table.kind = t.kind;
      tables.push(table);
    }
    return { tables, relationships: cat.relationships };
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}

/** Opens SQLite, PostgreSQL or MySQL/MariaDB and checks the connection (errors: DB_AUTH_FAILED, DB_UNREACHABLE, DB_NOT_FOUND...). */
export async function openDatabaseSource(spec: DbSpec, password?: string): Promise<SourceConnector> {
  const d = dialectOf(spec.kind);
  const file = d.fileOf(spec);
  if (file !== null && !existsSync(file)) {
    const label = KIND_FACTS[spec.kind].label;
    throw new AppError('SOURCE_NOT_FOUND', `The ${label} file ${file} does not exist.`, { fix: `Check the path of the ${label} file.` });
  }
  const pw = passwordOf(spec, password);
  let conn: Connection | undefined;
  try {
    conn = await d.connect(spec, pw, { purpose: 'read' });
    await conn.query(d.probeSql);
  } catch (e) {
    await conn?.close();
    throw dbError(e, spec, 'connect');
  }
  return new DatabaseSource(spec, conn, pw);
}
