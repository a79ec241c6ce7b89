/**
 * Primary keys made of foreign keys (a playlist entry is its playlist and its track; a film's
 * category row is keyed by the film) are unique in the output: a row whose key repeats an earlier
 * one gets another value of the key's lookup FK (a referenced row not yet used with the same
 * rest of the key), else is left out. A key made only of lookup FKs repeats across family chunks
 * too (its values are the original tables' keys, not numbered per chunk): its keys stay in
 * `across` from chunk to chunk, as 53-bit hashes, so they are unique over the whole output in
 * memory bounded by the lookup tables' combinations (a hash collision only costs a redraw).
 */
import type { SynthesisConfig } from '../../../shared/config';
import type { CellValue, RowBatch } from '../../../shared/values';
import type { Rng } from '../rng';
import { keyOf } from './links';
import type { GenerationPlan } from './plan';
import { keyHash } from '../../../data/sources/distinct-check';

/** The keys already generated, per table whose primary key is made of lookup FKs only, from chunk to chunk. */
export type KeysAcross = Record<string, Set<number>>;

/** Attempts at another lookup value before a repeated row is left out. */
const ATTEMPTS = 30;

/** Number of rows left out per table. */
export function uniqueKeys(
  config: SynthesisConfig,
  plan: GenerationPlan,
  out: Record<string, RowBatch>,
  originals: Record<string, RowBatch>,
  rng: Rng,
  across: KeysAcross = {},
): Record<string, number> {
  const dropped: Record<string, number> = {};
  for (const t of plan.order) {
    const pk = config.tables[t]!.primaryKey;
    const tp = plan.tables[t]!;
    const fkCols = new Set([tp.context, ...tp.assigned, ...tp.lookups].flatMap((fk) => (fk ? fk.childColumns : [])));
    if (pk.length === 0 || !pk.some((c) => fkCols.has(c))) continue;
    const batch = out[t]!;
    const idx = pk.map((c) => batch.columns.indexOf(c));
    if (idx.some((i) => i < 0)) continue;
    // A lookup FK inside the key can be drawn again from its table's keys.
    const redraw = tp.lookups
      .filter((fk) => fk.childColumns.length === 1 && pk.includes(fk.childColumns[0]!))
      .map((fk) => {
        const parent = originals[fk.parentTable];
        const pi = parent ? parent.columns.indexOf(fk.parentColumns[0]!) : -1;
        return { col: batch.columns.indexOf(fk.childColumns[0]!), values: parent && pi >= 0 ? parent.rows.map((r) => r[pi] ?? null) : [] };
      })
      .filter((r) => r.col >= 0 && r.values.length > 0);
    const lookupCols = new Set(tp.lookups.flatMap((fk) => fk.childColumns));
    const seen: Set<string | number> = pk.every((c) => lookupCols.has(c)) ? (across[t] ??= new Set<number>()) : new Set<string>();
    const text = (r: CellValue[]): string => idx.map((i) => keyOf(r[i]) ?? '\u0000').join('\u0001');
    const key = seen === across[t] ? (r: CellValue[]): string | number => keyHash(text(r)) : text;
    /** Keeps the row's key when no earlier row has it. */
    const fresh = (r: CellValue[]): boolean => {
      const k = key(r);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    };
    const kept = batch.rows.filter((r) => {
      if (fresh(r)) return true;
      for (const rd of redraw) {
        for (let k = 0; k < ATTEMPTS; k++) {
          r[rd.col] = rd.values[rng.int(rd.values.length)] ?? null;
          if (fresh(r)) return true;
        }
      }
      return false;
    });
    if (kept.length < batch.rows.length) dropped[t] = batch.rows.length - kept.length;
    out[t] = { columns: batch.columns, rows: kept };
  }
  return dropped;
}
