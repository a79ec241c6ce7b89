import type { SynthesisConfig } from '../../shared/config';
import { includedColumns } from '../../shared/config';
import type { ColumnMeta, DatasetMetadata, TableMeta } from '../../shared/metadata';

/** A precision chosen in the configuration is the number of decimals the downloads write. */
function withPrecision(c: ColumnMeta, precision: number | undefined): ColumnMeta {
  if (precision === undefined || !['float', 'decimal'].includes(c.storageType)) return c;
  return { ...c, form: { ...c.form, decimals: precision } };
}

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
      const columns = t.columns
        .filter((c) => included.has(c.name))
        .map((c) => (guessed && !tc.primaryKey.includes(c.name) ? { ...c, nullable: true } : c))
        .map((c) => withPrecision(c, tc.columns[c.name]?.options.precision));
      return { ...t, columns, primaryKey: tc.primaryKey };
    });
}
