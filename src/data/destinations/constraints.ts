import { AppError } from '../../shared/errors';
import { DEFAULT_CONSTRAINTS, type ConstraintMode, type Destination } from '../../shared/config';
import type { Relationship, TableMeta } from '../../shared/metadata';
import { nameRules, storedNamesOf } from '../../shared/stored-names';
import { dialectOf, type DbKind as DbDialect } from '../dialects';
import type { Session } from './session';

const quote = (dialect: DbDialect, name: string): string => dialectOf(dialect).quote(name);

/**
 * The destination's foreign keys and the indexes on their columns, on the tables Doppel creates,
 * as the user chose them (`during-load`, `after-load` or `off`), and the integrity check that runs
 * before any write is kept, whichever was chosen.
 */

export function constraintsOf(destination: Extract<Destination, { kind: 'database' }>): ConstraintMode {
  return destination.constraints ?? DEFAULT_CONSTRAINTS;
}

/** Foreign keys whose child is created by this write and whose parent is written by it. */
export function createdForeignKeys(relationships: Relationship[], created: Set<string>, planned: Set<string>): Relationship[] {
  return relationships.filter((r) => created.has(r.childTable) && planned.has(r.parentTable));
}

/** The index of a foreign key's columns: `<table>_<columns>_idx`, fitted to the database's name limit. */
export function foreignKeyIndexName(dialect: DbDialect, table: string, columns: string[]): string {
  const name = `${table}_${columns.join('_')}_idx`;
  return storedNamesOf([name], nameRules[dialect]).get(name) ?? name;
}

/** Foreign keys needing an index of their own: one per column list, none where the primary key starts with those columns. */
export function indexedForeignKeys(tables: TableMeta[], relationships: Relationship[]): Array<{ table: string; columns: string[] }> {
  const pk = new Map(tables.map((t) => [t.name, t.primaryKey]));
  const seen = new Set<string>();
  const out: Array<{ table: string; columns: string[] }> = [];
  for (const r of relationships) {
    const key = pk.get(r.childTable) ?? [];
    if (r.childColumns.every((c, i) => key[i] === c)) continue;
    const id = JSON.stringify([r.childTable, r.childColumns]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ table: r.childTable, columns: r.childColumns });
  }
  return out;
}

/** `CREATE INDEX` for the columns of foreign keys (PostgreSQL, SQLite and MySQL/MariaDB all take this form). */
export function foreignKeyIndexesSql(dialect: DbDialect, qualified: (t: string) => string, tables: TableMeta[], relationships: Relationship[]): string[] {
  const q = (n: string): string => quote(dialect, n);
  return indexedForeignKeys(tables, relationships).map(
    (i) => `CREATE INDEX ${q(foreignKeyIndexName(dialect, i.table, i.columns))} ON ${qualified(i.table)} (${i.columns.map(q).join(', ')})`,
  );
}

/** `ALTER TABLE ... ADD FOREIGN KEY` for the relationships of tables created without them (PostgreSQL adds them after the load). */
export function addForeignKeysSql(
  dialect: DbDialect,
  qualified: (t: string) => string,
  relationships: Relationship[],
  created: Set<string>,
  planned: Set<string>,
): string[] {
  const q = (n: string): string => quote(dialect, n);
  return relationships
    .filter((r) => created.has(r.childTable) && planned.has(r.parentTable))
    .map(
      (r) =>
        `ALTER TABLE ${qualified(r.childTable)} ADD FOREIGN KEY (${r.childColumns.map(q).join(', ')}) REFERENCES ${qualified(r.parentTable)} (${r.parentColumns.map(q).join(', ')})`,
    );
}

/**
 * The foreign keys `fks` of tables already created, with the indexes of their columns: where
 * `CREATE TABLE` holds the indexes (MySQL/MariaDB), one `ALTER TABLE` per child table adding both;
 * elsewhere `CREATE INDEX` statements, then one `ALTER TABLE … ADD FOREIGN KEY` per key where the
 * database has it (SQLite declares foreign keys only with the table).
 */
export function addKeysSql(dialect: DbDialect, qualified: (t: string) => string, tables: TableMeta[], fks: Relationship[], planned: Set<string>): string[] {
  const d = dialectOf(dialect);
  if (!d.inlineIndexes) {
    const made = new Set(tables.map((t) => t.name));
    return [
      ...foreignKeyIndexesSql(dialect, qualified, tables, fks),
      ...(d.alterAddsForeignKeys ? addForeignKeysSql(dialect, qualified, fks, made, planned) : []),
    ];
  }
  const q = (n: string): string => quote(dialect, n);
  return tables.flatMap((t) => {
    const own = fks.filter((r) => r.childTable === t.name && planned.has(r.parentTable));
    if (!own.length) return [];
    const parts = [
      ...indexedForeignKeys([t], own).map((i) => `ADD INDEX ${q(foreignKeyIndexName(dialect, i.table, i.columns))} (${i.columns.map(q).join(', ')})`),
      ...own.map((r) => `ADD FOREIGN KEY (${r.childColumns.map(q).join(', ')}) REFERENCES ${qualified(r.parentTable)} (${r.parentColumns.map(q).join(', ')})`),
    ];
    return [`ALTER TABLE ${qualified(t.name)} ${parts.join(', ')}`];
  });
}

export interface Orphans {
  childTable: string;
  childColumns: string[];
  parentTable: string;
  rows: number;
  examples: string[];
}

/**
 * Child rows whose key has no parent row, per foreign key between tables of the write (a key with
 * a null part refers to nothing and is not checked). Runs on the connection of the write, so rows
 * not yet committed are seen. `qualified` names where each table's rows are.
 */
export async function findOrphans(s: Session, relationships: Relationship[], planned: Set<string>, qualified = s.qualified): Promise<Orphans[]> {
  const q = (n: string): string => quote(s.dialect, n);
  const out: Orphans[] = [];
  for (const r of relationships) {
    if (!planned.has(r.childTable) || !planned.has(r.parentTable)) continue;
    const where = `${r.childColumns.map((c) => `c.${q(c)} is not null`).join(' and ')} and not exists (select 1 from ${qualified(r.parentTable)} p where ${r.parentColumns
      .map((pc, i) => `p.${q(pc)} = c.${q(r.childColumns[i]!)}`)
      .join(' and ')})`;
    const [row] = await s.query(`select count(*) as n from ${qualified(r.childTable)} c where ${where}`);
    const rows = Number(row?.n ?? 0);
    if (rows === 0) continue;
    const sample = await s.query(
      `select ${r.childColumns.map((c, i) => `c.${q(c)} as k${i}`).join(', ')} from ${qualified(r.childTable)} c where ${where} limit 3`,
    );
    out.push({
      childTable: r.childTable,
      childColumns: r.childColumns,
      parentTable: r.parentTable,
      rows,
      examples: sample.map((x) => r.childColumns.map((_, i) => String(x[`k${i}`])).join(', ')),
    });
  }
  return out;
}

/** Throws a clear error when any child row has no parent; `logical` gives the user's names of stored tables. */
export async function checkIntegrity(
  s: Session,
  relationships: Relationship[],
  planned: Set<string>,
  opts: { qualified?: (t: string) => string; logical?: (t: string) => string } = {},
): Promise<void> {
  const found = await findOrphans(s, relationships, planned, opts.qualified ?? s.qualified);
  if (!found.length) return;
  const name = opts.logical ?? ((t: string) => t);
  const text = found.map(
    (o) =>
      `${o.rows} row${o.rows === 1 ? '' : 's'} of "${name(o.childTable)}" (${o.childColumns.join(', ')}) ${o.rows === 1 ? 'has' : 'have'} no parent in "${name(o.parentTable)}" (e.g. ${o.examples.join('; ')})`,
  );
  throw new AppError('DESTINATION_WRITE_FAILED', `The synthetic data breaks its foreign keys: ${text.join('; ')}. Nothing was written.`, {
    fix: 'Check that every parent table of these keys is part of the output (or in the destination), and that the keys are set between the right columns.',
    details: { orphans: found.map((o) => ({ ...o, childTable: name(o.childTable), parentTable: name(o.parentTable) })) },
  });
}
