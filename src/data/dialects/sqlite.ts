import { KIND_FACTS } from '../../shared/db-kinds';
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { renameRelationship, type ColumnMeta, type StorageType, type TableMeta } from '../../shared/metadata';
import { valueFormSchema, type ValueForm } from '../../shared/value-form';
import { aligned, checkAbort } from './load-rows';
import { doubleQuoted as quote } from './quoting';
import { sqliteRowInserter } from './sqlite-insert';
import { assembleCatalog, groupColumns, str } from './catalog';
import type { RowBatch } from '../../shared/values';
import type { Connection, ConnectOptions, DbSpec, Dialect, ExistingColumn, LoadOptions, Rec, WriteTarget } from './types';

function open(path: string, opts: ConnectOptions): Database.Database {
  if (opts.purpose === 'read') return new Database(path, { readonly: true, fileMustExist: true });
  if (!existsSync(dirname(path))) {
    throw new AppError('DB_NOT_FOUND', `The folder of the SQLite destination ${path} does not exist.`, {
      fix: 'Create the folder or pick another path for the SQLite file.',
    });
  }
  // A check never creates the file: a missing file is inspected as an empty database.
  const db = opts.create || existsSync(path) ? new Database(path) : new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A connection over an open better-sqlite3 handle. */
export function sqliteConnection(db: Database.Database): Connection {
  return {
    kind: 'sqlite',
    sqlite: db,
    query: (sql, params) => {
      const stmt = db.prepare(sql);
      if (stmt.reader) return Promise.resolve(stmt.all(...(params ?? [])) as Rec[]);
      stmt.run(...(params ?? []));
      return Promise.resolve([]);
    },
    rows: async function* (sql) {
      const stmt = db.prepare(sql).raw(true).safeIntegers(true);
      for (const r of stmt.iterate() as IterableIterator<unknown[]>) yield r;
    },
    close: () => {
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}

async function connect(spec: DbSpec, _password: string | undefined, opts: ConnectOptions): Promise<Connection> {
  return sqliteConnection(open(spec.kind === 'sqlite' ? spec.path : '', opts));
}

/** Where Doppel's own output keeps the names its SQLite file could not hold as they are. */
export const STORED_NAMES_TABLE = '_doppel_stored_names';

export interface StoredNameRow {
  table_name: string;
  column_name: string | null;
  stored_table: string;
  stored_column: string | null;
}

/** Where Doppel's own output keeps how the source wrote each column's values (shared/value-form.ts). */
export const VALUE_FORMS_TABLE = '_doppel_value_forms';

/** Tables of Doppel's own bookkeeping in its output file, never shown as data. */
export function isBookkeepingTable(name: string): boolean {
  return name === STORED_NAMES_TABLE || name === VALUE_FORMS_TABLE;
}

/** The value forms recorded in a SQLite file written by Doppel, by logical table and column (none for any other file). */
export function readValueForms(db: Database.Database): Map<string, Map<string, ValueForm>> {
  const out = new Map<string, Map<string, ValueForm>>();
  const has = db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(VALUE_FORMS_TABLE);
  if (!has) return out;
  for (const r of db.prepare(`select table_name, column_name, form from ${quote(VALUE_FORMS_TABLE)}`).all() as Array<{
    table_name: string;
    column_name: string;
    form: string;
  }>) {
    const parsed = valueFormSchema.safeParse(JSON.parse(r.form));
    if (!parsed.success) continue;
    let cols = out.get(r.table_name);
    if (!cols) out.set(r.table_name, (cols = new Map()));
    cols.set(r.column_name, parsed.data);
  }
  return out;
}

/** The renames recorded in a SQLite file written by Doppel (none for any other file). */
export function readStoredNames(db: Database.Database): StoredNameRow[] {
  const has = db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(STORED_NAMES_TABLE);
  return has ? (db.prepare(`select table_name, column_name, stored_table, stored_column from ${quote(STORED_NAMES_TABLE)}`).all() as StoredNameRow[]) : [];
}

/** The catalog of a file under its logical names: `stored` keeps the SQL name where it differs. */
function withStoredNames(cat: ReturnType<typeof assembleCatalog>, renames: StoredNameRow[]): ReturnType<typeof assembleCatalog> {
  cat = { ...cat, tables: cat.tables.filter((t) => !isBookkeepingTable(t.name)) };
  if (!renames.length) return cat;
  const tableOf = new Map(renames.filter((r) => r.column_name === null).map((r) => [r.stored_table, r.table_name]));
  const logicalTable = (s: string): string => tableOf.get(s) ?? s;
  const colOf = new Map(renames.filter((r) => r.column_name !== null).map((r) => [JSON.stringify([r.stored_table, r.stored_column]), r.column_name!]));
  const logicalCol = (t: string, c: string): string => colOf.get(JSON.stringify([t, c])) ?? c;
  return {
    tables: cat.tables.map((t) => ({
      ...t,
      name: logicalTable(t.name),
      ...(logicalTable(t.name) !== t.name ? { stored: t.name } : {}),
      columns: t.columns.map((c) => (logicalCol(t.name, c.name) !== c.name ? { ...c, name: logicalCol(t.name, c.name), stored: c.name } : c)),
      primaryKey: t.primaryKey.map((c) => logicalCol(t.name, c)),
    })),
    relationships: cat.relationships.map((r) => renameRelationship(r, logicalTable, logicalCol)),
  };
}

async function catalog(c: Connection): Promise<ReturnType<typeof assembleCatalog>> {
  return withStoredNames(await declaredCatalog(c), c.sqlite ? readStoredNames(c.sqlite) : []);
}

async function declaredCatalog(c: Connection): Promise<ReturnType<typeof assembleCatalog>> {
  const relations = await c.query("select name, type from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%' order by name");
  const cols: Rec[] = [];
  const pkRows: Rec[] = [];
  const fkRows: Rec[] = [];
  for (const rel of relations) {
    const name = str(rel.name);
    const info = await c.query('select * from pragma_table_info(?)', [name]);
    for (const col of info)
      cols.push({
        table_name: name,
        kind: rel.type === 'view' ? 'view' : 'table',
        column_name: col.name,
        native: col.type,
        is_nullable: Number(col.notnull) === 0 && Number(col.pk) === 0 ? 'YES' : 'NO',
      });
    for (const col of [...info].filter((x) => Number(x.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk)))
      pkRows.push({ child_table: name, child_column: col.name });
    for (const f of await c.query('select * from pragma_foreign_key_list(?) order by id, seq', [name])) {
      fkRows.push({ name: `fk${str(f.id)}`, child_table: name, child_column: f.from, parent_table: f.table, parent_column: f.to ?? '', seq: f.seq });
    }
  }
  // `REFERENCES parent` without columns means the parent's primary key
  for (const r of fkRows) {
    if (r.parent_column === '' || r.parent_column === null) {
      const parentPk = pkRows.filter((k) => k.child_table === r.parent_table);
      r.parent_column = parentPk[Number(r.seq)]?.child_column ?? '';
    }
  }
  return assembleCatalog(cols, pkRows, fkRows);
}

async function existingTables(c: Connection): ReturnType<Dialect['existingTables']> {
  const names = (await c.query("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")).map((r) => str(r.name));
  const rows: Array<ExistingColumn & { table: string }> = [];
  for (const n of names) {
    for (const col of await c.query('select name, type, "notnull" as nn, dflt_value, pk from pragma_table_info(?)', [n])) {
      rows.push({
        table: n,
        name: str(col.name),
        nativeType: str(col.type),
        nullable: Number(col.nn) === 0,
        hasDefault: col.dflt_value !== null || (Number(col.pk) > 0 && /^integer$/i.test(str(col.type))),
      });
    }
  }
  return groupColumns(rows);
}

/**
 * The declared SQLite type of a column. The spelling is chosen so that reading the file back
 * (the sqlite connector maps declared types to storage types) gives the same storage type,
 * hence Dates back for date/datetime columns stored as ISO text.
 */
function columnType(c: ColumnMeta): string {
  const byType: Record<StorageType, string> = {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    float: 'REAL',
    decimal: c.scale !== undefined ? `DECIMAL(38,${c.scale})` : 'DECIMAL',
    string: c.maxLength !== undefined ? `VARCHAR(${c.maxLength})` : 'VARCHAR',
    text: 'TEXT',
    boolean: 'BOOLEAN',
    date: 'DATE',
    datetime: 'DATETIME',
    time: 'TIME',
    binary: 'BLOB',
    json: 'JSON',
    unknown: '',
  };
  return byType[c.storageType];
}

/** SQLite: the rows by multi-row INSERTs (inside the caller's transaction). */
async function load(c: WriteTarget, t: TableMeta, rows: AsyncIterable<RowBatch>, o: LoadOptions): Promise<number> {
  const head = `INSERT INTO ${c.qualified(t.name)} (${t.columns.map((col) => quote(col.name)).join(', ')}) VALUES `;
  const insert = sqliteRowInserter(
    c.sqlite!,
    head,
    t.columns.map((col) => col.storageType),
  );
  let n = 0;
  for await (const batch of rows) {
    checkAbort(o.signal, t.name);
    insert(aligned(t, batch));
    n += batch.rows.length;
    o.onRows(batch.rows.length);
  }
  return n;
}

export const sqlite: Dialect = {
  kind: 'sqlite',
  maxIdentifierBytes: Number.MAX_SAFE_INTEGER,
  caseInsensitiveNames: KIND_FACTS.sqlite.caseInsensitiveNames,
  quote,
  literal: (v) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : typeof v === 'boolean' ? (v ? '1' : '0') : String(v)),
  randomShare: () => null,
  originName: (_file, table) => table,
  textBytes: null,
  dataDirectorySql: null,
  fileOf: (spec) => (spec.kind === 'sqlite' ? spec.path : null),
  hasServer: KIND_FACTS.sqlite.server !== null,
  probeSql: 'select count(*) as n from sqlite_master',
  quantilesSql: null,
  namespaceOf: (spec) => (spec.kind === 'sqlite' ? spec.path : ''),
  qualified: (_file, table) => quote(table),
  connect,
  catalog,
  existingTables,
  columnType,
  keepsNativeType: () => true,
  inlineIndexes: false,
  createTableOptions: '',
  currentUser: async () => process.env.USER ?? 'you',
  missingNamespace: () => Promise.resolve(null),
  mayCreateTables: () => Promise.resolve(true),
  privilegeProblems: (c) => {
    const path = c.namespace;
    try {
      accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
      return Promise.resolve([]);
    } catch {
      return Promise.resolve([`the SQLite file ${path} is not writable`]);
    }
  },
  nonTransactionalTables: () => Promise.resolve(new Map()),
  loadsLocalFiles: () => Promise.resolve(false),
  load,
  openCopy: null,
  transactionalDdl: true,
  beginSql: 'BEGIN IMMEDIATE',
  emptyTablesSql: (tables) => [...tables].reverse().map((t) => `DELETE FROM ${t}`),
  deferForeignKeysSql: 'PRAGMA defer_foreign_keys = ON',
  alterAddsForeignKeys: false,
  withoutForeignKeyChecks: (_c, fn) => fn(),
  castTypes: { integer: 'INTEGER', text: 'TEXT' },
  staging: null,
};
