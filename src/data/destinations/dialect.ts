import type { ColumnMeta, Relationship, StorageType, TableMeta } from '../../shared/metadata';
import { storageTypeOf } from '../sources/native-types';
import { quoteIdent, sqliteDeclaredType } from './sqlite-types';

export type DbDialect = 'postgres' | 'mysql' | 'sqlite';

export function quote(dialect: DbDialect, name: string): string {
  return dialect === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : quoteIdent(name);
}

const unsigned = (c: ColumnMeta): boolean => /unsigned/i.test(c.nativeType ?? '');

/** The column type a created table gets in each dialect. */
export function columnType(dialect: DbDialect, c: ColumnMeta, isKey: boolean): string {
  if (dialect === 'sqlite') return sqliteDeclaredType(c);
  const pg = dialect === 'postgres';
  const t: StorageType = c.storageType;
  switch (t) {
    case 'integer':
      // Integers inferred from files (no native type) may exceed 32 bits further down the file.
      return unsigned(c) || c.nativeType === undefined ? 'bigint' : pg ? 'integer' : 'int';
    case 'bigint':
      return pg ? 'bigint' : unsigned(c) ? 'bigint unsigned' : 'bigint';
    case 'float':
      return pg ? 'double precision' : 'double';
    case 'decimal':
      return c.scale !== undefined ? `${pg ? 'numeric' : 'decimal'}(38,${c.scale})` : pg ? 'numeric' : 'decimal(38,10)';
    case 'string':
      if (c.maxLength !== undefined) return `varchar(${c.maxLength})`;
      return pg ? 'text' : isKey ? 'varchar(255)' : 'text';
    case 'text':
      return pg ? 'text' : isKey ? 'varchar(255)' : 'mediumtext';
    case 'boolean':
      return pg ? 'boolean' : 'tinyint(1)';
    case 'date':
      return 'date';
    case 'datetime':
      return pg ? 'timestamp(3)' : 'datetime(3)';
    case 'time':
      return pg ? 'time' : 'time(3)';
    case 'binary':
      return pg ? 'bytea' : 'longblob';
    case 'json':
      return pg ? 'jsonb' : 'json';
    default:
      return pg ? 'text' : isKey ? 'varchar(255)' : 'mediumtext';
  }
}

/** `CREATE TABLE` with primary key and the foreign keys to tables of the plan. */
export function createTableSql(dialect: DbDialect, qualified: (t: string) => string, t: TableMeta, relationships: Relationship[], planned: Set<string>): string {
  const q = (n: string): string => quote(dialect, n);
  const keyCols = new Set([...t.primaryKey, ...relationships.filter((r) => r.childTable === t.name).flatMap((r) => r.childColumns)]);
  const parts = t.columns.map((c) => {
    const type = columnType(dialect, c, keyCols.has(c.name));
    const notNull = c.nullable === false || t.primaryKey.includes(c.name);
    return `${q(c.name)}${type ? ` ${type}` : ''}${notNull ? ' NOT NULL' : ''}`;
  });
  if (t.primaryKey.length) parts.push(`PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`);
  for (const r of relationships) {
    if (r.childTable !== t.name || !planned.has(r.parentTable)) continue;
    parts.push(`FOREIGN KEY (${r.childColumns.map(q).join(', ')}) REFERENCES ${qualified(r.parentTable)} (${r.parentColumns.map(q).join(', ')})`);
  }
  return `CREATE TABLE ${qualified(t.name)} (${parts.join(', ')})${dialect === 'mysql' ? ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4' : ''}`;
}

/** Storage types an existing column of a given storage type can hold without loss. */
const accepts: Record<StorageType, StorageType[]> = {
  integer: ['integer', 'boolean'],
  bigint: ['integer', 'bigint', 'boolean'],
  float: ['integer', 'bigint', 'float', 'decimal', 'boolean'],
  decimal: ['integer', 'bigint', 'float', 'decimal', 'boolean'],
  string: ['string', 'text', 'integer', 'bigint', 'float', 'decimal', 'boolean', 'date', 'datetime', 'time', 'json', 'unknown'],
  text: ['string', 'text', 'integer', 'bigint', 'float', 'decimal', 'boolean', 'date', 'datetime', 'time', 'json', 'unknown'],
  boolean: ['boolean'],
  date: ['date'],
  datetime: ['date', 'datetime'],
  time: ['time'],
  binary: ['binary'],
  json: ['json', 'string', 'text'],
  unknown: ['integer', 'bigint', 'float', 'decimal', 'string', 'text', 'boolean', 'date', 'datetime', 'time', 'binary', 'json', 'unknown'],
};

export interface ExistingColumn {
  name: string;
  nativeType: string;
  nullable: boolean;
  hasDefault: boolean;
}

/** Why an existing table cannot receive the planned columns; empty when it can. */
export function columnMismatches(dialect: DbDialect, planned: TableMeta, existing: ExistingColumn[]): string[] {
  const out: string[] = [];
  const norm = (s: string): string => (dialect === 'postgres' ? s : s.toLowerCase());
  const byName = new Map(existing.map((c) => [norm(c.name), c]));
  for (const c of planned.columns) {
    const e = byName.get(norm(c.name));
    if (!e) {
      out.push(`column "${c.name}" is missing`);
      continue;
    }
    let st = storageTypeOf(e.nativeType).storageType;
    if (dialect === 'sqlite' && st === 'unknown' && e.nativeType === '') st = 'unknown';
    // MySQL tinyint(1) is its boolean; a boolean source column also fits any integer column.
    if (!accepts[st].includes(c.storageType)) out.push(`column "${c.name}" is ${e.nativeType || 'untyped'} in the destination but ${c.storageType} in the synthetic data`);
  }
  const plannedNames = new Set(planned.columns.map((c) => norm(c.name)));
  for (const e of existing) {
    if (!plannedNames.has(norm(e.name)) && !e.nullable && !e.hasDefault) out.push(`column "${e.name}" is NOT NULL without a default but the synthetic data has no such column`);
  }
  return out;
}

/** Tables in an order where every parent comes before its children (self-references ignored; cycles broken). */
export function parentsFirst(tables: TableMeta[], relationships: Relationship[]): TableMeta[] {
  const names = new Set(tables.map((t) => t.name));
  const parents = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set<string>()]));
  for (const r of relationships) {
    if (r.parentTable !== r.childTable && names.has(r.parentTable) && names.has(r.childTable)) parents.get(r.childTable)?.add(r.parentTable);
  }
  const out: TableMeta[] = [];
  const done = new Set<string>();
  let rest = [...tables];
  while (rest.length) {
    const ready = rest.filter((t) => [...(parents.get(t.name) ?? [])].every((p) => done.has(p)));
    const next = ready.length ? ready : rest.slice(0, 1);
    for (const t of next) {
      out.push(t);
      done.add(t.name);
    }
    rest = rest.filter((t) => !done.has(t.name));
  }
  return out;
}

/** `ALTER TABLE ... ADD FOREIGN KEY` for the relationships of tables created without them (PostgreSQL adds them after the load). */
export function addForeignKeysSql(dialect: DbDialect, qualified: (t: string) => string, relationships: Relationship[], created: Set<string>, planned: Set<string>): string[] {
  const q = (n: string): string => quote(dialect, n);
  return relationships
    .filter((r) => created.has(r.childTable) && planned.has(r.parentTable))
    .map((r) => `ALTER TABLE ${qualified(r.childTable)} ADD FOREIGN KEY (${r.childColumns.map(q).join(', ')}) REFERENCES ${qualified(r.parentTable)} (${r.parentColumns.map(q).join(', ')})`);
}
