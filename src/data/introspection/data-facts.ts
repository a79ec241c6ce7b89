import type { DataFacts } from '../../shared/defaults';
import type { SynthesisConfig } from '../../shared/config';
import type { CellValue } from '../../shared/values';
import type { SourceConnector } from '../sources/connector';

const keyOf = (r: CellValue[]): string => r.map((v) => (v instanceof Date ? `d${v.getTime()}` : `${typeof v}:${String(v)}`)).join('\u0001');

/**
 * Facts about the data the validations need: row counts of every included table and, for each
 * synthesized table with a PK, how many rows repeat a key value and how many have a null key part.
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
    const seen = new Set<string>();
    let rowCount = 0;
    let pkDuplicates = 0;
    let pkNulls = 0;
    for await (const b of connector.readTable(name, { columns: pk, batchSize: 20_000 })) {
      for (const r of b.rows) {
        rowCount++;
        if (r.some((v) => v === null)) {
          pkNulls++;
          continue;
        }
        const k = keyOf(r);
        if (seen.has(k)) pkDuplicates++;
        else seen.add(k);
      }
    }
    facts.tables[name] = { rowCount, pkDuplicates, pkNulls };
  }
  return facts;
}
