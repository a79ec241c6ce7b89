/**
 * What a matched link (a non-context FK, an FK into original data) must agree with besides the
 * pair trends of the matcher's bilinear term:
 * - equal columns: a child column whose value the referenced row repeats in the data (a record's
 *   grade and its class's grade);
 * - stable columns: a referenced row's column that stays the same across a parent's children in
 *   the data (all of a pupil's classes in one school): the candidate's value against that of the
 *   row chosen for the previous sibling.
 * Both become pair features of the scorer (matcher.ts) and keys of the candidate index, so that a
 * child is matched among the rows that agree with it, in sibling order.
 */
import type { TableConfig } from '../../../shared/config';
import type { RowBatch } from '../../../shared/values';
import { numericValue } from '../evaluate/columns';
import type { Rng } from '../rng';
import type { Featurizer } from './context';
import { keyOf } from './links';
import { drawByScore, type PairFeatures } from './matcher';
import { OpenParents } from './open-parents';

/** Share of real links above which a column counts as equal (or stable), when random pairs agree at most half as often. */
const AGREEMENT = 0.5;
/** Linked pairs examined when looking for equal and stable columns. */
const SAMPLE = 5_000;
/** Candidates taken from the index per child. */
const INDEXED = 48;
/** Parents with children left to take added to the candidates of a child that need not agree (all of them when fewer). */
const RANDOM_OPEN = 64;
/** Score taken off a parent that already has its real number of children. */
const FULL_PENALTY = 1;

/** Parents proposed for a child: `agreeing` when they agree with it on every equal and stable column. */
export interface Candidates {
  parents: number[];
  agreeing: boolean;
}

export interface LinkAgreement {
  equal: { child: string; parent: string }[];
  stable: string[];
  /** Share of real links agreeing on every equal and stable column (the others are the data's exceptions: a pupil changing school). */
  share: number;
}

const same = (a: unknown, b: unknown): boolean => {
  const ka = keyOf(a as never);
  return ka !== null && ka === keyOf(b as never);
};

/** Equal and stable columns of a link in the real data (`previous[i]`: the previous sibling of child row i, −1 for none). */
export function learnAgreement(
  child: RowBatch,
  childColumns: string[],
  parent: RowBatch,
  parentColumns: string[],
  link: Int32Array,
  previous: Int32Array | null,
  rng: Rng,
): LinkAgreement {
  const linked = Array.from(link.keys()).filter((i) => link[i]! >= 0);
  const sample = linked.length > SAMPLE ? Array.from({ length: SAMPLE }, () => linked[rng.int(linked.length)]!) : linked;
  const nP = parent.rows.length;
  const equal: LinkAgreement['equal'] = [];
  if (!sample.length || nP < 2) return { equal, stable: [], share: 1 };
  for (const c of childColumns) {
    const ci = child.columns.indexOf(c);
    for (const p of parentColumns) {
      const pi = parent.columns.indexOf(p);
      if (ci < 0 || pi < 0) continue;
      let real = 0;
      let random = 0;
      for (const i of sample) {
        if (same(child.rows[i]![ci], parent.rows[link[i]!]![pi])) real++;
        if (same(child.rows[i]![ci], parent.rows[rng.int(nP)]![pi])) random++;
      }
      if (real >= AGREEMENT * sample.length && random <= real / 2) equal.push({ child: c, parent: p });
    }
  }
  const stable: string[] = [];
  const withPrev = previous ? sample.filter((i) => previous[i]! >= 0 && link[previous[i]!]! >= 0) : [];
  if (withPrev.length)
    for (const p of parentColumns) {
      const pi = parent.columns.indexOf(p);
      if (pi < 0) continue;
      let real = 0;
      let random = 0;
      for (const i of withPrev) {
        const before = parent.rows[link[previous![i]!]!]![pi];
        if (same(parent.rows[link[i]!]![pi], before)) real++;
        if (same(parent.rows[rng.int(nP)]![pi], before)) random++;
      }
      if (real >= AGREEMENT * withPrev.length && random <= real / 2) stable.push(p);
    }
  return { equal, stable, share: 1 };
}

/** Sets the share of real links agreeing on every equal and stable column of `agreement`. */
export function measureAgreement(agreement: LinkAgreement, child: RowBatch, parent: RowBatch, link: Int32Array, previous: Int32Array | null): void {
  const eq = agreement.equal.map((e) => [child.columns.indexOf(e.child), parent.columns.indexOf(e.parent)] as const);
  const st = agreement.stable.map((c) => parent.columns.indexOf(c));
  let n = 0;
  let all = 0;
  link.forEach((p, i) => {
    if (p < 0) return;
    n++;
    const q = parent.rows[p]!;
    const j = previous ? previous[i]! : -1;
    const b = j >= 0 ? link[j]! : -1;
    if (eq.every(([c, k]) => same(child.rows[i]![c], q[k])) && (b < 0 || st.every((k) => same(q[k], parent.rows[b]![k])))) all++;
  });
  agreement.share = n ? all / n : 1;
}

/**
 * Pair features and candidates of a link over given child and parent rows, with `chosen(j)` the
 * parent row of child row j so far (real links when learning, the matches made so far when
 * generating).
 */
export function linkFeatures(
  agreement: LinkAgreement,
  child: RowBatch,
  parent: RowBatch,
  previous: Int32Array | null,
  chosen: (j: number) => number,
  rng: Rng,
): PairFeatures & { candidates(i: number, exception?: boolean): Candidates } {
  const eqC = agreement.equal.map((e) => child.columns.indexOf(e.child));
  const eqP = agreement.equal.map((e) => parent.columns.indexOf(e.parent));
  const stP = agreement.stable.map((s) => parent.columns.indexOf(s));
  const dim = eqC.length + stP.length;
  const before = (i: number): number => {
    const j = previous ? previous[i]! : -1;
    return j >= 0 ? chosen(j) : -1;
  };
  // Index of the parent rows by the values the child must agree with: all of them, then each alone.
  const indexes = new Map<string, Map<string, number[]>>();
  const indexOf = (cols: number[]): Map<string, number[]> => {
    const name = cols.join(',');
    let idx = indexes.get(name);
    if (!idx) {
      idx = new Map();
      parent.rows.forEach((r, p) => {
        const k = cols.map((c) => keyOf(r[c])).join('\u0001');
        const list = idx!.get(k);
        if (list) list.push(p);
        else idx!.set(k, [p]);
      });
      indexes.set(name, idx);
    }
    return idx;
  };
  const wanted = (i: number): { cols: number[]; values: string[] } => {
    const cols: number[] = [];
    const values: string[] = [];
    eqC.forEach((c, k) => {
      const v = c >= 0 ? keyOf(child.rows[i]![c]) : null;
      if (v !== null && eqP[k]! >= 0) {
        cols.push(eqP[k]!);
        values.push(v);
      }
    });
    const b = before(i);
    if (b >= 0)
      for (const c of stP) {
        const v = c >= 0 ? keyOf(parent.rows[b]![c]) : null;
        if (v !== null) {
          cols.push(c);
          values.push(v);
        }
      }
    return { cols, values };
  };
  const sampleOf = (list: number[], n: number): number[] => (list.length <= n ? [...list] : Array.from({ length: n }, () => list[rng.int(list.length)]!));
  return {
    dim,
    features(i, p, out) {
      const r = child.rows[i]!;
      const q = parent.rows[p]!;
      let k = 0;
      eqC.forEach((c, j) => (out[k++] = c >= 0 && eqP[j]! >= 0 && same(r[c], q[eqP[j]!]) ? 1 : 0));
      const b = before(i);
      for (const c of stP) out[k++] = b >= 0 && c >= 0 && same(q[c], parent.rows[b]![c]) ? 1 : 0;
    },
    candidates(i, exception = false) {
      const { cols, values } = wanted(i);
      const complete = cols.length > 0 && cols.length === eqC.length + stP.length;
      if (complete && !exception) {
        const found = indexOf(cols).get(values.join('\u0001')) ?? [];
        if (found.length) return { parents: sampleOf(found, INDEXED), agreeing: true };
      }
      // An exception, or nothing agrees with all: the rows agreeing with each.
      return { parents: cols.flatMap((c, k) => sampleOf(indexOf([c]).get(values[k]!) ?? [], Math.ceil(INDEXED / cols.length))), agreeing: false };
    },
    hardNegative(i) {
      const c = this.candidates(i).parents;
      return c.length ? c[rng.int(c.length)]! : -1;
    },
  };
}

/**
 * Parents of the given child rows, matched in the order given (siblings in order, so that each
 * sees the parent chosen for the one before), by softmax of the scores. A share `agreeing` of the
 * children (the real one) draw among the rows agreeing with them on every equal and stable
 * column, parents that already have their real number of children (`room`: how many more each
 * should get; null: no target) made less likely; the others draw among rows agreeing on some and
 * rows with children left to take, so each parent's number of children follows `room`.
 */
export function matchInOrder(
  order: number[],
  candidates: (i: number, exception: boolean) => Candidates,
  agreeing: number,
  score: (i: number, p: number) => number,
  parents: number,
  room: Int32Array | null,
  chosen: Int32Array,
  rng: Rng,
): void {
  if (parents === 0) return;
  const openParents = new OpenParents(parents, (p) => !room || room[p]! > 0);
  const open = openParents.list;
  const take = (p: number): void => {
    if (!room || room[p]! <= 0) return;
    room[p]! -= 1;
    if (room[p]! === 0) openParents.close(p);
  };
  for (const i of order) {
    const c = candidates(i, rng.next() >= agreeing);
    let pool = c.parents;
    let penalty = (p: number): number => (room && room[p]! <= 0 ? FULL_PENALTY : 0);
    if (!c.agreeing) {
      const extra =
        open.length === 0
          ? Array.from({ length: Math.min(RANDOM_OPEN, parents) }, () => rng.int(parents))
          : open.length <= RANDOM_OPEN
            ? [...open]
            : Array.from({ length: RANDOM_OPEN }, () => open[rng.int(open.length)]!);
      pool = [...pool.filter((p) => !room || room[p]! > 0 || open.length === 0), ...extra];
      penalty = () => 0;
    }
    if (!pool.length) continue;
    const p = drawByScore(pool, (x) => score(i, x) - penalty(x), rng);
    chosen[i] = p;
    take(p);
  }
}

/** Real per-parent degrees scaled to `children` in all, rounded at random (original-data parents: the same rows as in the data). */
export function scaledDegrees(real: Int32Array, children: number, rng: Rng): Int32Array {
  let total = 0;
  for (const d of real) total += d;
  const scale = total > 0 ? children / total : 0;
  return Int32Array.from(real, (d) => {
    const x = d * scale;
    return Math.floor(x) + (rng.next() < x - Math.floor(x) ? 1 : 0);
  });
}

/** Features of the rows of an original-data table (no model of its own): numbers standardized, categories with few values one-hot. */
export function rawFeaturizer(batch: RowBatch, table: TableConfig, exclude: Set<string>): Featurizer {
  const parts: { ci: number; kind: 'num'; mean: number; sd: number }[] = [];
  const cats: { ci: number; values: Map<string, number> }[] = [];
  for (const [name, c] of Object.entries(table.columns)) {
    const ci = batch.columns.indexOf(name);
    if (ci < 0 || !c.included || exclude.has(name) || table.primaryKey.includes(name)) continue;
    if (c.sdtype === 'numerical') {
      const xs = batch.rows.map((r) => numericValue(r[ci])).filter(Number.isFinite);
      if (!xs.length) continue;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) || 1;
      parts.push({ ci, kind: 'num', mean, sd });
    } else if (c.sdtype === 'categorical' || c.sdtype === 'boolean') {
      const counts = new Map<string, number>();
      for (const r of batch.rows) {
        const k = keyOf(r[ci]);
        if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
      if (top.length > 1) cats.push({ ci, values: new Map(top.map(([k], j) => [k, j])) });
    }
  }
  const dim = parts.length + cats.reduce((a, c) => a + c.values.size, 0);
  return {
    dim,
    encode(rows) {
      const out = new Float32Array(rows.rows.length * dim);
      rows.rows.forEach((r, i) => {
        let k = i * dim;
        for (const p of parts) {
          const x = numericValue(r[p.ci]);
          out[k++] = Number.isFinite(x) ? Math.max(-3, Math.min(3, (x - p.mean) / p.sd)) : 0;
        }
        for (const c of cats) {
          const j = c.values.get(keyOf(r[c.ci]) ?? '');
          if (j !== undefined) out[k + j] = 1;
          k += c.values.size;
        }
      });
      return out;
    },
  };
}
