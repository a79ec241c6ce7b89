/**
 * FKs that are not the context of a table: assigned after sampling so that they always point at
 * an existing output row, with the real null rate, and — when the real data has that shape — at
 * a row that shares the same ancestor (e.g. a disposition's client in the same district as its
 * account, a transaction's card belonging to its own account). Composite FKs into original-data
 * tables that the lookup matcher does not choose are modelled as categories and repaired to
 * existing keys.
 */
import type { Relationship } from '../../../shared/metadata';
import type { CellValue, RowBatch } from '../../../shared/values';
import { shuffle, type Rng } from '../rng';
import { ancestorsOf, keyOf, resolveLinks, type Ancestors } from './links';
import { drawByScore, matchByDegrees, targetDegrees } from './matcher';
import type { GenerationPlan } from './plan';

export interface Assignment {
  fk: Relationship;
  nullRate: number;
  /** Common ancestor table whose row the child and the referenced row share (null = uniform). */
  anchor: string | null;
  /** Share of real rows where the anchor matched. */
  anchorShare: number;
  /** Each referenced row is referenced at most once in the real data (one-to-one): assigned without replacement. */
  unique: boolean;
  /** Real number of children of every parent row along the FK (zeros included): the degrees the matcher follows. */
  degrees: Int32Array;
}

/**
 * The learned matcher of one assignment on the generated rows (matcher.ts); absent: uniform.
 * `match`: the parent of each of the `linked` child rows (−1: none) with `degrees` children per
 * parent (matched-link.ts); without it, each child draws by score among parents with children left.
 */
export type AssignmentScores = (
  t: string,
  a: Assignment,
) => { score(i: number, p: number): number; popularity(p: number): number; match?(linked: number[], degrees: Int32Array): Int32Array } | null;

/** Tables above `t` along context FKs, nearest first. */
function chain(plan: GenerationPlan, t: string): string[] {
  const out: string[] = [];
  for (let c = plan.tables[t]?.context; c; c = plan.tables[c.parentTable]?.context) out.push(c.parentTable);
  return out;
}

/** Row of table `a` that each row of `t` descends from (identity when a === t). */
function rowAt(anc: Ancestors, t: string, a: string, rows: number): Int32Array {
  if (a === t) return Int32Array.from({ length: rows }, (_, i) => i);
  return anc[t]?.[a] ?? new Int32Array(rows).fill(-1);
}

export function learnAssignments(plan: GenerationPlan, rows: Record<string, RowBatch>, parentIdx: Record<string, Int32Array>): Record<string, Assignment[]> {
  const anc = ancestorsOf(plan, parentIdx);
  const out: Record<string, Assignment[]> = {};
  for (const t of plan.order) {
    out[t] = plan.tables[t]!.assigned.map((fk) => {
      const child = rows[t]!;
      const parent = rows[fk.parentTable]!;
      const ci = child.columns.indexOf(fk.childColumns[0]!);
      const nulls = child.rows.filter((r) => keyOf(r[ci]) === null).length;
      const nullRate = child.rows.length ? nulls / child.rows.length : 0;
      const target = resolveLinks(child, fk.childColumns[0]!, parent, fk.parentColumns[0]!);
      const refs = new Int32Array(parent.rows.length);
      for (const p of target) if (p >= 0) refs[p]! += 1;
      const unique = refs.every((c) => c <= 1);
      const degrees = refs;
      const up = new Set([fk.parentTable, ...chain(plan, fk.parentTable)]);
      const anchor = chain(plan, t).find((a) => up.has(a)) ?? null;
      if (!anchor) return { fk, nullRate, anchor: null, anchorShare: 0, unique, degrees };
      const mine = rowAt(anc, t, anchor, child.rows.length);
      const theirs = rowAt(anc, fk.parentTable, anchor, parent.rows.length);
      let valid = 0;
      let same = 0;
      target.forEach((p, r) => {
        if (p < 0 || mine[r]! < 0) return;
        valid++;
        if (theirs[p] === mine[r]) same++;
      });
      const anchorShare = valid ? same / valid : 0;
      return { fk, nullRate, anchor: anchorShare >= 0.5 ? anchor : null, anchorShare, unique, degrees };
    });
  }
  return out;
}

export function assignForeignKeys(
  plan: GenerationPlan,
  out: Record<string, RowBatch>,
  links: Record<string, Int32Array>,
  assignments: Record<string, Assignment[]>,
  rng: Rng,
  scores: AssignmentScores = () => null,
): void {
  const anc = ancestorsOf(plan, links);
  for (const t of plan.order) {
    const child = out[t]!;
    for (const a of assignments[t] ?? []) {
      const parent = out[a.fk.parentTable]!;
      const pk = parent.columns.indexOf(a.fk.parentColumns[0]!);
      const ci = child.columns.indexOf(a.fk.childColumns[0]!);
      const groups = new Map<number, number[]>();
      const mine = a.anchor ? rowAt(anc, t, a.anchor, child.rows.length) : null;
      if (a.anchor) {
        const theirs = rowAt(anc, a.fk.parentTable, a.anchor, parent.rows.length);
        theirs.forEach((g, p) => {
          const list = groups.get(g);
          if (list) list.push(p);
          else groups.set(g, [p]);
        });
      }
      // One-to-one links: each referenced row is used once while unused ones remain.
      const used = new Uint8Array(parent.rows.length);
      const unused = Array.from({ length: parent.rows.length }, (_, i) => i);
      shuffle(unused, rng);
      let left = parent.rows.length;
      const takeUnused = (): number => {
        while (unused.length && used[unused[unused.length - 1]!]) unused.pop();
        if (unused.length) return unused[unused.length - 1]!;
        // Every row used once: a new round (more children than referenced rows).
        used.fill(0);
        left = parent.rows.length;
        for (let i = 0; i < parent.rows.length; i++) unused.push(i);
        shuffle(unused, rng);
        return unused[unused.length - 1]!;
      };
      const scorer = scores(t, a);
      const pickFrom = (group: number[], i: number): number => {
        if (!a.unique)
          return scorer
            ? drawByScore(group.length > 64 ? Array.from({ length: 64 }, () => group[rng.int(group.length)]!) : group, (p) => scorer.score(i, p), rng)
            : group[rng.int(group.length)]!;
        // Draw among the group's unused rows (swap-remove the used ones met on the way).
        while (group.length) {
          const j = rng.int(group.length);
          const p = group[j]!;
          if (!used[p]) return p;
          group[j] = group[group.length - 1]!;
          group.pop();
        }
        return takeUnused();
      };
      const linked: number[] = [];
      child.rows.forEach((r, i) => {
        if (parent.rows.length === 0 || rng.next() < a.nullRate) r[ci] = null;
        else linked.push(i);
      });
      // No shared ancestor to stay under: each parent's number of children follows the real degrees
      // (one-to-one links too, with the learned matcher: degrees of 0 and 1).
      if (!a.anchor && (!a.unique || scorer?.match) && scorer && linked.length) {
        const degrees = targetDegrees(a.degrees, parent.rows.length, linked.length, scorer.popularity, rng);
        if (scorer.match) {
          const chosen = scorer.match(linked, degrees);
          for (const i of linked) child.rows[i]![ci] = chosen[i]! >= 0 ? (parent.rows[chosen[i]!]![pk] ?? null) : null;
        } else for (const [i, p] of matchByDegrees(linked, degrees, scorer.score, rng)) child.rows[i]![ci] = parent.rows[p]![pk] ?? null;
        continue;
      }
      linked.forEach((i) => {
        const r = child.rows[i]!;
        const group = mine ? groups.get(mine[i]!) : undefined;
        const p = group && group.length && (!a.unique || left > 0) ? pickFrom(group, i) : a.unique ? takeUnused() : rng.int(parent.rows.length);
        if (!used[p]) left--;
        used[p] = 1;
        r[ci] = parent.rows[p]![pk] ?? null;
      });
    }
  }
}

/**
 * A composite lookup the matcher does not choose (modelled as categories: a key sharing a column
 * with an FK to a synthesized table), learned on the training rows: how many training rows
 * reference each row of the original table (as held, by index) and whether the key is ever empty
 * in the data.
 */
export interface LookupPool {
  fk: Relationship;
  counts: Int32Array;
  realEmpty: boolean;
}

/** The tuple of a composite key's values (null when a part is empty). */
function keyTuple(vals: (CellValue | undefined)[]): string | null {
  const ks = vals.map(keyOf);
  return ks.some((k) => k === null) ? null : ks.join('\u0001');
}

/** The pools of the composite lookups the matcher does not choose (`matched`), by child table. */
export function learnLookupPools(
  plan: GenerationPlan,
  originals: Record<string, RowBatch>,
  training: Record<string, RowBatch>,
  matched: (fk: Relationship) => boolean,
): Record<string, LookupPool[]> {
  const out: Record<string, LookupPool[]> = {};
  for (const t of plan.order) {
    out[t] = plan.tables[t]!.lookups.flatMap((fk) => {
      const parent = originals[fk.parentTable];
      if (fk.childColumns.length === 1 || matched(fk) || !parent) return [];
      const pIdx = fk.parentColumns.map((c) => parent.columns.indexOf(c));
      const rowOf = new Map<string, number>();
      parent.rows.forEach((r, p) => {
        const k = keyTuple(pIdx.map((i) => r[i]));
        if (k !== null && !rowOf.has(k)) rowOf.set(k, p);
      });
      const real = training[t]!;
      const rIdx = fk.childColumns.map((c) => real.columns.indexOf(c));
      const counts = new Int32Array(parent.rows.length);
      for (const r of real.rows) {
        const p = rowOf.get(keyTuple(rIdx.map((i) => r[i])) ?? '');
        if (p !== undefined) counts[p]! += 1;
      }
      // Empty values stay empty only when the key has empty values in the data (else they
      // stand for protected rare keys and are redrawn like any other unknown key).
      const realEmpty = real.rows.some((r) => rIdx.every((i) => keyOf(r[i]) === null));
      return [{ fk, counts, realEmpty }];
    });
  }
  return out;
}

/**
 * Composite lookup FK values of the generated rows (`pools`: learnLookupPools) that are not keys
 * of the original table are redrawn from the rows the training rows reference, as often as they
 * do (any row of the table when they reference none).
 */
export function repairLookups(
  plan: GenerationPlan,
  out: Record<string, RowBatch>,
  originals: Record<string, RowBatch>,
  pools: Record<string, LookupPool[]>,
  rng: Rng,
): void {
  for (const t of plan.order) {
    for (const { fk, counts, realEmpty } of pools[t] ?? []) {
      const parent = originals[fk.parentTable];
      if (!parent) continue;
      const pIdx = fk.parentColumns.map((c) => parent.columns.indexOf(c));
      const valid = new Set<string>();
      for (const r of parent.rows) {
        const k = keyTuple(pIdx.map((i) => r[i]));
        if (k !== null) valid.add(k);
      }
      const referenced: number[] = [];
      counts.forEach((c, p) => {
        for (let j = 0; j < c && p < parent.rows.length; j++) referenced.push(p);
      });
      const src = referenced.length ? referenced : Array.from(parent.rows.keys());
      const child = out[t]!;
      const cIdx = fk.childColumns.map((c) => child.columns.indexOf(c));
      for (const r of child.rows) {
        const vals = cIdx.map((i) => r[i]);
        if (realEmpty && vals.every((v) => keyOf(v) === null)) continue;
        const k = keyTuple(vals);
        // A known key keeps its value (e.g. a number decoded as text stays typed as the source).
        if (k !== null && valid.has(k)) continue;
        if (src.length === 0) {
          cIdx.forEach((i) => (r[i] = null));
          continue;
        }
        const pick = parent.rows[src[rng.int(src.length)]!]!;
        cIdx.forEach((i, j) => (r[i] = pick[pIdx[j]!] ?? null));
      }
    }
  }
}
