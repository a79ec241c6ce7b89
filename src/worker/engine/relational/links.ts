/**
 * Key lookups between tables: which parent row each child row references, ancestor chains,
 * and the training sample of whole subtrees (root rows with all their descendants).
 */
import { linkKey, type Row, type RowBatch } from '../../../shared/values';
import type { SynthesisConfig } from '../../../shared/config';
import type { EffectiveTable } from '../../../shared/effective-settings';
import { splitIndexes } from '../holdout';
import type { Relationship } from '../../../shared/metadata';
import { buildPlan, type GenerationPlan } from './plan';

/** A key cell as the links match it (one home: `linkKey`). */
export const keyOf = linkKey;

/** For each child row, the index of the parent row its FK value points at (-1 when null or dangling). */
export function resolveLinks(child: RowBatch, childColumn: string, parent: RowBatch, parentColumn: string): Int32Array {
  const pi = parent.columns.indexOf(parentColumn);
  const ci = child.columns.indexOf(childColumn);
  const map = new Map<string, number>();
  parent.rows.forEach((r, i) => {
    const k = keyOf(r[pi]);
    if (k !== null) map.set(k, i);
  });
  return Int32Array.from(child.rows, (r) => {
    const k = ci < 0 ? null : keyOf(r[ci]);
    return k === null ? -1 : (map.get(k) ?? -1);
  });
}

/** resolveLinks for a key of one or more columns (a row with any key column empty points at none). */
export function resolveKeys(child: RowBatch, childColumns: string[], parent: RowBatch, parentColumns: string[]): Int32Array {
  if (childColumns.length === 1) return resolveLinks(child, childColumns[0]!, parent, parentColumns[0]!);
  const tuple = (r: Row, idx: number[]): string | null => {
    const ks = idx.map((i) => (i < 0 ? null : keyOf(r[i])));
    return ks.some((k) => k === null) ? null : ks.join('\u0001');
  };
  const pi = parentColumns.map((c) => parent.columns.indexOf(c));
  const ci = childColumns.map((c) => child.columns.indexOf(c));
  const map = new Map<string, number>();
  parent.rows.forEach((r, i) => {
    const k = tuple(r, pi);
    if (k !== null) map.set(k, i);
  });
  return Int32Array.from(child.rows, (r) => {
    const k = tuple(r, ci);
    return k === null ? -1 : (map.get(k) ?? -1);
  });
}

/** Ancestor row indexes per table: anc[T][A][r] = the row of A that row r of T descends from. */
export type Ancestors = Record<string, Record<string, Int32Array>>;

export function ancestorsOf(plan: GenerationPlan, parentIdx: Record<string, Int32Array>): Ancestors {
  const anc: Ancestors = {};
  for (const t of plan.order) {
    const ctx = plan.tables[t]!.context;
    anc[t] = {};
    if (!ctx) continue;
    const link = parentIdx[t]!;
    anc[t][ctx.parentTable] = link;
    for (const [a, up] of Object.entries(anc[ctx.parentTable] ?? {})) anc[t][a] = Int32Array.from(link, (p) => (p < 0 ? -1 : up[p]!));
  }
  return anc;
}

/**
 * Real training rows: every row of each table whose context parent is kept. With a row limit,
 * each root's rows are sampled and their descendants follow, so parents and children stay consistent.
 * With a holdout, that share of the rows of the first table of each root's tree (in generation
 * order) with at least `holdoutMinRows` rows (the root, or a table below a small root such as berka's 77 districts)
 * is set aside with their whole subtrees for the report (privacy distances and ML utility
 * against rows the model never saw). Below the root, held-out rows still count as children of
 * their parent (`heldParentIdx`): the parent's learned child count stays the real one, so the
 * output keeps the source's size.
 */
export function trainingSubtrees(
  plan: GenerationPlan,
  tables: Record<string, RowBatch>,
  opts: { caps?: Record<string, Pick<EffectiveTable, 'maxTrainingRows' | 'sample'>>; seed: number; holdoutFraction?: number; holdoutMinRows?: number },
): {
  rows: Record<string, RowBatch>;
  parentIdx: Record<string, Int32Array>;
  heldParentIdx: Record<string, Int32Array>;
  dropped: Record<string, number>;
  holdout: Record<string, RowBatch>;
} {
  const rows: Record<string, RowBatch> = {};
  const parentIdx: Record<string, Int32Array> = {};
  const heldParentIdx: Record<string, Int32Array> = {};
  const dropped: Record<string, number> = {};
  const holdout: Record<string, RowBatch> = {};
  // Per root, the first table of its tree in generation order that is large enough.
  const holdTables = new Set<string>();
  if (opts.holdoutFraction) {
    for (const r of plan.roots) {
      const t = plan.order.find((x) => plan.tables[x]!.root === r && tables[x]!.rows.length >= (opts.holdoutMinRows ?? 0));
      if (t) holdTables.add(t);
    }
  }
  for (const t of plan.order) {
    const holdHereTable = holdTables.has(t);
    const batch = tables[t]!;
    const ctx = plan.tables[t]!.context;
    if (!ctx) {
      const split = splitIndexes(batch.rows.length, { holdoutFraction: holdHereTable ? opts.holdoutFraction! : 0, seed: opts.seed, cap: opts.caps?.[t] });
      rows[t] = { columns: batch.columns, rows: split.train.map((i) => batch.rows[i] as Row) };
      holdout[t] = { columns: batch.columns, rows: split.held.map((i) => batch.rows[i] as Row) };
      continue;
    }
    const links = resolveLinks(batch, ctx.childColumns[0]!, rows[ctx.parentTable]!, ctx.parentColumns[0]!);
    const heldParent = holdout[ctx.parentTable]!;
    const heldLinks = heldParent.rows.length ? resolveLinks(batch, ctx.childColumns[0]!, heldParent, ctx.parentColumns[0]!) : null;
    const kept: Row[] = [];
    const held: Row[] = [];
    const link: number[] = [];
    // The held-out share of the first table large enough (below a small root), chosen among the rows under kept parents.
    const holdHere = new Set<number>();
    if (holdHereTable) {
      const candidates = Array.from(links.keys()).filter((i) => links[i]! >= 0);
      for (const k of splitIndexes(candidates.length, { holdoutFraction: opts.holdoutFraction!, seed: opts.seed }).held) holdHere.add(candidates[k]!);
    }
    const heldLink: number[] = [];
    links.forEach((p, i) => {
      if (p < 0) {
        if (heldLinks && heldLinks[i]! >= 0) held.push(batch.rows[i] as Row);
        return;
      }
      if (holdHere.has(i)) {
        held.push(batch.rows[i] as Row);
        heldLink.push(p);
        return;
      }
      kept.push(batch.rows[i] as Row);
      link.push(p);
    });
    if (heldLink.length) heldParentIdx[t] = Int32Array.from(heldLink);
    // Rows left out by the row limit are not "dropped": only empty or dangling references are.
    let dangling = 0;
    for (const p of resolveLinks(batch, ctx.childColumns[0]!, tables[ctx.parentTable]!, ctx.parentColumns[0]!)) if (p < 0) dangling++;
    dropped[t] = dangling;
    rows[t] = { columns: batch.columns, rows: kept };
    holdout[t] = { columns: batch.columns, rows: held };
    parentIdx[t] = Int32Array.from(link);
  }
  return { rows, parentIdx, heldParentIdx, dropped, holdout };
}

/**
 * How much child-level structure a parent carries along an FK: its mean number of children per
 * row (as `doppel init` ranks them from the row counts), the variance of those counts breaking ties.
 */
function childStructure(tables: Record<string, RowBatch>, fk: Relationship): number {
  const child = tables[fk.childTable];
  const parent = tables[fk.parentTable];
  if (!child || !parent || parent.rows.length === 0) return 0;
  const counts = new Float64Array(parent.rows.length);
  for (const p of resolveLinks(child, fk.childColumns[0]!, parent, fk.parentColumns[0]!)) if (p >= 0) counts[p]! += 1;
  let mean = 0;
  for (const c of counts) mean += c / counts.length;
  let v = 0;
  for (const c of counts) v += (c - mean) ** 2 / counts.length;
  return mean + 1e-6 * v;
}

/** The generation plan with hints from the real data (empty FK values, children per parent). */
export function planFromData(config: SynthesisConfig, tables: Record<string, RowBatch>): GenerationPlan | null {
  return buildPlan(config, {
    contextScore: (fk) => childStructure(tables, fk),
    hasNulls: (fk) => {
      const child = tables[fk.childTable];
      const i = child ? child.columns.indexOf(fk.childColumns[0]!) : -1;
      return !!child && i >= 0 && child.rows.some((r) => keyOf(r[i]) === null);
    },
  });
}
