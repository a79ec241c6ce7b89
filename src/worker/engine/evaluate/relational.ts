/**
 * Relational metrics for one parent → child relationship (SDMetrics' multi-table properties):
 * - Cardinality: KSComplement of the number of children per parent row (parents with 0 children
 *   included), real vs synthetic.
 * - Referential integrity: share of synthetic child rows whose (non-null) foreign key points at
 *   an existing synthetic parent row (1.0 required).
 * - Parent–child pair trends (SDMetrics' Intertable Trends): Column Pair Trends between every
 *   parent column and every child column on the joined rows (child row + its parent row).
 * - Sequence shape (ordered children: a datetime or a step column): KSComplement of the gaps
 *   between consecutive siblings, each parent's children sorted on that column.
 * - Self-references (a manager link): KSComplement of the depth of every row in the forest and of
 *   the fan-out (children per row), and the deepest level, real vs synthetic.
 */
import type { CellValue, Relationship, Row, RowBatch } from '../../../shared';
import { relationshipKey } from '../../../shared';
import {
  childCountHistogram,
  degreesAtQuantiles,
  histogramMean,
  histogramParents,
  type ChildCountHistogram,
  type ForestLevels,
} from '../../../shared/table-stats';
import { categoryKey, columnIndex, datetimeValue, numericValue, type ColumnSpec } from './columns';
import { evaluateQuality, type PairTrendScore } from './quality';
import { quantileSorted, rng, sampleRows } from './sample';
import { ksComplement } from './stats';
import { depthsOf } from '../relational/forest';

export interface RelationalTables {
  /** Rows per table. */
  tables: Record<string, RowBatch>;
}

export interface ChildCountDistribution {
  /** Bucket labels: one per child count ("0", "1", …) or ranges ("0–4", …) for large counts; the last is open ("12+"). */
  labels: string[];
  /** Number of parent rows per bucket. */
  real: number[];
  synthetic: number[];
}

export interface RelationshipResult {
  key: string;
  parentTable: string;
  childTable: string;
  /** KSComplement of children per parent. */
  cardinality: number | null;
  integrity: number | null;
  realIntegrity: number | null;
  childCounts: ChildCountDistribution;
  meanChildren: { real: number; synthetic: number };
  /** Mean of the parent–child pair scores. */
  pairTrends: number | null;
  pairs: PairTrendScore[];
  /** Ordered children: KSComplement of the gaps between consecutive siblings on `column`. */
  sequence: { column: string; gaps: number | null; medianGap: { real: number | null; synthetic: number | null } } | null;
  /** Self-references: how the forests' depths and fan-outs compare (KSComplement), and their deepest levels. */
  forest: { depth: number | null; fanout: number | null; maxDepth: { real: number; synthetic: number } } | null;
}

/** The depths and numbers of children of `size` rows drawn evenly from a forest counted level by level. */
function forestOfLevels(levels: ForestLevels, size: number): { depth: Float64Array; fanout: Float64Array; max: number } {
  const depths: ChildCountHistogram = levels.map((l, d) => [d, l.rows] as [number, number]).filter(([, n]) => n > 0);
  const fanout = new Map<number, number>();
  for (const l of levels) for (const [c, n] of l.children) fanout.set(c, (fanout.get(c) ?? 0) + n);
  return {
    depth: Float64Array.from(degreesAtQuantiles(depths, size)),
    fanout: Float64Array.from(
      degreesAtQuantiles(
        [...fanout].sort((a, b) => a[0] - b[0]),
        size,
      ),
    ),
    max: Math.max(0, ...depths.map(([d]) => d)),
  };
}

/** Depth of every row (its chain of parents; roots 0) and its number of children, along a self-reference. */
function forestShape(l: Linked): { depth: Float64Array; fanout: Float64Array; max: number } {
  const depth = depthsOf(l.parentOf);
  const fanout = new Float64Array(l.parentOf.length);
  l.parentOf.forEach((p, i) => {
    if (p >= 0 && depth[i] === depth[p]! + 1) fanout[p]! += 1;
  });
  return { depth: Float64Array.from(depth), fanout, max: depth.reduce((a, b) => Math.max(a, b), 0) };
}

function keyOf(row: Row, idx: number[]): string | null {
  const parts: string[] = [];
  for (const i of idx) {
    const k = categoryKey(row[i] as CellValue, 'categorical');
    if (k === null) return null;
    parts.push(k);
  }
  return parts.join('\u0001');
}

function indices(batch: RowBatch, cols: string[]): number[] | null {
  const idx = cols.map((c) => columnIndex(batch, c));
  return idx.some((i) => i < 0) ? null : idx;
}

interface Linked {
  counts: Float64Array;
  integrity: number | null;
  /** child row index → parent row index (−1 when orphan or null). */
  parentOf: Int32Array;
}

function link(parent: RowBatch, child: RowBatch, rel: Relationship): Linked | null {
  const pIdx = indices(parent, rel.parentColumns);
  const cIdx = indices(child, rel.childColumns);
  if (!pIdx || !cIdx) return null;
  const rowOf = new Map<string, number>();
  parent.rows.forEach((r, i) => {
    const k = keyOf(r, pIdx);
    if (k !== null && !rowOf.has(k)) rowOf.set(k, i);
  });
  const counts = new Float64Array(parent.rows.length);
  const parentOf = new Int32Array(child.rows.length).fill(-1);
  let withKey = 0;
  let valid = 0;
  child.rows.forEach((r, i) => {
    const k = keyOf(r, cIdx);
    if (k === null) return;
    withKey++;
    const p = rowOf.get(k);
    if (p === undefined) return;
    valid++;
    counts[p]!++;
    parentOf[i] = p;
  });
  return { counts, integrity: withKey ? valid / withKey : null, parentOf };
}

const MAX_BUCKETS = 13;

/** Buckets of children-per-parent counts: single counts when the real maximum is small, else ranges. */
function childCountBuckets(real: ChildCountHistogram, synthetic: ChildCountHistogram): ChildCountDistribution {
  let max = 0;
  for (const [c] of real) if (c > max) max = c;
  const width = max + 1 <= MAX_BUCKETS ? 1 : Math.ceil((max + 1) / (MAX_BUCKETS - 1));
  const buckets = Math.floor(max / width) + 2;
  const labels = Array.from({ length: buckets }, (_, b) => {
    const lo = b * width;
    if (b === buckets - 1) return `${lo}+`;
    return width === 1 ? String(lo) : `${lo}–${lo + width - 1}`;
  });
  const count = (h: ChildCountHistogram): number[] => {
    const out = new Array<number>(buckets).fill(0);
    for (const [c, n] of h) out[Math.min(buckets - 1, Math.floor(c / width))]! += n;
    return out;
  };
  return { labels, real: count(real), synthetic: count(synthetic) };
}

/** Real child counts expanded for the KS comparison: at most this many parents, at evenly spaced quantiles. */
const KS_PARENTS = 100_000;

const PARENT = 'parent.';
const CHILD = 'child.';

/** Child rows joined with their parent rows, columns prefixed `parent.` / `child.`. */
function joined(parent: RowBatch, child: RowBatch, l: Linked, pCols: ColumnSpec[], cCols: ColumnSpec[]): RowBatch {
  const pIdx = pCols.map((c) => columnIndex(parent, c.name));
  const cIdx = cCols.map((c) => columnIndex(child, c.name));
  const rows: Row[] = [];
  child.rows.forEach((r, i) => {
    const p = l.parentOf[i]!;
    if (p < 0) return;
    const pr = parent.rows[p]!;
    rows.push([...pIdx.map((j) => (j < 0 ? null : pr[j]!)), ...cIdx.map((j) => (j < 0 ? null : r[j]!))]);
  });
  return { columns: [...pCols.map((c) => PARENT + c.name), ...cCols.map((c) => CHILD + c.name)], rows };
}

/** Gaps between consecutive children of each parent on the order column (sorted per parent). */
function siblingGaps(child: RowBatch, l: Linked, column: string, datetime: boolean): Float64Array {
  const ci = columnIndex(child, column);
  const byParent = new Map<number, number[]>();
  child.rows.forEach((r, i) => {
    const p = l.parentOf[i]!;
    const v = ci < 0 ? NaN : datetime ? datetimeValue(r[ci]) : numericValue(r[ci]);
    if (p < 0 || !Number.isFinite(v)) return;
    const list = byParent.get(p);
    if (list) list.push(v);
    else byParent.set(p, [v]);
  });
  const gaps: number[] = [];
  for (const list of byParent.values()) {
    list.sort((a, b) => a - b);
    for (let k = 1; k < list.length; k++) gaps.push(list[k]! - list[k - 1]!);
  }
  return Float64Array.from(gaps);
}

function median(a: Float64Array): number | null {
  return a.length ? quantileSorted(Float64Array.from(a).sort(), 0.5) : null;
}

export interface RelationshipInput {
  relationship: Relationship;
  real: RelationalTables;
  synthetic: RelationalTables;
  /** Evaluated (non-key) columns per table. */
  columns: Record<string, ColumnSpec[]>;
  /** The column ordering the children into sequences, when the child table has one (see relational/order.ts). */
  sequenceColumn?: string | null;
  /** Parents per number of children over every row of the real tables (a sampled child table): the real side of the child counts. */
  wholeCounts?: ChildCountHistogram;
  /** A self-reference's forest over every row of the real table (a sampled table): the real side of the depths and fan-outs. */
  wholeForest?: ForestLevels;
  /** Parents per number of children over every row of the synthetic output (an output larger than the rows given): the synthetic side of the child counts. */
  syntheticCounts?: ChildCountHistogram;
  /** Joined rows used for pair trends (default 20,000). */
  maxJoinedRows?: number;
  seed?: number;
}

export function evaluateRelationship(input: RelationshipInput): RelationshipResult | null {
  const rel = input.relationship;
  const rp = input.real.tables[rel.parentTable];
  const rc = input.real.tables[rel.childTable];
  const sp = input.synthetic.tables[rel.parentTable];
  const sc = input.synthetic.tables[rel.childTable];
  if (!rp || !rc || !sp || !sc) return null;
  const real = link(rp, rc, rel);
  const syn = link(sp, sc, rel);
  if (!real || !syn) return null;
  // Children per parent on each side: the whole tables' (the source's, the output's) when counted there, else the rows given.
  const realCounts = input.wholeCounts ?? childCountHistogram(real.counts);
  const synCounts = input.syntheticCounts ?? childCountHistogram(syn.counts);
  const degrees = (whole: ChildCountHistogram | undefined, given: Float64Array): Float64Array =>
    whole ? Float64Array.from(degreesAtQuantiles(whole, Math.min(histogramParents(whole), KS_PARENTS))) : given;
  const cardinality = ksComplement(degrees(input.wholeCounts, real.counts), degrees(input.syntheticCounts, syn.counts));

  const keyCols = new Set([...rel.parentColumns.map((c) => PARENT + c), ...rel.childColumns.map((c) => CHILD + c)]);
  const pCols = (input.columns[rel.parentTable] ?? []).filter((c) => !keyCols.has(PARENT + c.name));
  const cCols = (input.columns[rel.childTable] ?? []).filter((c) => !keyCols.has(CHILD + c.name));
  const random = rng(input.seed ?? 3);
  const maxRows = input.maxJoinedRows ?? 20_000;
  const realJoined = sampleRows(joined(rp, rc, real, pCols, cCols), maxRows, random);
  const synJoined = sampleRows(joined(sp, sc, syn, pCols, cCols), maxRows, random);
  const specs: ColumnSpec[] = [
    ...pCols.map((c) => ({ name: PARENT + c.name, sdtype: c.sdtype })),
    ...cCols.map((c) => ({ name: CHILD + c.name, sdtype: c.sdtype })),
  ];
  const pairs: [string, string][] = [];
  for (const p of pCols) for (const c of cCols) pairs.push([PARENT + p.name, CHILD + c.name]);
  const q = realJoined.rows.length && synJoined.rows.length && pairs.length ? evaluateQuality(realJoined, synJoined, specs, { pairs }) : null;
  const rename = (s: PairTrendScore): PairTrendScore => ({
    ...s,
    column1: `${rel.parentTable}.${s.column1.slice(PARENT.length)}`,
    column2: `${rel.childTable}.${s.column2.slice(CHILD.length)}`,
  });
  let sequence: RelationshipResult['sequence'] = null;
  const seqSpec = input.sequenceColumn ? (input.columns[rel.childTable] ?? []).find((c) => c.name === input.sequenceColumn) : undefined;
  if (seqSpec) {
    const datetime = seqSpec.sdtype === 'datetime';
    const rg = siblingGaps(rc, real, seqSpec.name, datetime);
    const sg = siblingGaps(sc, syn, seqSpec.name, datetime);
    const gaps = rg.length && sg.length ? ksComplement(rg, sg) : NaN;
    sequence = { column: seqSpec.name, gaps: Number.isFinite(gaps) ? gaps : null, medianGap: { real: median(rg), synthetic: median(sg) } };
  }
  let forest: RelationshipResult['forest'] = null;
  if (rel.childTable === rel.parentTable && real.parentOf.length && syn.parentOf.length) {
    const a = input.wholeForest?.length ? forestOfLevels(input.wholeForest, real.parentOf.length) : forestShape(real);
    const b = forestShape(syn);
    const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
    forest = { depth: finite(ksComplement(a.depth, b.depth)), fanout: finite(ksComplement(a.fanout, b.fanout)), maxDepth: { real: a.max, synthetic: b.max } };
  }
  return {
    key: relationshipKey(rel),
    parentTable: rel.parentTable,
    childTable: rel.childTable,
    cardinality: Number.isFinite(cardinality) ? cardinality : null,
    integrity: syn.integrity,
    realIntegrity: real.integrity,
    childCounts: childCountBuckets(realCounts, synCounts),
    meanChildren: { real: histogramMean(realCounts), synthetic: histogramMean(synCounts) },
    pairTrends: q?.columnPairTrends ?? null,
    pairs: q ? q.pairs.map(rename) : [],
    sequence,
    forest,
  };
}
