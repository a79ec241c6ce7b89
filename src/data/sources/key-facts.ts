import type { RowBatch } from '../../shared/values';
import type { KeyFacts } from './connector';

const keyOf = (r: RowBatch['rows'][number]): string => r.map((v) => (v instanceof Date ? `d${v.getTime()}` : `${typeof v}:${String(v)}`)).join('\u0001');

/** Key facts from one pass over a stream of key columns (files: keys of the rows read are held in a set). */
export async function streamedKeyFacts(stream: AsyncIterable<RowBatch>): Promise<KeyFacts> {
  const seen = new Set<string>();
  const facts: KeyFacts = { rowCount: 0, duplicates: 0, nulls: 0 };
  for await (const b of stream) {
    for (const r of b.rows) {
      facts.rowCount++;
      if (r.some((v) => v === null)) facts.nulls++;
      else {
        const k = keyOf(r);
        if (seen.has(k)) facts.duplicates++;
        else seen.add(k);
      }
    }
  }
  return facts;
}
