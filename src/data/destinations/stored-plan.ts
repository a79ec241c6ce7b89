import { describeRename, nameRules, storedNames, type StoredNames } from '../../shared/stored-names';
import { renameRelationship, type TableMeta } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import type { DbKind } from '../dialects';
import type { DestinationPlan } from './check';

/** A plan with every table and column under the name the database stores it as, and the way back. */
export interface StoredPlan {
  plan: DestinationPlan;
  names: StoredNames;
  /** The synthetic table a stored table holds. */
  logical(stored: string): string;
  /** A batch of a synthetic table with its columns under the stored names. */
  batch(table: string, batch: RowBatch): RowBatch;
  /** Batches of a synthetic table with their columns under the stored names. */
  batches(table: string, source: AsyncIterable<RowBatch>): AsyncIterable<RowBatch>;
  /** The renames as text (empty when every name is kept). */
  summary(): string;
}

export function storedPlan(kind: DbKind, plan: DestinationPlan): StoredPlan {
  const names = storedNames(plan.tables, nameRules[kind]);
  const tab = (t: string): string => names.tables.get(t) ?? t;
  const col = (t: string, c: string): string => names.columns.get(t)?.get(c) ?? c;
  const batch = (table: string, b: RowBatch): RowBatch => ({ columns: b.columns.map((c) => col(table, c)), rows: b.rows });
  const back = new Map([...names.tables].map(([l, s]) => [s, l]));
  const stored: TableMeta[] = plan.tables.map((t) => ({
    ...t,
    name: tab(t.name),
    columns: t.columns.map((c) => ({ ...c, name: col(t.name, c.name) })),
    primaryKey: t.primaryKey.map((c) => col(t.name, c)),
  }));
  return {
    plan: {
      ...plan,
      tables: stored,
      relationships: plan.relationships.map((r) => renameRelationship(r, tab, col)),
    },
    names,
    logical: (s) => back.get(s) ?? s,
    batch,
    batches: async function* (table, source) {
      for await (const b of source) yield batch(table, b);
    },
    summary: () => (names.renames.length ? `Renamed where the destination cannot hold the name: ${names.renames.map(describeRename).join(', ')}.` : ''),
  };
}
