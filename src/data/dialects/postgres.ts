import { KIND_FACTS } from '../../shared/db-kinds';
import pg from 'pg';
import type { ColumnMeta, TableMeta } from '../../shared/metadata';
import { connectionTarget } from '../../shared/source';
import { loadPostgres, openPgCopy } from './postgres-copy';
import { doubleQuoted as quote } from './quoting';
import { assembleCatalog, groupColumns, str } from './catalog';
import {
  CONNECT_TIMEOUT_MS,
  type Connection,
  type ConnectOptions,
  type DbSpec,
  type Dialect,
  type Rec,
  type Staging,
  type WriteActions,
  type WriteTarget,
} from './types';

type PgSpec = Extract<DbSpec, { kind: 'postgres' }>;

const RAW_TEXT = new Set([1082, 1114, 1083]); // date, timestamp, time: parsed by normalizeCell as UTC
const rawDates = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    RAW_TEXT.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export function pgClientConfig(spec: PgSpec, password: string | undefined, opts: ConnectOptions): pg.ClientConfig {
  const cfg: pg.ClientConfig = { ...connectionTarget(spec, password), connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
  if (opts.purpose === 'read') cfg.types = rawDates;
  return cfg;
}

let cursors = 0;

async function connect(spec: DbSpec, password: string | undefined, opts: ConnectOptions): Promise<Connection> {
  const client = new pg.Client(pgClientConfig(spec as PgSpec, password, opts));
  client.on('error', () => undefined);
  await client.connect();
  // Timestamps with a time zone are written as the UTC instants they are.
  if (opts.purpose === 'write') await client.query("SET TIME ZONE 'UTC'");
  return {
    kind: 'postgres',
    pg: client,
    query: async (sql, params) => (await client.query(sql, params)).rows as Rec[],
    /** A cursor in a read-only transaction of this connection. */
    rows: async function* (sql, batchSize) {
      const cursor = `doppel_read_${++cursors}`;
      await client.query('BEGIN READ ONLY');
      try {
        await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`);
        for (;;) {
          const r = await client.query<unknown[]>({ text: `FETCH ${Math.max(1, batchSize)} FROM ${cursor}`, rowMode: 'array' });
          for (const row of r.rows) yield row;
          if (r.rows.length < batchSize) break;
        }
      } finally {
        await client.query('COMMIT').catch(() => undefined);
      }
    },
    close: () => client.end().catch(() => undefined),
  };
}

/** Inheritance children and partitions are read through their parent, so they are not listed. */
async function catalog(c: Connection, schema: string): Promise<ReturnType<typeof assembleCatalog>> {
  const cols = await c.query(
    `select cl.relname as table_name, case cl.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end as kind,
            a.attname as column_name, case when a.attnotnull then 'NO' else 'YES' end as is_nullable, format_type(a.atttypid, a.atttypmod) as native,
            (ty.typnamespace = 'pg_catalog'::regnamespace and ty.typcategory <> 'A') as portable
       from pg_class cl
       join pg_namespace ns on ns.oid = cl.relnamespace
       join pg_attribute a on a.attrelid = cl.oid and a.attnum > 0 and not a.attisdropped
       join pg_type ty on ty.oid = a.atttypid
      where ns.nspname = $1 and cl.relkind in ('r', 'p', 'v', 'm')
        and not exists (select 1 from pg_catalog.pg_inherits i where i.inhrelid = cl.oid)
      order by cl.relname, a.attnum`,
    [schema],
  );
  const keys = await c.query(
    `select con.conname as name, con.contype as kind, cl.relname as child_table, ca.attname as child_column,
            pcl.relname as parent_table, pa.attname as parent_column, k.ord
       from pg_constraint con
       join pg_class cl on cl.oid = con.conrelid
       join pg_namespace ns on ns.oid = cl.relnamespace
       cross join lateral unnest(con.conkey) with ordinality as k(attnum, ord)
       join pg_attribute ca on ca.attrelid = con.conrelid and ca.attnum = k.attnum
       left join pg_class pcl on pcl.oid = con.confrelid
       left join pg_attribute pa on pa.attrelid = con.confrelid and pa.attnum = con.confkey[k.ord]
      where ns.nspname = $1 and con.contype in ('p', 'f') and cl.relkind in ('r', 'p')
        and not exists (select 1 from pg_inherits i where i.inhrelid = cl.oid)
      order by cl.relname, con.conname, k.ord`,
    [schema],
  );
  return assembleCatalog(
    cols,
    keys.filter((k) => k.kind === 'p'),
    keys.filter((k) => k.kind === 'f'),
  );
}

async function existingTables(c: Connection, schema: string): ReturnType<Dialect['existingTables']> {
  const rows = await c.query(
    `select c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, c.column_default
       from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = $1 and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`,
    [schema],
  );
  return groupColumns(
    rows.map((r) => ({
      table: str(r.table_name),
      name: str(r.column_name),
      nativeType: str(r.data_type === 'USER-DEFINED' ? r.udt_name : r.data_type),
      nullable: r.is_nullable === 'YES',
      hasDefault: r.column_default !== null,
    })),
  );
}

function columnType(c: ColumnMeta): string {
  switch (c.storageType) {
    case 'integer':
      // Integers inferred from files (no native type) may exceed 32 bits further down the file.
      return /unsigned/i.test(c.nativeType ?? '') || c.nativeType === undefined ? 'bigint' : 'integer';
    case 'bigint':
      return 'bigint';
    case 'float':
      return 'double precision';
    case 'decimal':
      return c.scale !== undefined ? `numeric(38,${c.scale})` : 'numeric';
    case 'string':
      return c.maxLength !== undefined ? `varchar(${c.maxLength})` : 'text';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamp(3)';
    case 'time':
      return 'time';
    case 'binary':
      return 'bytea';
    case 'json':
      return 'jsonb';
    default:
      return 'text';
  }
}

async function privilegeProblems(c: WriteTarget, { creates, writes, truncates }: WriteActions): Promise<string[]> {
  const who = `user "${c.user}"`;
  const [row] = await c.query("select has_schema_privilege($1, 'USAGE') as u, has_schema_privilege($1, 'CREATE') as c", [c.namespace]);
  if (!row?.u) return [`${who} lacks USAGE on schema "${c.namespace}"`];
  const out: string[] = [];
  if (creates.length && !row.c) out.push(`${who} lacks CREATE on schema "${c.namespace}" (needed to create ${creates.map((t) => `"${t}"`).join(', ')})`);
  for (const [tables, priv] of [
    [[...writes, ...truncates], 'INSERT'],
    [truncates, 'TRUNCATE'],
  ] as const) {
    for (const t of tables) {
      const [r] = await c.query('select has_table_privilege($1, $2) as ok', [c.qualified(t), priv]);
      if (!r?.ok) out.push(`${who} lacks ${priv} on table "${c.namespace}"."${t}"`);
    }
  }
  return out;
}

/** PostgreSQL advisory-lock class for staging runs (any constant; "Dop"). */
const LOCK_CLASS = 0x446f70;

/** Gives a renamed staging table's primary key the name PostgreSQL would have given it (when free). */
async function renamePrimaryKey(c: WriteTarget, stage: string, t: TableMeta): Promise<void> {
  if (!t.primaryKey.length) return;
  const want = `${t.name}_pkey`;
  if (Buffer.byteLength(want) > 63) return;
  const taken = await c.query('select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2', [
    c.namespace,
    want,
  ]);
  if (taken.length) return;
  await c.query(`ALTER INDEX ${quote(c.namespace)}.${quote(`${stage}_pkey`)} RENAME TO ${quote(want)}`);
}

const staging: Staging = {
  tryLock: async (c, token) => (await c.query("select pg_try_advisory_lock($1::int, ('x' || $2)::bit(32)::int) as ok", [LOCK_CLASS, token]))[0]?.ok === true,
  unlock: async (c, token) => {
    await c.query("select pg_advisory_unlock($1::int, ('x' || $2)::bit(32)::int)", [LOCK_CLASS, token]);
  },
  tablesStartingWith: async (c, prefix) =>
    (
      await c.query('select table_name as n from information_schema.tables where table_schema = $1 and left(table_name, $3) = $2', [
        c.namespace,
        prefix,
        prefix.length,
      ])
    ).map((r) => String(r.n)),
  createLikeSql: (stage, table) => `CREATE TABLE ${stage} (LIKE ${table} INCLUDING DEFAULTS)`,
  renameTables: async (c, renames) => {
    for (const { stage, table } of renames) {
      await c.query(`ALTER TABLE ${c.qualified(stage)} RENAME TO ${quote(table.name)}`);
      await renamePrimaryKey(c, stage, table);
    }
  },
};

export const postgres: Dialect = {
  kind: 'postgres',
  maxIdentifierBytes: 63,
  caseInsensitiveNames: KIND_FACTS.postgres.caseInsensitiveNames,
  quote,
  literal: (v) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v)),
  randomShare: (share, seed) => ` tablesample bernoulli (${(Math.min(1, share) * 100).toFixed(9)}) repeatable (${seed | 0})`,
  originName: (schema, table) => `${schema}.${table}`,
  textBytes: null,
  dataDirectorySql: "select setting as d from pg_settings where name = 'data_directory'",
  fileOf: () => null,
  hasServer: KIND_FACTS.postgres.server !== null,
  probeSql: 'select 1 as n',
  quantilesSql: (col, from, points) => `select percentile_disc(array[${points.join(', ')}]::float8[]) within group (order by ${col})::text[] from ${from}`,
  namespaceOf: (spec) => (spec.kind === 'postgres' ? (spec.schema ?? KIND_FACTS.postgres.defaultSchema) : ''),
  qualified: (schema, table) => `${quote(schema)}.${quote(table)}`,
  connect,
  catalog,
  existingTables,
  columnType,
  keepsNativeType: () => true,
  inlineIndexes: false,
  createTableOptions: '',
  currentUser: async (c, spec) => String((await c.query('select current_user as u'))[0]?.u ?? (spec.kind === 'postgres' ? spec.user : '')).replace(/@.*$/, ''),
  missingNamespace: async (c) =>
    (await c.query('select 1 from pg_namespace where nspname = $1', [c.namespace])).length
      ? null
      : { what: `Schema "${c.namespace}"`, fix: `Create it (CREATE SCHEMA ${quote(c.namespace)}) or pick an existing schema.` },
  mayCreateTables: async (c) => (await c.query("select has_schema_privilege($1, 'CREATE') as c", [c.namespace]))[0]?.c === true,
  privilegeProblems,
  nonTransactionalTables: () => Promise.resolve(new Map()),
  loadsLocalFiles: () => Promise.resolve(false),
  load: loadPostgres,
  openCopy: openPgCopy,
  transactionalDdl: true,
  beginSql: 'BEGIN',
  emptyTablesSql: (tables) => (tables.length ? [`TRUNCATE ${tables.join(', ')}`] : []),
  deferForeignKeysSql: null,
  alterAddsForeignKeys: true,
  withoutForeignKeyChecks: (_c, fn) => fn(),
  castTypes: { integer: 'BIGINT', text: 'TEXT' },
  staging,
};
