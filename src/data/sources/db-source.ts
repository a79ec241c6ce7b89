import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import mysql from 'mysql2';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import { describeSource, type SourceSpec } from '../../shared/source';
import type { ColumnMeta, DatasetMetadata, StorageType, TableMeta } from '../../shared/metadata';
import type { Row, RowBatch } from '../../shared/values';
import { DEFAULT_BATCH_SIZE, DEFAULT_SAMPLE_ROWS, type IntrospectOptions, type PreviewResult, type ReadOptions, type SourceConnector } from './connector';
import { mysqlCatalog, pgCatalog, sqliteCatalog, type Catalog, type CatalogTable } from './db-catalog';
import { dbError } from './db-errors';
import { storageTypeOf } from './native-types';
import { normalizeCell } from './cells';
import { inferSdtype } from '../introspection/infer-types';

type DbSpec = Extract<SourceSpec, { kind: 'sqlite' | 'postgres' | 'mysql' }>;

const CONNECT_TIMEOUT_MS = 10_000;
const PG_RAW_TEXT = new Set([1082, 1114, 1083]); // date, timestamp, time: parsed by normalizeCell as UTC

const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    PG_RAW_TEXT.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

function passwordOf(spec: DbSpec, password: string | undefined): string | undefined {
  if (spec.kind === 'sqlite') return undefined;
  return password ?? spec.password ?? (spec.kind === 'postgres' ? process.env.PGPASSWORD : process.env.MYSQL_PWD);
}

function pgConfig(spec: Extract<DbSpec, { kind: 'postgres' }>, password: string | undefined): pg.ClientConfig {
  const cfg: pg.ClientConfig = { host: spec.host, port: spec.port ?? 5432, user: spec.user || 'postgres', database: spec.database, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, types: pgTypes };
  if (password !== undefined) cfg.password = password;
  return cfg;
}

function mysqlConfig(spec: Extract<DbSpec, { kind: 'mysql' }>, password: string | undefined): mysql.ConnectionOptions {
  const cfg: mysql.ConnectionOptions = {
    host: spec.host,
    port: spec.port ?? 3306,
    user: spec.user || 'root',
    database: spec.database,
    connectTimeout: CONNECT_TIMEOUT_MS,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
  };
  if (password !== undefined) cfg.password = password;
  return cfg;
}

/** knex would print connection errors itself; they are reported as AppErrors instead. */
const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined };

function makeKnex(spec: DbSpec, password: string | undefined): Knex {
  switch (spec.kind) {
    case 'sqlite':
      return knexFactory({ client: 'better-sqlite3', connection: { filename: spec.path, options: { readonly: true } }, useNullAsDefault: true, log: quiet });
    case 'postgres':
      return knexFactory({ client: 'pg', connection: pgConfig(spec, password) as Knex.PgConnectionConfig, pool: { min: 0, max: 2 }, acquireConnectionTimeout: CONNECT_TIMEOUT_MS + 2000, log: quiet });
    case 'mysql':
      return knexFactory({ client: 'mysql2', connection: mysqlConfig(spec, password) as Knex.MySql2ConnectionConfig, pool: { min: 0, max: 2 }, acquireConnectionTimeout: CONNECT_TIMEOUT_MS + 2000, log: quiet });
  }
}

class DatabaseSource implements SourceConnector {
  private catalog: Catalog | undefined;

  constructor(
    readonly spec: DbSpec,
    private readonly db: Knex,
    private readonly password: string | undefined,
  ) {}

  private get schema(): string | undefined {
    return this.spec.kind === 'postgres' ? (this.spec.schema ?? 'public') : undefined;
  }

  async loadCatalog(): Promise<Catalog> {
    if (this.catalog) return this.catalog;
    try {
      if (this.spec.kind === 'sqlite') this.catalog = await sqliteCatalog(this.db);
      else if (this.spec.kind === 'postgres') this.catalog = await pgCatalog(this.db, this.schema ?? 'public');
      else this.catalog = await mysqlCatalog(this.db, this.spec.database);
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
        fix: names.length ? `Pick one of: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.` : 'The source has no tables; check the database or schema name.',
      });
    }
    return t;
  }

  private query(table: string): Knex.QueryBuilder {
    const q = this.db(table);
    return this.schema ? q.withSchema(this.schema) : q;
  }

  private columnsOf(t: CatalogTable, columns?: string[]): { names: string[]; types: StorageType[] } {
    const names = columns ?? t.columns.map((c) => c.name);
    const types = names.map((n) => {
      const c = t.columns.find((x) => x.name === n);
      if (!c) throw new AppError('BAD_REQUEST', `Column "${n}" is not in table "${t.name}" of ${describeSource(this.spec)}.`, { fix: 'Inspect the source again; the table may have changed.' });
      return storageTypeOf(c.nativeType).storageType;
    });
    return { names, types };
  }

  async countRows(table: string): Promise<number> {
    await this.table(table);
    try {
      const r = (await this.query(table).count({ n: '*' })) as Array<{ n: unknown }>;
      return Number(r[0]?.n ?? 0);
    } catch (e) {
      throw dbError(e, this.spec, `count the rows of ${table}`, table);
    }
  }

  async preview(table: string, offset: number, limit: number): Promise<PreviewResult> {
    const t = await this.table(table);
    const { names, types } = this.columnsOf(t);
    let q = this.query(table).select(names).offset(Math.max(0, offset)).limit(Math.max(0, limit));
    if (t.primaryKey.length) q = q.orderBy(t.primaryKey);
    const rows: Row[] = [];
    try {
      for await (const r of this.rowsOf(q.toQuery(), Math.max(1, limit))) rows.push(r.map((v, i) => normalizeCell(v, types[i] ?? 'unknown')));
    } catch (e) {
      throw dbError(e, this.spec, `read ${table}`, table);
    }
    return { columns: names, rows, total: await this.countRows(table) };
  }

  /** Rows of a query as driver values, streamed (cursor in PostgreSQL, query stream in MySQL, iterator in SQLite). */
  private rowsOf(sql: string, batchSize: number): AsyncGenerator<unknown[]> {
    return this.spec.kind === 'sqlite' ? this.sqliteRows(sql) : this.spec.kind === 'postgres' ? this.pgRows(sql, batchSize) : this.mysqlRows(sql);
  }

  async *readTable(table: string, opts: ReadOptions = {}): AsyncIterable<RowBatch> {
    const t = await this.table(table);
    const { names, types } = this.columnsOf(t, opts.columns);
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    let q = this.query(table).select(names);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    const norm = (r: unknown[]): Row => r.map((v, i) => normalizeCell(v, types[i] ?? 'unknown'));
    let batch: Row[] = [];
    try {
      for await (const r of this.rowsOf(q.toQuery(), batchSize)) {
        if (opts.signal?.aborted) throw new AppError('EXECUTION_CANCELED', `Reading ${table} was canceled.`);
        batch.push(norm(r));
        if (batch.length >= batchSize) {
          yield { columns: names, rows: batch };
          batch = [];
        }
      }
    } catch (e) {
      throw dbError(e, this.spec, `read ${table}`, table);
    }
    if (batch.length) yield { columns: names, rows: batch };
  }

  private async *sqliteRows(sql: string): AsyncGenerator<unknown[]> {
    const path = (this.spec as Extract<DbSpec, { kind: 'sqlite' }>).path;
    const conn = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const stmt = conn.prepare(sql).raw(true).safeIntegers(true);
      for (const r of stmt.iterate() as IterableIterator<unknown[]>) yield r;
    } finally {
      conn.close();
    }
  }

  private async *pgRows(sql: string, batchSize: number): AsyncGenerator<unknown[]> {
    const client = new pg.Client(pgConfig(this.spec as Extract<DbSpec, { kind: 'postgres' }>, this.password));
    await client.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE doppel_read NO SCROLL CURSOR FOR ${sql}`);
      for (;;) {
        const r = await client.query<unknown[]>({ text: `FETCH ${batchSize} FROM doppel_read`, rowMode: 'array' });
        for (const row of r.rows) yield row;
        if (r.rows.length < batchSize) break;
      }
      await client.query('COMMIT');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async *mysqlRows(sql: string): AsyncGenerator<unknown[]> {
    const conn = mysql.createConnection(mysqlConfig(this.spec as Extract<DbSpec, { kind: 'mysql' }>, this.password));
    try {
      const stream = conn.query({ sql, rowsAsArray: true }).stream({ highWaterMark: 1000 });
      for await (const row of stream) yield row as unknown[];
    } finally {
      conn.destroy();
    }
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
          nullable: c.nullable,
          sdtype: inferSdtype(c.name, st.storageType, rows.map((r) => r[i] ?? null), { isKey: keyCols.has(`${t.name}\u0000${c.name}`) }),
        };
        if (st.scale !== undefined) meta.scale = st.scale;
        if (st.maxLength !== undefined) meta.maxLength = st.maxLength;
        return meta;
      });
      tables.push({ name: t.name, columns, primaryKey: t.primaryKey, rowCount, origin: this.schema ? `${this.schema}.${t.name}` : t.name });
    }
    return { tables, relationships: cat.relationships };
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** Opens SQLite, PostgreSQL or MySQL/MariaDB and checks the connection (errors: DB_AUTH_FAILED, DB_UNREACHABLE, DB_NOT_FOUND...). */
export async function openDatabaseSource(spec: DbSpec, password?: string): Promise<SourceConnector> {
  if (spec.kind === 'sqlite' && !existsSync(spec.path)) {
    throw new AppError('SOURCE_NOT_FOUND', `The SQLite file ${spec.path} does not exist.`, { fix: 'Check the path of the SQLite file.' });
  }
  const pw = passwordOf(spec, password);
  const db = makeKnex(spec, pw);
  try {
    await db.raw(spec.kind === 'sqlite' ? 'select count(*) from sqlite_master' : 'select 1');
  } catch (e) {
    await db.destroy().catch(() => undefined);
    throw dbError(e, spec, 'connect');
  }
  return new DatabaseSource(spec, db, pw);
}
