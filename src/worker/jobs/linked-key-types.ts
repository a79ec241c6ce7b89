import type { Relationship, TableMeta } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import { convertText } from '../../data/introspection/infer-types';

/** A file column's types guessed from a sample (a text column holds the file's cells as written). */
export const TYPED = new Set(['boolean', 'integer', 'bigint', 'float', 'decimal', 'date', 'datetime']);

/**
 * A file column's type is a guess from a sample: when a later value did not convert to it (a
 * text "Steady" in a column sampled as yes/no), the column is text, so the output can hold it.
 * Returns the columns widened (their cells are then to be read again as the file's text).
 */
export function widenGuessedTypes(meta: TableMeta, batch: RowBatch): string[] {
  return batch.columns.filter((name, i) => {
    const col = meta.columns.find((c) => c.name === name);
    if (!col || !TYPED.has(col.storageType)) return false;
    // (Big integers stay texts of digits on purpose: beyond 2^53 a JS number would round them.)
    const unconverted = (v: unknown): boolean => typeof v === 'string' && !(col.storageType === 'bigint' && /^\s*-?\d+\s*$/.test(v));
    if (!batch.rows.some((r) => unconverted(r[i]))) return false;
    col.storageType = 'string';
    return true;
  });
}

/** Guessed types a file may write one value of in several texts ("7", "007", "7.0", " 7"). */
export const NUMBERS = new Set(['integer', 'bigint', 'float', 'decimal']);

/**
 * The columns of a batch read as the file's text whose guessed type is a number while some cell
 * is not that number's own text ("007" read as 7): as numbers such keys would match "7", as the
 * files' texts (which the key checks compare) they do not.
 */
export function nonCanonicalNumbers(meta: TableMeta, texts: RowBatch): string[] {
  return texts.columns.filter((name, i) => {
    const col = meta.columns.find((c) => c.name === name);
    if (!col || !NUMBERS.has(col.storageType)) return false;
    return texts.rows.some((r) => {
      const s = r[i];
      if (typeof s !== 'string') return false;
      const x = convertText(s, col);
      return typeof x === 'number' && String(x) !== s;
    });
  });
}

/** The key columns of each table joined by the relationships (its primary and foreign key columns on a link). */
export function linkedKeyColumns(relationships: Relationship[], tables: TableMeta[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  const add = (table: string, column: string): void => {
    if (!tables.some((t) => t.name === table && t.columns.some((c) => c.name === column))) return;
    const set = out.get(table) ?? new Set<string>();
    set.add(column);
    out.set(table, set);
  };
  for (const fk of relationships)
    fk.childColumns.forEach((c, i) => {
      add(fk.childTable, c);
      add(fk.parentTable, fk.parentColumns[i]!);
    });
  return new Map([...out].map(([t, s]) => [t, [...s]]));
}

/**
 * A key and the foreign keys onto it hold one representation, so every child finds its parent as
 * the files' texts say: when any column of a linked group (a key and the foreign keys onto it, and
 * on through further links) is text, guessed or widened, every column of the group is text ("007"
 * matches "007", "7" matches "7", never 7 against "007"), and so is every column of a group where
 * some number is written otherwise than as its own text (`writtenOtherwise`, by table: "007" in a
 * column of integers). Marks those columns text in `tables` and returns the ones turned text, by table.
 */
export function textKeyGroups(relationships: Relationship[], tables: TableMeta[], writtenOtherwise: Record<string, string[]> = {}): Record<string, string[]> {
  const id = (table: string, column: string): string => `${table}\u0000${column}`;
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const column = (table: string, name: string): TableMeta['columns'][number] | undefined =>
    tables.find((t) => t.name === table)?.columns.find((c) => c.name === name);
  for (const fk of relationships)
    fk.childColumns.forEach((c, i) => {
      const p = fk.parentColumns[i]!;
      if (!column(fk.childTable, c) || !column(fk.parentTable, p)) return;
      const a = find(id(fk.childTable, c));
      const b = find(id(fk.parentTable, p));
      if (a !== b) parent.set(a, b);
    });
  const members = new Map<string, Array<[string, string]>>();
  for (const key of parent.keys()) {
    const [table, name] = key.split('\u0000') as [string, string];
    const root = find(key);
    members.set(root, [...(members.get(root) ?? []), [table, name]]);
  }
  const turned: Record<string, string[]> = {};
  for (const group of members.values()) {
    if (group.every(([t, c]) => TYPED.has(column(t, c)!.storageType) && !writtenOtherwise[t]?.includes(c))) continue;
    for (const [t, c] of group) {
      const col = column(t, c)!;
      if (!TYPED.has(col.storageType)) continue;
      col.storageType = 'string';
      turned[t] = [...(turned[t] ?? []), c];
    }
  }
  return turned;
}
