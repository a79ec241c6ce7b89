/**
 * A relational output is generated in family chunks: chunk c holds a seed-determined range of
 * every root's rows with all their descendants, drawn from streams named by the seed and c only
 * (chunk 0 uses the seed itself, so an output of one chunk is what a single pass made). Any run
 * over the chunks, in one process or split into site shards, makes the same rows.
 *
 * Keys regenerated in a chunk are numbered from 0 there; they become the output's keys when
 * shifted by the rows of the chunks before (per table), and every FK into a regenerated key is
 * shifted with its parent table. Integer keys add the shift, prefixed ones add it to their number;
 * UUIDs are drawn from the chunk's streams and kept.
 */
import { activeForeignKeys, type SynthesisConfig } from '../../../shared/config';
import type { CellValue, RowBatch } from '../../../shared/values';
import type { IdSpec } from '../encoders/id';
import type { GenerationPlan } from './plan';
import type { PreparedTable } from '../table-model';

/** Root rows per family chunk (of the largest root; the other roots are cut into as many chunks, alike). */
export const FAMILY_ROOTS = 1024;

/** Number of family chunks of an output with these root sizes. */
export function familyChunkCount(rootRows: Record<string, number>): number {
  return Math.max(1, ...Object.values(rootRows).map((n) => Math.ceil(n / FAMILY_ROOTS)));
}

/** Rows [a, b) of a root of `rows` rows that chunk `chunk` of `count` holds. */
export function rootRange(rows: number, chunk: number, count: number): [number, number] {
  return [Math.floor((chunk * rows) / count), Math.floor(((chunk + 1) * rows) / count)];
}

/** The seed of a family chunk's streams (chunk 0: the seed itself). */
export function chunkSeed(seed: number, chunk: number): number {
  if (chunk === 0) return seed;
  let h = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(chunk, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) | 0;
}

/** A key column shifted with a table's offset: a table's own regenerated key, or an FK into one (shifted with its parent). */
export interface KeyShift {
  column: string;
  /** The table whose offset shifts it. */
  of: string;
  spec: IdSpec;
}

/**
 * The key columns of every synthesized table that take an offset, or the reason keys cannot be
 * numbered per chunk (an FK into a synthesized column that is not regenerated).
 */
export function keyShifts(
  config: SynthesisConfig,
  plan: GenerationPlan,
  prepared: Record<string, PreparedTable>,
): { shifts: Record<string, KeyShift[]> } | { problem: string } {
  const fkColumns = (t: string): Set<string> =>
    new Set(
      activeForeignKeys(config)
        .filter((fk) => fk.childTable === t)
        .flatMap((fk) => fk.childColumns),
    );
  const own: Record<string, Map<string, IdSpec>> = {};
  for (const t of plan.order) {
    const fks = fkColumns(t);
    own[t] = new Map();
    for (const p of prepared[t]!.plans) if (p.role === 'id' && !fks.has(p.name)) own[t].set(p.name, p.spec);
  }
  const shifts: Record<string, KeyShift[]> = {};
  for (const t of plan.order) {
    shifts[t] = [...own[t]!].map(([column, spec]) => ({ column, of: t, spec }));
    const tp = plan.tables[t]!;
    for (const fk of [tp.context, ...tp.assigned, ...tp.selfRefs]) {
      if (!fk) continue;
      const spec = own[fk.parentTable]?.get(fk.parentColumns[0]!);
      if (!spec || fk.childColumns.length !== 1)
        return {
          problem: `"${t}.${fk.childColumns.join(', ')}" references "${fk.parentTable}.${fk.parentColumns.join(', ')}", which is not a regenerated key`,
        };
      shifts[t].push({ column: fk.childColumns[0]!, of: fk.parentTable, spec });
    }
  }
  return { shifts };
}

/**
 * Whether a synthesized table's column is one of the keys `keyShifts` numbers per chunk, said
 * from the configuration alone: a synthesized id or primary-key column (a primary key is
 * regenerated as an id whatever its type: a text code, a number) that is not itself an FK.
 */
export function regeneratedKey(config: SynthesisConfig, table: string, column: string): boolean {
  const t = config.tables[table];
  const c = t?.columns[column];
  if (!t || t.treatment !== 'synthesize' || !c?.included || c.treatment !== 'synthesize') return false;
  if (c.sdtype !== 'id' && !t.primaryKey.includes(column)) return false;
  return !activeForeignKeys(config).some((fk) => fk.childTable === table && fk.childColumns.includes(column));
}

/** A key numbered `by` rows further (UUIDs and empty values unchanged). */
export function shiftId(spec: IdSpec, value: CellValue, by: number): CellValue {
  if (by === 0 || value === null || value === undefined) return value;
  if (spec.format === 'integer') return spec.asString ? String(Number(value) + by) : Number(value) + by;
  if (spec.format === 'prefixed') {
    const n = Number(String(value).slice(spec.prefix.length)) + by;
    return spec.prefix + String(n).padStart(spec.width, '0');
  }
  return value;
}

/** Shifts the keys of a chunk's tables by each table's offset (in place). */
export function shiftKeys(shifts: Record<string, KeyShift[]>, tables: Record<string, RowBatch>, offsets: Record<string, number>): void {
  for (const [t, batch] of Object.entries(tables)) {
    for (const s of shifts[t] ?? []) {
      const by = offsets[s.of] ?? 0;
      const ci = batch.columns.indexOf(s.column);
      if (by === 0 || ci < 0 || s.spec.format === 'uuid') continue;
      for (const r of batch.rows) r[ci] = shiftId(s.spec, r[ci] ?? null, by);
    }
  }
}
