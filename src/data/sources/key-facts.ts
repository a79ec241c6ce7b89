import type { RowBatch } from '../../shared/values';
import type { KeyFacts } from './connector';
import { DistinctCheck } from './distinct-check';

const keyOf = (r: RowBatch['rows'][number]): string => r.map((v) => (v instanceof Date ? `d${v.getTime()}` : `${typeof v}:${String(v)}`)).join('\u0001');

/** Most keys the second pass checks again; past them the count of repeated keys is the Bloom filter's (an upper bound). */
const MAX_SUSPECTS = 65_536;

/**
 * Key facts from streamed passes over the key columns (files), in bounded memory: the keys go
 * through a `DistinctCheck` (exact up to its set size, a fixed Bloom filter past it). A key it
 * says was seen while exact is a repeat for sure; one it says was seen past that may be a new key
 * mistaken for a seen one, so those keys (at most MAX_SUSPECTS) are counted again in a second
 * pass, which makes the count exact: a suspect key whose every row was flagged had its first row
 * mistaken. `read` opens the stream of the key columns (called twice when a second pass is needed).
 */
export async function streamedKeyFacts(read: () => AsyncIterable<RowBatch>): Promise<KeyFacts> {
  const check = new DistinctCheck();
  const facts: KeyFacts = { rowCount: 0, duplicates: 0, nulls: 0 };
  /** Keys flagged past the exact set, with how many of their rows were flagged. */
  const suspects = new Map<string, number>();
  let flagged = 0;
  let overflow = false;
  for await (const b of read()) {
    for (const r of b.rows) {
      facts.rowCount++;
      if (r.some((v) => v === null)) {
        facts.nulls++;
        continue;
      }
      const k = keyOf(r);
      const exactly = check.exactly;
      if (!check.seen(k)) continue;
      flagged++;
      if (exactly || overflow) continue;
      const n = suspects.get(k);
      if (n !== undefined) suspects.set(k, n + 1);
      else if (suspects.size < MAX_SUSPECTS) suspects.set(k, 1);
      else overflow = true;
    }
  }
  facts.duplicates = flagged;
  if (suspects.size === 0 || overflow) return facts;
  const rows = new Map<string, number>();
  for await (const b of read()) {
    for (const r of b.rows) {
      if (r.some((v) => v === null)) continue;
      const k = keyOf(r);
      if (suspects.has(k)) rows.set(k, (rows.get(k) ?? 0) + 1);
    }
  }
  for (const [k, n] of suspects) if (rows.get(k) === n) facts.duplicates--;
  return facts;
}
