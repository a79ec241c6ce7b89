import { findTable, relationshipKey, type DatasetMetadata, type Relationship, type TableMeta } from './metadata';
import { findCycle, MIN_ROWS_CHILD, MIN_ROWS_ROOT } from './validation';
import { buildPlan, contextCandidates, metadataHints } from './relational-plan';
import type { SourceSpec } from './source';
import { withoutSecrets } from './source';
import { synthesisConfigSchema, type ColumnConfig, type SynthesisConfig, type TableConfig } from './config';
import type { SensitiveHit } from './api';

/** A foreign key's child values (a sample) checked against every key of its parent. */
export interface KeyContainment {
  /** Non-empty child values read. */
  sampled: number;
  /** How many of them have no parent row with that key. */
  orphans: number;
  /** A few of the values without a parent, as text. */
  examples: string[];
}

/** Facts read from the data itself that some validations need (PK uniqueness, nulls, drawn keys' values). */
export interface DataFacts {
  tables: Record<string, { rowCount: number; pkDuplicates?: number; pkNulls?: number }>;
  /** Drawn foreign keys checked on the data, by relationshipKey. */
  keys?: Record<string, KeyContainment>;
}

/**
 * A complete default SynthesisConfig for a source: every table synthesized (except lookup
 * tables too small to learn, kept as original data, see keptAsOriginal), every column included
 * with its inferred sdtype, PKs and FKs as introspected; sensitive columns flagged with their
 * suggested treatment. Several roots need nothing: each is generated at its own size. Given
 * `emptyKeys` (the FKs whose values are empty in some rows of the data: emptyForeignKeys asks the
 * source), the context FK of each table with several synthesized parents is written in (see
 * markContexts); without, the engine chooses it from the data.
 */
export function defaultConfig(
  metadata: DatasetMetadata,
  source: SourceSpec,
  opts: { name?: string; sensitive?: SensitiveHit[]; emptyKeys?: Relationship[] } = {},
): SynthesisConfig {
  const tables: Record<string, TableConfig> = {};
  for (const table of metadata.tables) tables[table.name] = defaultTableConfig(table, opts.sensitive ?? [], keyColumns(table, metadata));
  for (const name of keptAsOriginal(metadata)) tables[name]!.treatment = 'original';
  for (const name of tooSmallToLearn(metadata, tables)) tables[name]!.treatment = 'exclude';
  const config = synthesisConfigSchema.parse({
    name: opts.name ?? 'Synthesis',
    source: withoutSecrets(source),
    tables,
    foreignKeys: metadata.relationships,
  });
  breakCycles(config, metadata);
  if (opts.emptyKeys) markContexts(config, metadata, opts.emptyKeys);
  return config;
}

/**
 * The context FK of every synthesized table with several synthesized parents, written as
 * `context: true` so that the user sees it (solid on the schema graph) and can switch it: the
 * engine's own choice (relational-plan.ts), a never-empty FK first (rows with an empty context
 * value would have no parent to be generated under), then the most children per parent row.
 */
export function markContexts(config: SynthesisConfig, metadata: DatasetMetadata, emptyKeys: Relationship[]): void {
  const empty = new Set(emptyKeys.map(relationshipKey));
  const plan = buildPlan(config, { ...metadataHints(metadata), hasNulls: (fk) => empty.has(relationshipKey(fk)) });
  if (!plan) return;
  const candidates = contextCandidates(config);
  for (const t of plan.order) {
    const ctx = plan.tables[t]!.context;
    if (!ctx || candidates.filter((fk) => fk.childTable === t).length < 2) continue;
    const key = relationshipKey(ctx);
    for (const fk of config.foreignKeys) if (relationshipKey(fk) === key) fk.context = true;
  }
}

/**
 * Cycles among synthesized tables (a store's manager is a staff member, a staff member works in a
 * store) broken by making one FK of each cycle non-context: its table is generated first and the
 * FK filled once the other table exists. The FK chosen: a nullable one first (the data already
 * lives without it), then the one from the smaller table (the store pointing at its manager).
 * Validation then explains the choice (FK_CYCLE_BROKEN).
 */
export function breakCycles(config: SynthesisConfig, metadata: DatasetMetadata): void {
  const nullable = (fk: Relationship): boolean =>
    fk.childColumns.every((c) => findTable(metadata, fk.childTable)?.columns.find((x) => x.name === c)?.nullable ?? false);
  const rows = (t: string): number => findTable(metadata, t)?.rowCount ?? 0;
  for (let cycle = findCycle(config); cycle; cycle = findCycle(config)) {
    const loop = cycle;
    const links = contextCandidates(config).filter((e) => loop.some((t, i) => i + 1 < loop.length && e.parentTable === t && e.childTable === loop[i + 1]));
    links.sort((a, b) => Number(nullable(b)) - Number(nullable(a)) || rows(a.childTable) - rows(b.childTable));
    const key = relationshipKey(links[0]!);
    const fk = config.foreignKeys.find((f) => relationshipKey(f) === key)!;
    fk.context = false;
  }
}

/**
 * Tables `doppel init` keeps as original data: small lookups, and a referenced table too small to
 * be learned even where it has parents of its own (sakila's 2 stores and 2 staff members), with
 * every table such a table references (copied keys must point at copied rows: the stores'
 * addresses, their cities and countries). Never a table only because it would be another root.
 */
export function keptAsOriginal(metadata: DatasetMetadata): string[] {
  const rels = metadata.relationships.filter((r) => r.childTable !== r.parentTable);
  const original = new Set(metadata.tables.filter((t) => isSmallLookup(t, metadata)).map((t) => t.name));
  const referenced = (t: string): boolean => rels.some((r) => r.parentTable === t);
  for (let changed = true; changed;) {
    changed = false;
    for (const t of metadata.tables) {
      if (original.has(t.name)) continue;
      const hasSynthParent = rels.some((r) => r.childTable === t.name && !original.has(r.parentTable));
      const tooSmall = t.rowCount > 0 && t.rowCount < (hasSynthParent ? MIN_ROWS_CHILD : MIN_ROWS_ROOT);
      const referencedByOriginal = rels.some((r) => r.parentTable === t.name && original.has(r.childTable));
      if ((tooSmall && referenced(t.name)) || referencedByOriginal) {
        original.add(t.name);
        changed = true;
      }
    }
  }
  return metadata.tables.map((t) => t.name).filter((n) => original.has(n));
}

/**
 * Tables `doppel init` leaves out: still set to synthesize after keptAsOriginal, yet too small to
 * be learned, and referenced by no table, so they cannot be kept as original data either
 * (only while another table is left to synthesize) (a
 * 2-row summary view, an 8-row staff sheet no other file points at). The user can include them
 * again in the wizard once they have rows enough, or keep them as original data behind a key.
 */
export function tooSmallToLearn(metadata: DatasetMetadata, tables: Record<string, TableConfig>): string[] {
  const rels = metadata.relationships.filter((r) => r.childTable !== r.parentTable);
  const synthesized = (t: string): boolean => tables[t]?.treatment === 'synthesize';
  const candidates = metadata.tables.filter((t) => synthesized(t.name));
  const small = candidates
    .filter((t) => {
      const hasSynthParent = rels.some((r) => r.childTable === t.name && synthesized(r.parentTable));
      return t.rowCount < (hasSynthParent ? MIN_ROWS_CHILD : MIN_ROWS_ROOT);
    })
    .map((t) => t.name);
  // Where nothing would be left to synthesize, validation's "too few rows" is the better answer.
  return small.length < candidates.length ? small : [];
}

/**
 * A table other tables reference, with no foreign key of its own and too few rows to be learned
 * (e.g. admission types, languages): its rows are codes the data looks up, copied as they are.
 */
export function isSmallLookup(table: TableMeta, metadata: DatasetMetadata): boolean {
  const rels = metadata.relationships.filter((r) => r.childTable !== r.parentTable);
  return (
    table.rowCount > 0 && table.rowCount < MIN_ROWS_ROOT && rels.some((r) => r.parentTable === table.name) && !rels.some((r) => r.childTable === table.name)
  );
}

/** Columns of a declared or inferred primary or foreign key (either end) of a table. */
function keyColumns(table: TableMeta, metadata: DatasetMetadata): Set<string> {
  const keys = new Set(table.primaryKey);
  for (const r of metadata.relationships) {
    if (r.childTable === table.name) r.childColumns.forEach((c) => keys.add(c));
    if (r.parentTable === table.name) r.parentColumns.forEach((c) => keys.add(c));
  }
  return keys;
}

function defaultTableConfig(table: TableMeta, sensitive: SensitiveHit[], keys: Set<string>): TableConfig {
  const columns: Record<string, ColumnConfig> = {};
  for (const col of table.columns) {
    // A key is an id whatever its values look like (text, UUID, zero-padded codes, composite keys):
    // it is generated as keys, never mocked or learned as categories.
    if (keys.has(col.name)) {
      columns[col.name] = {
        included: true,
        sdtype: 'id',
        sensitive: sensitive.some((h) => h.table === table.name && h.column === col.name),
        treatment: 'synthesize',
        options: {},
      };
      continue;
    }
    const hit = sensitive.find((h) => h.table === table.name && h.column === col.name);
    const suggested = hit?.suggestedTreatment ?? 'synthesize';
    const column: ColumnConfig = {
      included: true,
      sdtype: col.sdtype,
      sensitive: hit !== undefined,
      // Free text is mocked, sensitive or not (a near-unique postcode cannot be learned as categories).
      treatment: col.sdtype === 'text' && suggested === 'synthesize' ? 'mock' : suggested,
      options: hit?.mockGenerator ? { mockGenerator: hit.mockGenerator } : {},
    };
    columns[col.name] = column;
  }
  return { treatment: 'synthesize', primaryKey: [...table.primaryKey], columns };
}
