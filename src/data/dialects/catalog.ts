import type { Relationship } from '../../shared/metadata';
import type { Catalog, CatalogTable, ExistingColumn, Rec, RelationKind } from './types';

export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Groups (constraint, position)-ordered key rows (`name`, `child_table`, `child_column`, `parent_table`, `parent_column`) into relationships. */
export function groupFks(rows: Rec[]): Relationship[] {
  const byName = new Map<string, Relationship>();
  for (const r of rows) {
    const key = JSON.stringify([str(r.child_table), str(r.name)]);
    let rel = byName.get(key);
    if (!rel) {
      rel = { childTable: str(r.child_table), childColumns: [], parentTable: str(r.parent_table), parentColumns: [], origin: 'declared' };
      byName.set(key, rel);
    }
    rel.childColumns.push(str(r.child_column));
    rel.parentColumns.push(str(r.parent_column));
  }
  return [...byName.values()];
}

/** A catalog from column rows (`table_name`, `kind`, `column_name`, `is_nullable`, `native`) in order, primary-key and foreign-key rows. */
export function assembleCatalog(cols: Rec[], pkRows: Rec[], fkRows: Rec[]): Catalog {
  const tables = new Map<string, CatalogTable>();
  for (const c of cols) {
    const name = str(c.table_name);
    let t = tables.get(name);
    if (!t) {
      t = { name, kind: (str(c.kind) || 'table') as RelationKind, columns: [], primaryKey: [] };
      tables.set(name, t);
    }
    t.columns.push({
      name: str(c.column_name),
      nativeType: str(c.native),
      nullable: str(c.is_nullable).toUpperCase() === 'YES',
      ...(c.portable === false ? { portable: false } : {}),
    });
  }
  for (const k of pkRows) tables.get(str(k.child_table))?.primaryKey.push(str(k.child_column));
  return { tables: [...tables.values()], relationships: groupFks(fkRows).filter((r) => tables.has(r.childTable) && tables.has(r.parentTable)) };
}

export function groupColumns(rows: Array<ExistingColumn & { table: string }>): Map<string, ExistingColumn[]> {
  const out = new Map<string, ExistingColumn[]>();
  for (const { table, ...c } of rows) {
    const list = out.get(table) ?? [];
    list.push(c);
    out.set(table, list);
  }
  return out;
}
