import type { DatasetMetadata, TableMeta } from './metadata';
import type { SourceSpec } from './source';
import { withoutSecrets } from './source';
import { synthesisConfigSchema, type ColumnConfig, type SynthesisConfig, type TableConfig } from './config';
import type { SensitiveHit } from './api';

/** Facts read from the data itself that some validations need (PK uniqueness, nulls). */
export interface DataFacts {
  tables: Record<string, { rowCount: number; pkDuplicates?: number; pkNulls?: number }>;
}

/**
 * A complete default SynthesisConfig for a source: every table synthesized, every column
 * included with its inferred sdtype, PKs and FKs as introspected; sensitive columns flagged
 * with their suggested treatment.
 */
export function defaultConfig(metadata: DatasetMetadata, source: SourceSpec, opts: { name?: string; sensitive?: SensitiveHit[] } = {}): SynthesisConfig {
  const tables: Record<string, TableConfig> = {};
  for (const table of metadata.tables) tables[table.name] = defaultTableConfig(table, opts.sensitive ?? []);
  return synthesisConfigSchema.parse({
    name: opts.name ?? 'Synthesis',
    source: withoutSecrets(source),
    tables,
    foreignKeys: metadata.relationships,
  });
}

function defaultTableConfig(table: TableMeta, sensitive: SensitiveHit[]): TableConfig {
  const columns: Record<string, ColumnConfig> = {};
  for (const col of table.columns) {
    const hit = sensitive.find((h) => h.table === table.name && h.column === col.name);
    const column: ColumnConfig = {
      included: true,
      sdtype: col.sdtype,
      sensitive: hit !== undefined,
      treatment: hit ? hit.suggestedTreatment : col.sdtype === 'text' ? 'mock' : 'synthesize',
      options: hit?.mockGenerator ? { mockGenerator: hit.mockGenerator } : {},
    };
    columns[col.name] = column;
  }
  return { treatment: 'synthesize', primaryKey: [...table.primaryKey], columns };
}
