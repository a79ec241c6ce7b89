import type { Knex } from 'knex';
import type { Relationship } from '../../shared/metadata';

export interface CatalogColumn {
  name: string;
  nativeType: string;
  nullable: boolean;
}
export interface CatalogTable {
  name: string;
  columns: CatalogColumn[];
  primaryKey: string[];
}
export interface Catalog {
  tables: CatalogTable[];
  relationships: Relationship[];
}

type Rec = Record<string, unknown>;
const str = (r: Rec, k: string): string => String(r[k] ?? r[k.toUpperCase()] ?? r[k.toLowerCase()] ?? '');
const num = (r: Rec, k: string): number => Number(r[k] ?? r[k.toUpperCase()] ?? r[k.toLowerCase()] ?? 0);

function rowsOf(result: unknown): Rec[] {
  // pg returns { rows }, mysql2 returns [rows, fields], better-sqlite3 returns rows
  if (Array.isArray(result)) return (Array.isArray(result[0]) ? result[0] : result) as Rec[];
  if (typeof result === 'object' && result !== null && 'rows' in result) return (result as { rows: Rec[] }).rows;
  return [];
}

/** Groups (constraint, position)-ordered key rows into relationships. */
function groupFks(rows: Rec[]): Relationship[] {
  const byName = new Map<string, Relationship>();
  for (const r of rows) {
    const key = `${str(r, 'child_table')}.${str(r, 'name')}`;
    let rel = byName.get(key);
    if (!rel) {
      rel = { childTable: str(r, 'child_table'), childColumns: [], parentTable: str(r, 'parent_table'), parentColumns: [], origin: 'declared' };
      byName.set(key, rel);
    }
    rel.childColumns.push(str(r, 'child_column'));
    rel.parentColumns.push(str(r, 'parent_column'));
  }
  return [...byName.values()];
}

export async function sqliteCatalog(db: Knex): Promise<Catalog> {
  const names = rowsOf(await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")).map((r) => str(r, 'name'));
  const tables: CatalogTable[] = [];
  const fkRows: Rec[] = [];
  for (const name of names) {
    const info = rowsOf(await db.raw('select * from pragma_table_info(?)', [name]));
    const columns = info.map((c) => ({ name: str(c, 'name'), nativeType: str(c, 'type'), nullable: num(c, 'notnull') === 0 && num(c, 'pk') === 0 }));
    const primaryKey = info.filter((c) => num(c, 'pk') > 0).sort((a, b) => num(a, 'pk') - num(b, 'pk')).map((c) => str(c, 'name'));
    tables.push({ name, columns, primaryKey });
    const fks = rowsOf(await db.raw('select * from pragma_foreign_key_list(?) order by id, seq', [name]));
    for (const f of fks) fkRows.push({ name: `fk${num(f, 'id')}`, child_table: name, child_column: str(f, 'from'), parent_table: str(f, 'table'), parent_column: f['to'] ?? '' });
  }
  // `REFERENCES parent` without columns means the parent's primary key
  for (const r of fkRows) {
    if (r['parent_column'] === '' || r['parent_column'] === null) {
      const parent = tables.find((t) => t.name === r['parent_table']);
      const sameFk = fkRows.filter((x) => x['name'] === r['name'] && x['child_table'] === r['child_table']);
      r['parent_column'] = parent?.primaryKey[sameFk.indexOf(r)] ?? '';
    }
  }
  return { tables, relationships: groupFks(fkRows) };
}

/** Inheritance children and partitions are read through their parent, so they are not listed. */
export async function pgCatalog(db: Knex, schema: string): Promise<Catalog> {
  const cols = rowsOf(
    await db.raw(
      `select c.table_name, c.column_name, c.is_nullable, format_type(a.atttypid, a.atttypmod) as native
       from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
       join pg_catalog.pg_attribute a on a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass and a.attname = c.column_name
       where c.table_schema = ? and not exists (select 1 from pg_catalog.pg_inherits i where i.inhrelid = a.attrelid)
       order by c.table_name, c.ordinal_position`,
      [schema],
    ),
  );
  const keys = rowsOf(
    await db.raw(
      `select con.conname as name, con.contype as kind, cl.relname as child_table, ca.attname as child_column,
              pcl.relname as parent_table, pa.attname as parent_column, k.ord
       from pg_constraint con
       join pg_class cl on cl.oid = con.conrelid
       join pg_namespace ns on ns.oid = cl.relnamespace
       cross join lateral unnest(con.conkey) with ordinality as k(attnum, ord)
       join pg_attribute ca on ca.attrelid = con.conrelid and ca.attnum = k.attnum
       left join pg_class pcl on pcl.oid = con.confrelid
       left join pg_attribute pa on pa.attrelid = con.confrelid and pa.attnum = con.confkey[k.ord]
       where ns.nspname = ? and con.contype in ('p', 'f') and cl.relkind in ('r', 'p')
         and not exists (select 1 from pg_inherits i where i.inhrelid = cl.oid)
       order by cl.relname, con.conname, k.ord`,
      [schema],
    ),
  );
  return assemble(cols, keys.filter((k) => str(k, 'kind') === 'p'), keys.filter((k) => str(k, 'kind') === 'f'));
}

export async function mysqlCatalog(db: Knex, database: string): Promise<Catalog> {
  const cols = rowsOf(
    await db.raw(
      `select c.TABLE_NAME as table_name, c.COLUMN_NAME as column_name, c.IS_NULLABLE as is_nullable, c.COLUMN_TYPE as native
       from information_schema.COLUMNS c join information_schema.TABLES t on t.TABLE_SCHEMA = c.TABLE_SCHEMA and t.TABLE_NAME = c.TABLE_NAME and t.TABLE_TYPE = 'BASE TABLE'
       where c.TABLE_SCHEMA = ? order by c.TABLE_NAME, c.ORDINAL_POSITION`,
      [database],
    ),
  );
  const keys = rowsOf(
    await db.raw(
      `select CONSTRAINT_NAME as name, TABLE_NAME as child_table, COLUMN_NAME as child_column, REFERENCED_TABLE_NAME as parent_table, REFERENCED_COLUMN_NAME as parent_column
       from information_schema.KEY_COLUMN_USAGE where TABLE_SCHEMA = ? and (CONSTRAINT_NAME = 'PRIMARY' or REFERENCED_TABLE_NAME is not null)
       order by TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
      [database],
    ),
  );
  return assemble(cols, keys.filter((k) => str(k, 'name') === 'PRIMARY'), keys.filter((k) => str(k, 'name') !== 'PRIMARY' && str(k, 'parent_table') !== ''));
}

function assemble(cols: Rec[], pkRows: Rec[], fkRows: Rec[]): Catalog {
  const tables = new Map<string, CatalogTable>();
  for (const c of cols) {
    const name = str(c, 'table_name');
    let t = tables.get(name);
    if (!t) {
      t = { name, columns: [], primaryKey: [] };
      tables.set(name, t);
    }
    t.columns.push({ name: str(c, 'column_name'), nativeType: str(c, 'native'), nullable: str(c, 'is_nullable').toUpperCase() === 'YES' });
  }
  for (const k of pkRows) tables.get(str(k, 'child_table'))?.primaryKey.push(str(k, 'child_column'));
  return { tables: [...tables.values()], relationships: groupFks(fkRows).filter((r) => tables.has(r.childTable) && tables.has(r.parentTable)) };
}
