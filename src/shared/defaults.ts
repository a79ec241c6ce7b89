import type { DatasetMetadata, TableMeta } from './metadata';
import { MIN_ROWS_ROOT } from './validation';
import type { SourceSpec } from './source';
import { withoutSecrets } from './source';
import { synthesisConfigSchema, type ColumnConfig, type SynthesisConfig, type TableConfig } from './config';
import type { SensitiveHit } from './api';

/** Facts read from the data itself that some validations need (PK uniqueness, nulls). */
export interface DataFacts {
  tables: Record<string, { rowCount: number; pkDuplicates?: number; pkNulls?: number }>;
}

/**
 * A complete default SynthesisConfig for a source: every table synthesized (except lookup
 * tables too small to learn, kept as original data), every column included with its inferred
 * sdtype, PKs and FKs as introspected; sensitive columns flagged with their suggested treatment.
 */
export function defaultConfig(metadata: DatasetMetadata, source: SourceSpec, opts: { name?: string; sensitive?: SensitiveHit[] } = {}): SynthesisConfig {
  const tables: Record<string, TableConfig> = {};
  for (const table of metadata.tables) {
    tables[table.name] = defaultTableConfig(table, opts.sensitive ?? []);
    if (isSmallLookup(table, metadata)) tables[table.name]!.treatment = 'original';
  }
  return synthesisConfigSchema.parse({
    name: opts.name ?? 'Synthesis',
    source: withoutSecrets(source),
    tables,
    foreignKeys: metadata.relationships,
  });
}

/**
 * A table other tables reference, with no foreign key of its own and too few rows to be learned
 * (e.g. admission types, languages): its rows are codes the data looks up, copied as they are.
 */
export function isSmallLookup(table: TableMeta, metadata: DatasetMetadata): boolean {
  const rels = metadata.relationships.filter((r) => r.childTable !== r.parentTable);
  return table.rowCount > 0 && table.rowCount < MIN_ROWS_ROOT && rels.some((r) => r.parentTable === table.name) && !rels.some((r) => r.childTable === table.name);
}

function defaultTableConfig(table: TableMeta, sensitive: SensitiveHit[]): TableConfig {
  const columns: Record<string, ColumnConfig> = {};
  for (const col of table.columns) {
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
