import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { AppError } from '../../shared/errors';
import { describeSource, type SourceSpec } from '../../shared/source';
import { dbError } from '../sources/db-errors';
import { quote, type DbDialect, type ExistingColumn } from './dialect';

export type DestinationSpec = Extract<SourceSpec, { kind: 'postgres' | 'mysql' | 'sqlite' }>;

const CONNECT_TIMEOUT_MS = 10_000;

/** One connection to a destination database, with the catalog questions the writer asks. */
export interface Session {
  readonly dialect: DbDialect;
  readonly spec: DestinationSpec;
  /** The user as the server knows it, and the schema (PostgreSQL) or database (MySQL) written into. */
  readonly user: string;
  readonly namespace: string;
  qualified(table: string): string;
  /** Runs a statement; rows as objects. */
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  existingTables(): Promise<Map<string, ExistingColumn[]>>;
  hasRows(table: string): Promise<boolean>;
  close(): Promise<void>;
  pg?: pg.Client;
  mysql?: mysql.Connection;
  sqlite?: Database.Database;
}

function passwordOf(spec: DestinationSpec, password: string | undefined): string | undefined {
  if (spec.kind === 'sqlite') return undefined;
  return password ?? spec.password ?? (spec.kind === 'postgres' ? process.env.PGPASSWORD : process.env.MYSQL_PWD);
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

async function pgSession(spec: Extract<DestinationSpec, { kind: 'postgres' }>, password: string | undefined): Promise<Session> {
  const cfg: pg.ClientConfig = { host: spec.host, port: spec.port ?? 5432, user: spec.user || 'postgres', database: spec.database, connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
  if (password !== undefined) cfg.password = password;
  const client = new pg.Client(cfg);
  client.on('error', () => undefined);
  await client.connect();
  const schema = spec.schema ?? 'public';
  const who = await client.query<{ u: string }>('select current_user as u');
  const s: Session = {
    dialect: 'postgres',
    spec,
    user: who.rows[0]?.u ?? cfg.user ?? '',
    namespace: schema,
    pg: client,
    qualified: (t) => `${quote('postgres', schema)}.${quote('postgres', t)}`,
    query: async (sql, params) => (await client.query(sql, params)).rows as Array<Record<string, unknown>>,
    existingTables: async () => {
      const rows = await s.query(
        `select c.table_name, c.column_name, c.data_type, c.udt_name, c.character_maximum_length, c.is_nullable, c.column_default
           from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
          where c.table_schema = $1 and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`,
        [schema],
      );
      return groupColumns(rows.map((r) => ({ table: str(r.table_name), name: str(r.column_name), nativeType: str(r.data_type === 'USER-DEFINED' ? r.udt_name : r.data_type), nullable: r.is_nullable === 'YES', hasDefault: r.column_default !== null })));
    },
    hasRows: async (t) => (await s.query(`select 1 from ${s.qualified(t)} limit 1`)).length > 0,
    close: () => client.end().catch(() => undefined),
  };
  return s;
}

async function mysqlSession(spec: Extract<DestinationSpec, { kind: 'mysql' }>, password: string | undefined): Promise<Session> {
  const cfg: mysql.ConnectionOptions = { host: spec.host, port: spec.port ?? 3306, user: spec.user || 'root', database: spec.database, connectTimeout: CONNECT_TIMEOUT_MS, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true, dateStrings: true };
  if (password !== undefined) cfg.password = password;
  const conn = await mysql.createConnection(cfg);
  conn.on('error', () => undefined);
  await conn.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'), time_zone = '+00:00'");
  const [who] = await conn.query('select current_user() as u');
  const user = str((who as Array<Record<string, unknown>>)[0]?.u).replace(/@.*$/, '');
  const s: Session = {
    dialect: 'mysql',
    spec,
    user,
    namespace: spec.database,
    mysql: conn,
    qualified: (t) => quote('mysql', t),
    query: async (sql, params) => {
      const [rows] = await conn.query(sql, params);
      return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
    },
    existingTables: async () => {
      const rows = await s.query(
        `select c.table_name as table_name, c.column_name as column_name, c.column_type as column_type, c.is_nullable as is_nullable, c.column_default as column_default, c.extra as extra
           from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
          where c.table_schema = database() and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`,
      );
      return groupColumns(rows.map((r) => ({ table: str(r.table_name), name: str(r.column_name), nativeType: str(r.column_type), nullable: r.is_nullable === 'YES', hasDefault: (r.column_default !== null && r.column_default !== 'NULL') || /auto_increment/i.test(str(r.extra)) })));
    },
    hasRows: async (t) => (await s.query(`select 1 from ${s.qualified(t)} limit 1`)).length > 0,
    close: () => conn.end().catch(() => undefined),
  };
  return s;
}

function sqliteSession(spec: Extract<DestinationSpec, { kind: 'sqlite' }>, create: boolean): Session {
  if (!existsSync(dirname(spec.path))) {
    throw new AppError('DB_NOT_FOUND', `The folder of the SQLite destination ${spec.path} does not exist.`, { fix: 'Create the folder or pick another path for the SQLite file.' });
  }
  // A check never creates the file: a missing file is inspected as an empty database.
  const db = create || existsSync(spec.path) ? new Database(spec.path) : new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const s: Session = {
    dialect: 'sqlite',
    spec,
    user: process.env.USER ?? 'you',
    namespace: spec.path,
    sqlite: db,
    qualified: (t) => quote('sqlite', t),
    query: (sql, params) => {
      const stmt = db.prepare(sql);
      if (stmt.reader) return Promise.resolve(stmt.all(...(params ?? [])) as Array<Record<string, unknown>>);
      stmt.run(...(params ?? []));
      return Promise.resolve([]);
    },
    existingTables: async () => {
      const names = (await s.query("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")).map((r) => str(r.name));
      const rows: Array<ExistingColumn & { table: string }> = [];
      for (const n of names) {
        for (const c of await s.query('select name, type, "notnull" as nn, dflt_value, pk from pragma_table_info(?)', [n])) {
          rows.push({ table: n, name: str(c.name), nativeType: str(c.type), nullable: Number(c.nn) === 0, hasDefault: c.dflt_value !== null || (Number(c.pk) > 0 && /^integer$/i.test(str(c.type))) });
        }
      }
      return groupColumns(rows);
    },
    hasRows: async (t) => (await s.query(`select 1 from ${s.qualified(t)} limit 1`)).length > 0,
    close: () => {
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
  return s;
}

function groupColumns(rows: Array<ExistingColumn & { table: string }>): Map<string, ExistingColumn[]> {
  const out = new Map<string, ExistingColumn[]>();
  for (const { table, ...c } of rows) {
    const list = out.get(table) ?? [];
    list.push(c);
    out.set(table, list);
  }
  return out;
}

/** Connects to a destination; connection problems become DB_* AppErrors naming the destination. */
export async function openSession(spec: DestinationSpec, password?: string, opts: { create?: boolean } = {}): Promise<Session> {
  try {
    if (spec.kind === 'sqlite') return sqliteSession(spec, opts.create ?? false);
    const pw = passwordOf(spec, password);
    return spec.kind === 'postgres' ? await pgSession(spec, pw) : await mysqlSession(spec, pw);
  } catch (e) {
    throw destinationError(e, spec, 'connect');
  }
}

/** A driver error as an AppError about the destination (never echoing the password). */
export function destinationError(e: unknown, spec: DestinationSpec, what: string, table?: string): AppError {
  if (e instanceof AppError) return e;
  const err = dbError(e, spec, what, table);
  if (err.code === 'DB_ERROR' || err.code === 'SOURCE_NOT_FOUND' || err.code === 'SOURCE_MALFORMED') {
    return new AppError(err.code === 'DB_ERROR' ? 'DESTINATION_WRITE_FAILED' : 'DB_ERROR', err.message, {
      fix: err.code === 'DB_ERROR' ? 'Nothing was written (the write was rolled back). Check the data and the destination tables.' : 'Pick a SQLite database file for the destination.',
      cause: e,
    });
  }
  if (err.code === 'DB_PERMISSION_DENIED') {
    return new AppError('DB_PERMISSION_DENIED', `The user of ${describeSource(spec)} may not ${what}.`, { fix: 'Grant the user the rights to create and write the destination tables, or use another user.', cause: e });
  }
  return err;
}
