import type { DataFacts } from '../../shared/defaults';
import { activeForeignKeys, type SynthesisConfig } from '../../shared/config';
import { relationshipKey, type DatasetMetadata, type Relationship } from '../../shared/metadata';
import type { SourceConnector } from '../sources/connector';
import { checkContainment } from './infer-keys';

/**
 * Facts about the data the validations need: row counts of every included table and, for each
 * synthesized table with a PK, how many rows repeat a key value and how many have a null key part (aggregates in the
 * database, one streamed pass over a file), and for each foreign key drawn by hand, how many of its
 * child values (a sample) have no parent.
 */
export async function computeDataFacts(connector: SourceConnector, config: SynthesisConfig): Promise<DataFacts> {
  const facts: DataFacts = { tables: {} };
  for (const [name, table] of Object.entries(config.tables)) {
    if (table.treatment === 'exclude') continue;
    const pk = table.primaryKey;
    if (table.treatment !== 'synthesize' || pk.length === 0) {
      facts.tables[name] = { rowCount: await connector.countRows(name) };
      continue;
    }
    const k = await connector.keyFacts(name, pk);
    facts.tables[name] = { rowCount: k.rowCount, pkDuplicates: k.duplicates, pkNulls: k.nulls };
  }
  for (const fk of activeForeignKeys(config)) {
    if (fk.origin !== 'user' || fk.childColumns.length !== 1) continue;
    (facts.keys ??= {})[relationshipKey(fk)] = await checkContainment(connector, fk);
  }
  return facts;
}

/**
 * FKs of tables with several foreign keys whose values are empty in some rows (an aggregate per
 * nullable key): `doppel init` does not make such an FK a table's context while another is never
 * empty (see markContexts).
 */
export async function emptyForeignKeys(connector: SourceConnector, metadata: DatasetMetadata): Promise<Relationship[]> {
  const rels = metadata.relationships.filter((r) => r.childTable !== r.parentTable);
  const out: Relationship[] = [];
  for (const fk of rels) {
    if (rels.filter((r) => r.childTable === fk.childTable).length < 2) continue;
    const table = metadata.tables.find((t) => t.name === fk.childTable);
    if (!table || !fk.childColumns.some((c) => table.columns.find((x) => x.name === c)?.nullable ?? true)) continue;
    if ((await connector.keyFacts(fk.childTable, fk.childColumns)).nulls > 0) out.push(fk);
  }
  return out;
}
