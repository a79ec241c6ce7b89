import type { DatasetMetadata, Relationship, TableMeta } from '../../shared/metadata';
import type { CellValue } from '../../shared/values';
import type { KeyContainment } from '../../shared/defaults';
import type { SourceConnector } from '../sources/connector';
import { isIdLikeName } from './infer-types';

/** Share of a child column's values that must exist in the parent key to confirm an inferred FK. */
const MIN_CONTAINMENT = 0.99;

const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function singular(s: string): string {
  if (/ies$/.test(s)) return s.slice(0, -3) + 'y';
  if (/(ss|us)$/.test(s)) return s;
  if (/(x|ch|sh|ses)es$/.test(s)) return s.slice(0, -2);
  return s.endsWith('s') ? s.slice(0, -1) : s;
}

/** Name forms of a table: `patients` -> {patients, patient}. */
function tableForms(table: string): Set<string> {
  const n = norm(table);
  return new Set([n, singular(n)]);
}

/** Picks a primary key among columns that are unique and non-null over the whole table. */
export function choosePrimaryKey(table: TableMeta, unique: string[]): string | undefined {
  if (unique.length === 0) return undefined;
  const forms = tableForms(table.name);
  const score = (c: string): number => {
    const n = norm(c);
    if (n === 'id') return 4;
    if ([...forms].some((f) => n === `${f}id` || n === `${f}key` || n === `${f}uuid`)) return 5;
    if (isIdLikeName(c)) return 2;
    return 0;
  };
  const ranked = unique
    .filter((c) => {
      const col = table.columns.find((x) => x.name === c);
      return col && ['integer', 'bigint', 'string'].includes(col.storageType);
    })
    .map((c) => ({ c, s: score(c) }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s);
  return ranked[0]?.c;
}

/** Does a child column's name point at a parent table's single-column key? */
export function namesMatch(childColumn: string, parent: TableMeta): boolean {
  const pk = parent.primaryKey[0];
  if (!pk || parent.primaryKey.length !== 1) return false;
  const c = norm(childColumn);
  const p = norm(pk);
  const forms = tableForms(parent.name);
  if (c === p && p !== 'id') return true; // account_id -> account.account_id
  const pkIsPlainId = p === 'id' || [...forms].some((f) => p === `${f}id`);
  if (!pkIsPlainId) return false;
  for (const f of forms) {
    if (c === `${f}id` || c === f) return true; // patient_id / PATIENT -> patients.id
  }
  const last = childColumn
    .toLowerCase()
    .split(/[_\s]+|(?<=[a-z])(?=[A-Z])/)
    .filter(Boolean);
  const tail = norm(last[last.length - 1] ?? '');
  const tail2 = norm(last.slice(-2).join(''));
  return forms.has(tail) || [...forms].some((f) => tail2 === `${f}id`); // SECONDARY_PAYER -> payers.Id
}

const cellKey = (v: CellValue): string => (v instanceof Date ? String(v.getTime()) : String(v));

/** A key column's cells; a file's as its text ("007" is not 7), as keys and the foreign keys onto them are loaded. */
async function columnValues(src: SourceConnector, table: string, column: string, limit?: number): Promise<CellValue[]> {
  const out: CellValue[] = [];
  for await (const b of src.readTable(table, { columns: [column], batchSize: 10_000, asText: [column], ...(limit ? { limit } : {}) }))
    for (const r of b.rows) out.push(r[0] ?? null);
  return out;
}

/**
 * Value containment of a single-column foreign key on a sample, as the inferred FKs are checked:
 * the child's first `sampleRows` values against every key of the parent. The parent's keys are
 * streamed past the sample's distinct values (memory follows the sample, not the parent table).
 */
export async function checkContainment(src: SourceConnector, fk: Relationship, sampleRows = 10_000): Promise<KeyContainment> {
  const values = (await columnValues(src, fk.childTable, fk.childColumns[0]!, sampleRows)).filter((v) => v !== null);
  const unmatched = new Set(values.map(cellKey));
  for await (const b of src.readTable(fk.parentTable, { columns: [fk.parentColumns[0]!], batchSize: 10_000, asText: [fk.parentColumns[0]!] }))
    for (const r of b.rows) if (unmatched.size) unmatched.delete(cellKey(r[0] ?? null));
  const missing = values.filter((v) => unmatched.has(cellKey(v)));
  return { sampled: values.length, orphans: missing.length, examples: [...new Set(missing.map(cellKey))].slice(0, 5) };
}

/**
 * Infers PKs (unique, non-null, id-like) and FKs (name match confirmed by value containment over
 * every row, counted where the data is: `SourceConnector.keyContainment`) for sources without
 * declared keys; key columns get sdtype `id`.
 */
export async function inferKeys(src: SourceConnector, meta: DatasetMetadata, uniqueColumnsOf: (table: string) => string[]): Promise<DatasetMetadata> {
  for (const t of meta.tables) {
    if (t.primaryKey.length > 0) continue;
    const pk = choosePrimaryKey(t, uniqueColumnsOf(t.name));
    if (pk) t.primaryKey = [pk];
  }
  // Every candidate (a child column and each parent its name points at) is counted at once, so each parent's keys are read once; a column takes its first contained parent.
  const candidates: Relationship[] = [];
  for (const child of meta.tables) {
    for (const col of child.columns) {
      if (child.primaryKey.length === 1 && child.primaryKey[0] === col.name) continue;
      if (!['integer', 'bigint', 'string'].includes(col.storageType)) continue;
      for (const parent of meta.tables.filter((p) => p.name !== child.name && namesMatch(col.name, p)))
        candidates.push({
          parentTable: parent.name,
          parentColumns: [parent.primaryKey[0]!],
          childTable: child.name,
          childColumns: [col.name],
          origin: 'inferred',
        });
    }
  }
  const counts = await src.keyContainment(candidates);
  const relationships: Relationship[] = [...meta.relationships];
  const linked = new Set<string>();
  candidates.forEach((fk, i) => {
    const { values, orphans } = counts[i]!;
    const column = `${fk.childTable}\u0000${fk.childColumns[0]}`;
    if (linked.has(column) || values === 0 || (values - orphans) / values < MIN_CONTAINMENT) return;
    linked.add(column);
    relationships.push(fk);
  });
  const keyCols = new Set<string>();
  for (const t of meta.tables) for (const c of t.primaryKey) keyCols.add(`${t.name}\u0000${c}`);
  for (const r of relationships) for (const c of r.childColumns) keyCols.add(`${r.childTable}\u0000${c}`);
  for (const t of meta.tables) for (const c of t.columns) if (keyCols.has(`${t.name}\u0000${c.name}`)) c.sdtype = 'id';
  return { tables: meta.tables, relationships };
}
