/**
 * The generation plan of a relational synthesis (pure, no Node imports):
 * - the synthesized tables in topological order, every root (a table without a synthesized
 *   parent) before the tables below it;
 * - per child table its context FK (the parent it is generated under, one row of children per
 *   parent row) and its other FKs to synthesized tables (assigned after sampling);
 * - FKs into original-data tables (modelled as categorical values of the referencing column).
 */
import type { SynthesisConfig } from '../../../shared/config';
import { activeForeignKeys } from '../../../shared/config';
import type { Relationship } from '../../../shared/metadata';
export { relationalProblems } from '../../../shared/relational-checks';

export interface TablePlan {
  table: string;
  /** The FK to the parent this table is generated under (null for the root). */
  context: Relationship | null;
  /** Other FKs to synthesized tables (generated earlier in the order). */
  assigned: Relationship[];
  /** FKs into original-data tables: modelled as categorical values, repaired to existing keys. */
  lookups: Relationship[];
  /** Context FKs of the children of this table (their child counts are learned with this table). */
  children: Relationship[];
  /** Depth from its root (root = 0). */
  depth: number;
  /** The root this table is generated under, along context FKs (itself for a root). */
  root: string;
}

export interface GenerationPlan {
  /** Tables generated at their own size (no synthesized parent), in generation order. */
  roots: string[];
  order: string[];
  tables: Record<string, TablePlan>;
}

/** FKs between two different synthesized tables. */
function synthFks(config: SynthesisConfig): Relationship[] {
  const synth = (t: string) => config.tables[t]?.treatment === 'synthesize';
  return activeForeignKeys(config).filter((fk) => fk.childTable !== fk.parentTable && synth(fk.childTable) && synth(fk.parentTable));
}

export interface PlanHints {
  /** Preference among context candidates of equal depth (e.g. the variance of real child counts). */
  contextScore?: (fk: Relationship) => number;
  /** True when the FK has empty values in the data: such an FK is the context only if no other is available (empty-FK rows would have no parent to be generated under). */
  hasNulls?: (fk: Relationship) => boolean;
}

/** The generation plan, or null when the FK graph of synthesized tables has a cycle (validateConfig reports it, with the fix). */
export function buildPlan(config: SynthesisConfig, hints: PlanHints = {}): GenerationPlan | null {
  const names = Object.entries(config.tables)
    .filter(([, t]) => t.treatment === 'synthesize')
    .map(([n]) => n);
  if (names.length === 0) return null;
  const fks = synthFks(config);
  const parentsOf = new Map<string, Relationship[]>(names.map((n) => [n, []]));
  for (const fk of fks) parentsOf.get(fk.childTable)?.push(fk);
  // Kahn's order (stable: config order among ready tables).
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < names.length) {
    const ready = names.find((n) => !placed.has(n) && (parentsOf.get(n) ?? []).every((fk) => placed.has(fk.parentTable)));
    if (!ready) return null;
    order.push(ready);
    placed.add(ready);
  }
  const tables: Record<string, TablePlan> = {};
  const lookupsOf = (t: string) =>
    activeForeignKeys(config).filter((fk) => fk.childTable === t && fk.parentTable !== t && config.tables[fk.parentTable]?.treatment === 'original');
  for (const name of order) {
    const parents = parentsOf.get(name) ?? [];
    // Context: a never-empty FK first, then the deepest parent (most specific); among equals the
    // best score (e.g. the most varied real child counts: a parent with always one child says little).
    const score = (fk: Relationship): number => hints.contextScore?.(fk) ?? 0;
    const nulls = (fk: Relationship): number => (hints.hasNulls?.(fk) ? 1 : 0);
    const ranked = [...parents].sort((a, b) => nulls(a) - nulls(b) || (tables[b.parentTable]?.depth ?? 0) - (tables[a.parentTable]?.depth ?? 0) || score(b) - score(a));
    const context = ranked[0] ?? null;
    const up = context ? tables[context.parentTable] : undefined;
    tables[name] = { table: name, context, assigned: ranked.slice(1), lookups: lookupsOf(name), children: [], depth: up ? up.depth + 1 : 0, root: up ? up.root : name };
    if (context) tables[context.parentTable]?.children.push(context);
  }
  return { roots: order.filter((t) => !tables[t]!.context), order, tables };
}

/** Each table's root (the tree whose sampled root rows its training rows follow). */
export function treesOf(plan: GenerationPlan): Record<string, string> {
  return Object.fromEntries(plan.order.map((t) => [t, plan.tables[t]!.root]));
}
