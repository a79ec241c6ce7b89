import { KIND_FACTS } from '../../shared/db-kinds';
import mysql from 'mysql2/promise';
import type { Connection as CallbackConnection } from 'mysql2';
import type { ColumnMeta } from '../../shared/metadata';
import { connectionTarget } from '../../shared/source';
import { loadMysql } from './mysql-load';
import { backquoted as quote } from './quoting';
import { assembleCatalog, groupColumns, str } from './catalog';
import {
  CONNECT_TIMEOUT_MS,
  STAGE_PREFIX,
  type Staging,
  type Connection,
  type ConnectOptions,
  type DbSpec,
  type Dialect,
  type Rec,
  type WriteActions,
  type WriteTarget,
} from './types';

type MySpec = Extract<DbSpec, { kind: 'mysql' }>;

export function mysqlConnectionConfig(spec: MySpec, password: string | undefined, opts: ConnectOptions): mysql.ConnectionOptions {
  const cfg: mysql.ConnectionOptions = {
    ...connectionTarget(spec, password),
    connectTimeout: CONNECT_TIMEOUT_MS,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
  };
  if (opts.purpose === 'write') cfg.timezone = 'Z';
  return cfg;
}

async function connect(spec: DbSpec, password: string | undefined, opts: ConnectOptions): Promise<Connection> {
  const conn = await mysql.createConnection(mysqlConnectionConfig(spec as MySpec, password, opts));
  conn.on('error', () => undefined);
  if (opts.purpose === 'write') await conn.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'), time_zone = '+00:00'");
  return {
    kind: 'mysql',
    mysql: conn,
    query: async (sql, params) => {
      const [rows] = await conn.query(sql, params);
      return Array.isArray(rows) ? (rows as Rec[]) : [];
    },
    rows: async function* (sql) {
      const stream = (conn as unknown as { connection: CallbackConnection }).connection.query({ sql, rowsAsArray: true }).stream({ highWaterMark: 1000 });
      for await (const row of stream) yield row as unknown[];
    },
    close: () => conn.end().catch(() => undefined),
  };
}

async function catalog(c: Connection, database: string): Promise<ReturnType<typeof assembleCatalog>> {
  const cols = await c.query(
    `select c.TABLE_NAME as table_name, case t.TABLE_TYPE when 'VIEW' then 'view' else 'table' end as kind, c.COLUMN_NAME as column_name,
            c.IS_NULLABLE as is_nullable, c.COLUMN_TYPE as native
       from information_schema.COLUMNS c join information_schema.TABLES t on t.TABLE_SCHEMA = c.TABLE_SCHEMA and t.TABLE_NAME = c.TABLE_NAME
      where c.TABLE_SCHEMA = ? and t.TABLE_TYPE in ('BASE TABLE', 'VIEW') order by c.TABLE_NAME, c.ORDINAL_POSITION`,
    [database],
  );
  const keys = await c.query(
    `select CONSTRAINT_NAME as name, TABLE_NAME as child_table, COLUMN_NAME as child_column, REFERENCED_TABLE_NAME as parent_table, REFERENCED_COLUMN_NAME as parent_column
       from information_schema.KEY_COLUMN_USAGE where TABLE_SCHEMA = ? and (CONSTRAINT_NAME = 'PRIMARY' or REFERENCED_TABLE_NAME is not null)
      order by TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
    [database],
  );
  return assembleCatalog(
    cols,
    keys.filter((k) => k.name === 'PRIMARY'),
    keys.filter((k) => k.name !== 'PRIMARY' && str(k.parent_table) !== ''),
  );
}

async function existingTables(c: Connection): ReturnType<Dialect['existingTables']> {
  const rows = await c.query(
    `select c.table_name as table_name, c.column_name as column_name, c.column_type as column_type, c.is_nullable as is_nullable, c.column_default as column_default, c.extra as extra
       from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = database() and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`,
  );
  return groupColumns(
    rows.map((r) => ({
      table: str(r.table_name),
      name: str(r.column_name),
      nativeType: str(r.column_type),
      nullable: r.is_nullable === 'YES',
      hasDefault: (r.column_default !== null && r.column_default !== 'NULL') || /auto_increment/i.test(str(r.extra)),
    })),
  );
}

function columnType(c: ColumnMeta, isKey: boolean): string {
  const unsigned = /unsigned/i.test(c.nativeType ?? '');
  switch (c.storageType) {
    case 'integer':
      return unsigned || c.nativeType === undefined ? 'bigint' : 'int';
    case 'bigint':
      return unsigned ? 'bigint unsigned' : 'bigint';
    case 'float':
      return 'double';
    case 'decimal':
      return c.scale !== undefined ? `decimal(38,${c.scale})` : 'decimal(38,10)';
    case 'string':
      if (c.maxLength !== undefined) return `varchar(${c.maxLength})`;
      return isKey ? 'varchar(255)' : 'text';
    case 'boolean':
      return 'tinyint(1)';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime(3)';
    case 'time':
      return 'time(3)';
    case 'binary':
      return 'longblob';
    case 'json':
      return 'json';
    default:
      return isKey ? 'varchar(255)' : 'mediumtext';
  }
}

/** The privileges of the current user on the destination database: `has(priv, table?)`. */
async function privileges(c: WriteTarget): Promise<(priv: string, table?: string) => boolean> {
  const rows = await c.query(
    `select privilege_type as p, '' as t from information_schema.user_privileges where grantee = @doppel_grantee
     union all select privilege_type, '' from information_schema.schema_privileges where grantee = @doppel_grantee and table_schema = database()
     union all select privilege_type, table_name from information_schema.table_privileges where grantee = @doppel_grantee and table_schema = database()`.replace(
      /@doppel_grantee/g,
      "concat('''', substring_index(current_user(), '@', 1), '''@''', substring_index(current_user(), '@', -1), '''')",
    ),
  );
  return (priv, table) => rows.some((r) => r.p === priv && (r.t === '' || r.t === table));
}

async function privilegeProblems(c: WriteTarget, { creates, writes, truncates }: WriteActions): Promise<string[]> {
  const out: string[] = [];
  const who = `user "${c.user}"`;
  const has = await privileges(c);
  if (creates.length && !has('CREATE'))
    out.push(`${who} lacks CREATE on database "${c.namespace}" (needed to create ${creates.map((t) => `"${t}"`).join(', ')})`);
  if (creates.length && has('CREATE') && !has('DROP'))
    out.push(`${who} lacks DROP on database "${c.namespace}" (needed to remove created tables if the write fails)`);
  if (creates.length && has('CREATE') && !has('REFERENCES') && !has('INSERT')) out.push(`${who} lacks INSERT on database "${c.namespace}"`);
  for (const t of writes) if (!has('INSERT', t)) out.push(`${who} lacks INSERT on table "${t}"`);
  for (const t of truncates) if (!has('INSERT', t) || !has('DELETE', t)) out.push(`${who} lacks INSERT and DELETE on table "${t}" (needed to truncate it)`);
  return out;
}

async function nonTransactionalTables(c: WriteTarget): Promise<Map<string, string>> {
  const rows = await c.query('select table_name as t, engine as e from information_schema.tables where table_schema = database()');
  return new Map(rows.map((r) => [String(r.t), String(r.e)] as const).filter(([, e]) => e && !/innodb|aria/i.test(e)));
}

const staging: Staging = {
  tryLock: async (c, token) => Number((await c.query('select get_lock(?, 0) as ok', [`${STAGE_PREFIX}${token}`]))[0]?.ok) === 1,
  unlock: async (c, token) => {
    await c.query('select release_lock(?)', [`${STAGE_PREFIX}${token}`]);
  },
  tablesStartingWith: async (c, prefix) =>
    (
      await c.query('select table_name as n from information_schema.tables where table_schema = database() and left(table_name, ?) = ?', [
        prefix.length,
        prefix,
      ])
    ).map((r) => String(r.n)),
  createLikeSql: (stage, table) => `CREATE TABLE ${stage} LIKE ${table}`,
  // One statement renames them all at once (InnoDB keeps the foreign keys pointing at the renamed parents).
  renameTables: async (c, renames) => {
    if (renames.length) await c.query(`RENAME TABLE ${renames.map((r) => `${c.qualified(r.stage)} TO ${c.qualified(r.table.name)}`).join(', ')}`);
  },
};

export const mysqlDialect: Dialect = {
  kind: 'mysql',
  maxIdentifierBytes: 64,
  caseInsensitiveNames: KIND_FACTS.mysql.caseInsensitiveNames,
  quote,
  literal: (v) => (typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : typeof v === 'boolean' ? (v ? '1' : '0') : String(v)),
  randomShare: (share, seed) => ` where rand(${seed | 0}) < ${Math.min(1, share)}`,
  originName: (_database, table) => table,
  textBytes: (expr) => `cast(${expr} as binary)`,
  dataDirectorySql: 'select @@datadir as d',
  fileOf: () => null,
  hasServer: KIND_FACTS.mysql.server !== null,
  probeSql: 'select 1 as n',
  quantilesSql: null,
  namespaceOf: (spec) => (spec.kind === 'mysql' ? spec.database : ''),
  qualified: (_database, table) => quote(table),
  connect,
  catalog,
  existingTables,
  columnType,
  keepsNativeType: (nativeType, isKey) => !(isKey && /text|blob/i.test(nativeType)),
  inlineIndexes: true,
  createTableOptions: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  currentUser: async (c, spec) => String((await c.query('select current_user() as u'))[0]?.u ?? (spec.kind === 'mysql' ? spec.user : '')).replace(/@.*$/, ''),
  missingNamespace: () => Promise.resolve(null),
  mayCreateTables: async (c) => {
    const has = await privileges(c);
    return ['CREATE', 'DROP', 'ALTER', 'INSERT', 'SELECT', 'DELETE'].every((p) => has(p));
  },
  privilegeProblems,
  nonTransactionalTables,
  loadsLocalFiles: async (c) => Number((await c.query('select @@local_infile as v'))[0]?.v) === 1,
  load: loadMysql,
  openCopy: null,
  transactionalDdl: false,
  beginSql: 'START TRANSACTION',
  emptyTablesSql: (tables) => [...tables].reverse().map((t) => `DELETE FROM ${t}`),
  deferForeignKeysSql: null,
  alterAddsForeignKeys: true,
  withoutForeignKeyChecks: async (c, fn) => {
    await c.query('SET foreign_key_checks = 0');
    try {
      return await fn();
    } finally {
      await c.query('SET foreign_key_checks = 1');
    }
  },
  castTypes: { integer: 'SIGNED', text: 'CHAR' },
  staging,
};
