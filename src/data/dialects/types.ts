import type pg from 'pg';
import type mysql from 'mysql2/promise';
import type Database from 'better-sqlite3';
import type { ColumnMeta, Relationship, TableMeta } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import type { DbKind, DbSpec } from '../../shared/db-kinds';

export type { DbKind, DbSpec };
export type Rec = Record<string, unknown>;

export const CONNECT_TIMEOUT_MS = 10_000;

/** One open connection to a database, through its own driver. */
export interface Connection {
  readonly kind: DbKind;
  /** Runs one statement; rows as objects. */
  query(sql: string, params?: unknown[]): Promise<Rec[]>;
  /** The rows of a read-only query as arrays of driver values, streamed in batches of about `batchSize`. */
  rows(sql: string, batchSize: number): AsyncGenerator<unknown[]>;
  close(): Promise<void>;
  /** The driver handle, for the bulk writers. */
  readonly pg?: pg.Client;
  readonly mysql?: mysql.Connection;
  readonly sqlite?: Database.Database;
}

export interface ConnectOptions {
  /** `read`: a source (read-only where the server allows it, dates as text); `write`: a destination. */
  purpose: 'read' | 'write';
  /** SQLite destination: create the file (a check never creates it). */
  create?: boolean;
}

/** What is read from a relation: a table, a view or a materialized view. */
export type RelationKind = 'table' | 'view' | 'materialized view';

export interface CatalogColumn {
  name: string;
  /** The name in SQL when the file stores the column under another name (Doppel's own output). */
  stored?: string;
  nativeType: string;
  nullable: boolean;
  /** False when the type exists only in this database (a PostgreSQL enum, domain or array). */
  portable?: boolean;
}
export interface CatalogTable {
  name: string;
  /** The name in SQL when the file stores the table under another name (Doppel's own output). */
  stored?: string;
  kind: RelationKind;
  columns: CatalogColumn[];
  primaryKey: string[];
}
export interface Catalog {
  tables: CatalogTable[];
  relationships: Relationship[];
}

/** A column of a table already in a destination. */
export interface ExistingColumn {
  name: string;
  nativeType: string;
  nullable: boolean;
  hasDefault: boolean;
}

/** A connection to a destination as the write side of a dialect sees it (a destination session). */
export interface WriteTarget {
  readonly spec: DbSpec;
  /** The user as the server knows it, and the schema (PostgreSQL), database (MySQL) or file (SQLite) written into. */
  readonly user: string;
  readonly namespace: string;
  qualified(table: string): string;
  query(sql: string, params?: unknown[]): Promise<Rec[]>;
  readonly pg?: pg.Client;
  readonly mysql?: mysql.Connection;
  readonly sqlite?: Database.Database;
}

/** Tables a write creates, writes into and empties first (by the names stored in the destination). */
export interface WriteActions {
  creates: string[];
  writes: string[];
  truncates: string[];
}

/** How rows are written into a table. */
export interface LoadOptions {
  batchSize: number;
  signal?: AbortSignal;
  onRows: (n: number) => void;
  /** The SQL name rows go into when it is not the table's own (a staging table); messages still name the table. */
  into?: string;
  /** PostgreSQL: text COPY even when binary is possible. */
  textCopy?: boolean;
  /** MySQL/MariaDB: LOAD DATA LOCAL INFILE (see `loadsLocalFiles`); otherwise multi-row INSERTs. */
  localInfile?: boolean;
}

/** Staging tables of `doppel_stage_<token>_<n>`, each run holding the session lock of its token. */
export const STAGE_PREFIX = 'doppel_stage_';

/** Tables loaded apart (by several connections, or by shards) and made the output in one step. */
export interface Staging {
  /** Takes the session lock of the staging run `token` (8 hex digits) without waiting; false when another session holds it. */
  tryLock(c: WriteTarget, token: string): Promise<boolean>;
  unlock(c: WriteTarget, token: string): Promise<void>;
  /** The tables (and views) of the namespace whose names start with `prefix`. */
  tablesStartingWith(c: WriteTarget, prefix: string): Promise<string[]>;
  /** `CREATE TABLE` of an empty staging table with the columns, types and defaults of an existing table (SQL names). */
  createLikeSql(stage: string, table: string): string;
  /** Gives loaded staging tables the names of their tables (their primary keys too, where those are named after the table). */
  renameTables(c: WriteTarget, renames: Array<{ stage: string; table: TableMeta }>): Promise<void>;
}

/** One bulk write into a table that stays open across batches (a PostgreSQL COPY FROM STDIN). */
export interface CopySink {
  /** Encodes and sends one batch, waiting while the server is behind. */
  write(batch: RowBatch): Promise<void>;
  /** Ends the write; resolves once the server has taken every row (the rows written). */
  end(): Promise<number>;
  /** Abandons the write (the server discards it); the connection is usable again afterwards. */
  destroy(e?: unknown): Promise<void>;
}

/**
 * Everything Doppel knows about one database: connection settings, identifier quoting and limits,
 * the catalog of a source, the tables of a destination, and the column types it creates. A new
 * database is one more module implementing this.
 */
export interface Dialect {
  readonly kind: DbKind;
  /** Longest identifier the server keeps, in bytes. */
  readonly maxIdentifierBytes: number;
  /** Whether column (and table) names equal but for case are one name. */
  readonly caseInsensitiveNames: boolean;
  quote(name: string): string;
  /** A value as an SQL literal (key values of a sampled family's `in (…)` list). */
  literal(value: string | number | bigint | boolean): string;
  /**
   * What follows `from <table>` to keep a seeded random share (0–1] of the rows in the database,
   * the same rows for the same seed; null when the database has no seeded random (SQLite).
   */
  randomShare(share: number, seed: number): string | null;
  /** A table as the origin of the data read from it (PostgreSQL names its schema too). */
  originName(namespace: string, table: string): string;
  /**
   * A text as its bytes, for grouping and joins that must tell apart texts the default collation
   * calls equal (MySQL/MariaDB ignore case); null where texts already compare by their bytes.
   */
  readonly textBytes: ((expr: string) => string) | null;
  /** Where the server keeps its data files, as SQL returning it in column `d`; null for a database that is a file. */
  readonly dataDirectorySql: string | null;
  /** The file the spec reads and writes, for a database that is a file (SQLite); null for a server. */
  fileOf(spec: DbSpec): string | null;
  /** Whether the database is a server reached with a host, a user and a password (not a file). */
  readonly hasServer: boolean;
  /** A query that succeeds once the connection reads the database (a SQLite file proves to be one by its catalog). */
  readonly probeSql: string;
  /** One query returning a column's discrete quantiles at `points` as one array of texts (the cells as the database prints them), or null where the dialect has no `percentile_disc` aggregate. */
  readonly quantilesSql: ((col: string, from: string, points: readonly number[]) => string) | null;
  /** The schema (PostgreSQL), database (MySQL) or file (SQLite) the spec reads and writes. */
  namespaceOf(spec: DbSpec): string;
  /** A table of that namespace as SQL. */
  qualified(namespace: string, table: string): string;
  connect(spec: DbSpec, password: string | undefined, opts: ConnectOptions): Promise<Connection>;
  /** Tables, views and materialized views of the namespace with their columns and declared keys. */
  catalog(c: Connection, namespace: string): Promise<Catalog>;
  /** Base tables of a destination namespace with their columns. */
  existingTables(c: Connection, namespace: string): Promise<Map<string, ExistingColumn[]>>;
  /** The column type a created table gets for a column of the synthetic data. */
  columnType(c: ColumnMeta, isKey: boolean): string;
  /** Whether a created column may take the exact type of a source of this same kind (MySQL keys cannot be text or blob). */
  keepsNativeType(nativeType: string, isKey: boolean): boolean;
  /** Whether `CREATE TABLE` holds the indexes of its foreign keys (MySQL/MariaDB); otherwise they are `CREATE INDEX` statements. */
  readonly inlineIndexes: boolean;
  /** What follows the column list of `CREATE TABLE` (engine and character set). */
  readonly createTableOptions: string;
  /** The user as the server knows it (without host), for messages and privilege checks. */
  currentUser(c: Connection, spec: DbSpec): Promise<string>;

  // Writing a destination.
  /** What is missing when the namespace written into does not exist (a PostgreSQL schema), else null. */
  missingNamespace(c: WriteTarget): Promise<{ what: string; fix: string } | null>;
  /** Whether the user may create, alter and drop tables of its own in the namespace (needed for staging tables). */
  mayCreateTables(c: WriteTarget): Promise<boolean>;
  /** The rights the user lacks for a write, one sentence each; empty when it has them all. */
  privilegeProblems(c: WriteTarget, actions: WriteActions): Promise<string[]>;
  /** Tables of the namespace whose storage engine cannot roll back a failed write, with that engine. */
  nonTransactionalTables(c: WriteTarget): Promise<Map<string, string>>;
  /** Whether the server takes rows as a streamed local file (MySQL/MariaDB LOAD DATA LOCAL INFILE). */
  loadsLocalFiles(c: WriteTarget): Promise<boolean>;
  /** Writes every batch of `rows` into a table (in the caller's transaction); returns the rows written. */
  load(c: WriteTarget, t: TableMeta, rows: AsyncIterable<RowBatch>, o: LoadOptions): Promise<number>;
  /**
   * Opens a bulk write into a table that takes batches as they come, in the caller's transaction
   * (rows written while they are generated); null where each load is one statement over all rows.
   */
  readonly openCopy:
    ((c: WriteTarget, t: TableMeta, o: Omit<LoadOptions, 'batchSize' | 'onRows'> & { onRows?: (n: number) => void }) => Promise<CopySink>) | null;
  /** Whether DDL runs inside a transaction and is undone with it (PostgreSQL, SQLite); MySQL/MariaDB commit each DDL statement on its own. */
  readonly transactionalDdl: boolean;
  /** The statement beginning the transaction of a write. */
  readonly beginSql: string;
  /** Statements emptying tables of a write, given parents first by their SQL names. */
  emptyTablesSql(tables: string[]): string[];
  /** The statement that defers the foreign-key checks of the transaction to its commit, where there is one (SQLite). */
  readonly deferForeignKeysSql: string | null;
  /** Whether `ALTER TABLE … ADD FOREIGN KEY` exists (SQLite declares foreign keys only in `CREATE TABLE`). */
  readonly alterAddsForeignKeys: boolean;
  /** Runs `fn` with foreign keys unchecked on this connection (MySQL/MariaDB drop a referenced table that way). */
  withoutForeignKeyChecks<T>(c: WriteTarget, fn: () => Promise<T>): Promise<T>;
  /** The types `CAST(… AS …)` takes for a whole number and for text. */
  readonly castTypes: { integer: string; text: string };
  /** Staging tables; null where a write never stages (SQLite). */
  readonly staging: Staging | null;
}
