/**
 * Rare-category protection by entity in child tables. The encoders protect categories seen in
 * fewer than k rows; in a child table one root entity (a customer) has many rows (invoices), so a
 * value unique to one customer (its billing address) would pass a row count. Here a text category
 * must appear for at least k distinct root entities: the others are replaced, before encoding,
 * by a value unique to each row, so the encoder merges them into its protected token and the
 * model never sees them.
 */
import type { SynthesisConfig } from '../../../shared/config';
import { appliedRareThreshold, type EffectiveSettings } from '../../../shared/effective-settings';
import type { Row, RowBatch } from '../../../shared/values';
import { ancestorsOf, keyOf } from './links';
import type { GenerationPlan } from './plan';

const SENTINEL = '\u0000rare-entity\u0000';

/** Training rows of child tables with entity-rare text categories replaced; the columns protected per table. */
export function protectRareByEntity(
  config: SynthesisConfig,
  effective: EffectiveSettings,
  plan: GenerationPlan,
  rows: Record<string, RowBatch>,
  parentIdx: Record<string, Int32Array>,
): { rows: Record<string, RowBatch>; protectedColumns: Record<string, string[]> } {
  const out: Record<string, RowBatch> = { ...rows };
  const protectedColumns: Record<string, string[]> = {};
  const anc = ancestorsOf(plan, parentIdx);
  for (const t of plan.order) {
    const tp = plan.tables[t]!;
    if (!tp.context) continue;
    const batch = rows[t]!;
    const root = anc[t]?.[tp.root];
    if (!root) continue;
    const fkColumns = new Set([tp.context, ...tp.assigned, ...tp.selfRefs, ...tp.lookups].flatMap((fk) => fk.childColumns));
    const tc = config.tables[t]!;
    const replaced: Row[] | null = batch.rows.map((r) => [...r]);
    const cols: string[] = [];
    for (const [name, c] of Object.entries(tc.columns)) {
      if (!c.included || c.treatment !== 'synthesize' || fkColumns.has(name) || tc.primaryKey.includes(name)) continue;
      if (c.sdtype !== 'categorical' && c.sdtype !== 'text') continue;
      const settings = effective.tables[t]?.columns[name];
      const threshold = settings ? appliedRareThreshold(settings) : 1;
      if (threshold <= 1) continue;
      const ci = batch.columns.indexOf(name);
      if (ci < 0) continue;
      const entities = new Map<string, Set<number>>();
      batch.rows.forEach((r, i) => {
        const v = r[ci];
        if (typeof v !== 'string') return;
        const k = keyOf(v);
        if (k === null) return;
        const set = entities.get(k) ?? new Set<number>();
        set.add(root[i]!);
        entities.set(k, set);
      });
      let n = 0;
      replaced.forEach((r, i) => {
        const v = r[ci];
        if (typeof v !== 'string') return;
        const k = keyOf(v);
        if (k === null || (entities.get(k)?.size ?? 0) >= threshold) return;
        r[ci] = `${SENTINEL}${i}`;
        n++;
      });
      if (n > 0) cols.push(name);
    }
    if (cols.length) {
      out[t] = { columns: batch.columns, rows: replaced };
      protectedColumns[t] = cols;
    }
  }
  return { rows: out, protectedColumns };
}
