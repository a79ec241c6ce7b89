import type { SynthesisConfig } from '../../shared/config';
import { includedColumns } from '../../shared/config';
import type { DatasetMetadata, TableMeta } from '../../shared/metadata';

/**
 * The output tables as written: the metadata's tables reduced to the included columns. For file
 * sources "no nulls seen" is a guess from a sample, not a constraint, so only key columns stay NOT NULL.
 */
export function outputTableMetas(config: SynthesisConfig, metadata: DatasetMetadata): TableMeta[] {
  const guessed = config.source.kind === 'files';
  return metadata.tables
    .filter((t) => config.tables[t.name] && config.tables[t.name]!.treatment !== 'exclude')
    .map((t) => {
      const tc = config.tables[t.name]!;
      const included = new Set(includedColumns(tc));
      const columns = t.columns.filter((c) => included.has(c.name)).map((c) => (guessed && !tc.primaryKey.includes(c.name) ? { ...c, nullable: true } : c));
      return { ...t, columns, primaryKey: tc.primaryKey };
    });
}
