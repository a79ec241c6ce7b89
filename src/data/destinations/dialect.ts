import type { ColumnMeta, Relationship, StorageType, TableMeta } from '../../shared/metadata';
import { dialectOf, type DbKind, type ExistingColumn } from '../dialects';
import { storageTypeOf } from '../dialects/native-types';
import { foreignKeyIndexName, indexedForeignKeys } from './constraints';

export type { ExistingColumn };

export type DbDialect = DbKind;

export function quote(dialect: DbDialect, name: string): string {
  return dialectOf(dialect).quote(name);
}

/** The column type a created table gets in each dialect. */
export function columnType(dialect: DbDialect, c: ColumnMeta, isKey: boolean): string {
  // A column of a database of the same kind gets the source's exact type (precision, scale, length, time zone, unsigned, enums).
  const d = dialectOf(dialect);
  if (c.nativeOf === dialect && c.nativeType && d.keepsNativeType(c.nativeType, isKey)) return c.nativeType;
  return d.columnType(c, isKey);
}

/**
 * `CREATE TABLE` with primary key, its columns typed as the dialect types key columns (primary key
 * and the child columns of `relationships`: a MySQL/MariaDB text key is a varchar), and, unless
 * `foreignKeys` is false (they are added later or not at all), the foreign keys to tables of the
 * plan; with `indexes` where `CREATE TABLE` holds indexes (MySQL/MariaDB), an index on the columns
 * of each of those foreign keys, named as the other databases name theirs (they get
 * `CREATE INDEX` statements instead).
 */
export function createTableSql(
  dialect: DbDialect,
  qualified: (t: string) => string,
  t: TableMeta,
  relationships: Relationship[],
  planned: Set<string>,
  opts: { foreignKeys?: boolean; indexes?: boolean } = {},
): string {
  const q = (n: string): string => quote(dialect, n);
  const keyCols = new Set([...t.primaryKey, ...relationships.filter((r) => r.childTable === t.name).flatMap((r) => r.childColumns)]);
  const declared = opts.foreignKeys === false ? [] : relationships;
  const parts = t.columns.map((c) => {
    const type = columnType(dialect, c, keyCols.has(c.name));
    const notNull = c.nullable === false || t.primaryKey.includes(c.name);
    return `${q(c.name)}${type ? ` ${type}` : ''}${notNull ? ' NOT NULL' : ''}`;
  });
  if (t.primaryKey.length) parts.push(`PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`);
  if (opts.indexes && dialectOf(dialect).inlineIndexes) {
    const own = declared.filter((r) => r.childTable === t.name && planned.has(r.parentTable));
    for (const i of indexedForeignKeys([t], own)) parts.push(`INDEX ${q(foreignKeyIndexName(dialect, i.table, i.columns))} (${i.columns.map(q).join(', ')})`);
  }
  for (const r of declared) {
    if (r.childTable !== t.name || !planned.has(r.parentTable)) continue;
    parts.push(`FOREIGN KEY (${r.childColumns.map(q).join(', ')}) REFERENCES ${qualified(r.parentTable)} (${r.parentColumns.map(q).join(', ')})`);
  }
  return `CREATE TABLE ${qualified(t.name)} (${parts.join(', ')})${dialectOf(dialect).createTableOptions}`;
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

/** Why an existing table cannot receive the planned columns; empty when it can. */
export function columnMismatches(dialect: DbDialect, planned: TableMeta, existing: ExistingColumn[]): string[] {
  const out: string[] = [];
  const norm = (s: string): string => (dialectOf(dialect).caseInsensitiveNames ? s.toLowerCase() : s);
  const byName = new Map(existing.map((c) => [norm(c.name), c]));
  for (const c of planned.columns) {
    const e = byName.get(norm(c.name));
    if (!e) {
      out.push(`column "${c.name}" is missing`);
      continue;
    }
    const st = storageTypeOf(e.nativeType).storageType;
    // MySQL tinyint(1) is its boolean; a boolean source column also fits any integer column.
    if (!accepts[st].includes(c.storageType))
      out.push(`column "${c.name}" is ${e.nativeType || 'untyped'} in the destination but ${c.storageType} in the synthetic data`);
  }
  const plannedNames = new Set(planned.columns.map((c) => norm(c.name)));
  for (const e of existing) {
    if (!plannedNames.has(norm(e.name)) && !e.nullable && !e.hasDefault)
      out.push(`column "${e.name}" is NOT NULL without a default but the synthetic data has no such column`);
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
