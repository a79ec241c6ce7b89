/**
 * The generation plan of a relational synthesis (pure; the engine generates by it, the schema
 * graph draws it: context FKs solid, non-context dashed):
 * - the synthesized tables in topological order of their context candidates, every root (a
 *   table without a synthesized parent) before the tables below it;
 * - per child table its context FK (the parent it is generated under, one row of children per
 *   parent row) and its non-context FKs to synthesized tables (matched after generation);
 * - self-references (generated as a forest after the table) and FKs into original-data tables.
 *
 * The context of a table is the FK marked `context: true`, else chosen among the FKs not marked
 * `context: false`: a never-empty FK first, then the deepest parent of one tree (most specific), then the
 * parent with the most child-level structure (the hint's score: the most children per parent row;
 * `doppel init` writes its choice as `context: true`, so the graph and the engine agree). An FK
 * marked `context: false` is never a context, which is how a cycle is broken.
 */
import type { SynthesisConfig } from './config';
import { activeForeignKeys } from './config';
import type { DatasetMetadata, Relationship } from './metadata';

export interface TablePlan {
  table: string;
  /** The FK to the parent this table is generated under (null for the root). */
  context: Relationship | null;
  /** Non-context FKs to synthesized tables: matched to generated parent rows after every table is generated. */
  assigned: Relationship[];
  /** Self-references (an employee's manager): a forest over the table's own generated rows. */
  selfRefs: Relationship[];
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

const synthesized = (config: SynthesisConfig, t: string): boolean => config.tables[t]?.treatment === 'synthesize';

/** FKs between two different synthesized tables. */
export function synthesizedForeignKeys(config: SynthesisConfig): Relationship[] {
  return activeForeignKeys(config).filter(
    (fk) => fk.childTable !== fk.parentTable && synthesized(config, fk.childTable) && synthesized(config, fk.parentTable),
  );
}

/** FKs that can be a table's context (between two synthesized tables, not marked non-context): the edges generation order follows. */
export function contextCandidates(config: SynthesisConfig): Relationship[] {
  return synthesizedForeignKeys(config).filter((fk) => fk.context !== false);
}

export interface PlanHints {
  /** Preference among context candidates of equal depth (e.g. the mean number of children per parent row). */
  contextScore?: (fk: Relationship) => number;
  /** True when the FK has empty values in the data: such an FK is the context only if no other is available (empty-FK rows would have no parent to be generated under). */
  hasNulls?: (fk: Relationship) => boolean;
}

/**
 * Hints from the source's row counts alone (the schema graph): the children per parent row of each
 * FK, as the engine measures them on the data, so that the graph draws the context it will use.
 */
export function metadataHints(metadata: DatasetMetadata): PlanHints {
  const rows = (t: string): number => metadata.tables.find((m) => m.name === t)?.rowCount ?? 0;
  return { contextScore: (fk) => rows(fk.childTable) / Math.max(1, rows(fk.parentTable)) };
}

/** The generation plan, or null when the FK graph of synthesized tables has a cycle (validateConfig reports it, with the fix). */
export function buildPlan(config: SynthesisConfig, hints: PlanHints = {}): GenerationPlan | null {
  const names = Object.entries(config.tables)
    .filter(([, t]) => t.treatment === 'synthesize')
    .map(([n]) => n);
  if (names.length === 0) return null;
  const parentsOf = new Map<string, Relationship[]>(names.map((n) => [n, []]));
  for (const fk of contextCandidates(config)) parentsOf.get(fk.childTable)?.push(fk);
  const nonContext = synthesizedForeignKeys(config).filter((fk) => fk.context === false);
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
  // Each table's active FKs (config order), grouped once: a large schema has hundreds of tables.
  const activeOf = new Map<string, Relationship[]>();
  for (const fk of activeForeignKeys(config)) {
    const list = activeOf.get(fk.childTable);
    if (list) list.push(fk);
    else activeOf.set(fk.childTable, [fk]);
  }
  const lookupsOf = (t: string) => (activeOf.get(t) ?? []).filter((fk) => fk.parentTable !== t && config.tables[fk.parentTable]?.treatment === 'original');
  for (const name of order) {
    const parents = parentsOf.get(name) ?? [];
    // Context: a never-empty FK first, then the deepest parent (most specific); among equals the
    // best score (e.g. the most children per parent: a parent with always one child says little).
    const score = (fk: Relationship): number => hints.contextScore?.(fk) ?? 0;
    const nulls = (fk: Relationship): number => (hints.hasNulls?.(fk) ? 1 : 0);
    const chosen = (fk: Relationship): number => (fk.context === true ? 0 : 1);
    // Depth only between parents of one tree (an encounter under its patient); parents in different trees by their structure.
    const deeper = (a: Relationship, b: Relationship): number =>
      tables[a.parentTable]?.root === tables[b.parentTable]?.root ? (tables[b.parentTable]?.depth ?? 0) - (tables[a.parentTable]?.depth ?? 0) : 0;
    const ranked = [...parents].sort((a, b) => chosen(a) - chosen(b) || nulls(a) - nulls(b) || deeper(a, b) || score(b) - score(a));
    const context = ranked[0] ?? null;
    const up = context ? tables[context.parentTable] : undefined;
    const assigned = [...ranked.slice(1), ...nonContext.filter((fk) => fk.childTable === name)];
    const selfRefs = (activeOf.get(name) ?? []).filter((fk) => fk.parentTable === name);
    tables[name] = {
      table: name,
      context,
      assigned,
      selfRefs,
      lookups: lookupsOf(name),
      children: [],
      depth: up ? up.depth + 1 : 0,
      root: up ? up.root : name,
    };
    if (context) tables[context.parentTable]?.children.push(context);
  }
  return { roots: order.filter((t) => !tables[t]!.context), order, tables };
}
