/**
 * A link chosen by the learned matcher after generation (a non-context FK between synthesized
 * tables, an FK into original data): learned on the real links, it scores (child row, candidate
 * parent row) pairs on the rows' features (matcher.ts), on the parent's columns the child repeats
 * and on those its earlier siblings' parents share (link-features.ts), and matches the children in
 * sibling order, each seeing the parent chosen for the one before, while each parent's number of
 * children follows the target it is given.
 */
import type { Relationship } from '../../../shared/metadata';
import type { RowBatch } from '../../../shared/values';
import type { Rng } from '../rng';
import type { Featurizer } from './context';
import { learnAgreement, linkFeatures, matchInOrder, measureAgreement, type LinkAgreement } from './link-features';
import { keyOf } from './links';
import { fitScorer, scoring, type PairScorer } from './matcher';

export interface LinkModel {
  fk: Relationship;
  nullRate: number;
  /** Real number of children of every real parent row (zeros included). */
  degrees: Int32Array;
  agreement: LinkAgreement;
  scorer: PairScorer;
  child: Featurizer;
  parent: Featurizer;
}

/** What a link learned, without the featurizers (rebuilt from the tables when read back from artifacts). */
export type StoredLink = Omit<LinkModel, 'child' | 'parent'>;

/** One side of a link: its rows, their features and the columns compared. */
export interface LinkSide {
  rows: RowBatch;
  features: Featurizer;
  columns: string[];
}

/**
 * Learns a link on the real rows. `link[i]`: the parent row of child row i (−1: none); `previous[i]`:
 * child row i's previous sibling (−1 for none; null: unordered).
 */
export function learnLink(fk: Relationship, child: LinkSide, parent: LinkSide, link: Int32Array, previous: Int32Array | null, rng: Rng): LinkModel {
  const cis = fk.childColumns.map((c) => child.rows.columns.indexOf(c));
  const nulls = child.rows.rows.filter((r) => cis.every((i) => i < 0 || keyOf(r[i]) === null)).length;
  const degrees = new Int32Array(parent.rows.rows.length);
  for (const p of link) if (p >= 0) degrees[p]! += 1;
  const agreement = learnAgreement(
    child.rows,
    child.columns.filter((c) => !fk.childColumns.includes(c)),
    parent.rows,
    parent.columns.filter((c) => !fk.parentColumns.includes(c)),
    link,
    previous,
    rng,
  );
  // Stable columns may include the key itself (the same row for every sibling).
  const stableKey = learnAgreement(child.rows, [], parent.rows, fk.parentColumns.slice(0, 1), link, previous, rng).stable;
  agreement.stable.push(...stableKey);
  measureAgreement(agreement, child.rows, parent.rows, link, previous);
  const features = linkFeatures(agreement, child.rows, parent.rows, previous, (j) => link[j]!, rng);
  const scorer = fitScorer(
    child.features.encode(child.rows),
    child.features.dim,
    parent.features.encode(parent.rows),
    parent.features.dim,
    link,
    rng,
    features,
  );
  const n = child.rows.rows.length;
  return { fk, nullRate: n ? nulls / n : 0, degrees, agreement, scorer, child: child.features, parent: parent.features };
}

/** Generated child rows that get a parent (the others are empty, at the real rate), in row order. */
export function linkedRows(m: LinkModel, child: RowBatch, parents: number, rng: Rng): number[] {
  const linked: number[] = [];
  child.rows.forEach((_, i) => {
    if (parents > 0 && rng.next() >= m.nullRate) linked.push(i);
  });
  return linked;
}

/**
 * The parent row of each of the `linked` generated child rows (−1 for the others), matched in row
 * order (rows laid out parent by parent, siblings in order; `previous` as in learnLink), each
 * parent taking about `room[p]` children.
 */
export function matchLink(
  m: LinkModel,
  child: RowBatch,
  parent: RowBatch,
  previous: Int32Array | null,
  linked: number[],
  room: Int32Array,
  rng: Rng,
): Int32Array {
  const chosen = new Int32Array(child.rows.length).fill(-1);
  const features = linkFeatures(m.agreement, child, parent, previous, (j) => chosen[j]!, rng);
  const sc = scoring(m.scorer, m.child.encode(child), m.parent.encode(parent), features);
  matchInOrder(linked, (i, exception) => features.candidates(i, exception), m.agreement.share, sc.score, parent.rows.length, room, chosen, rng);
  return chosen;
}

/** The scorer's preference for each parent row alone (for handing out the degrees). */
export function popularity(m: LinkModel, parent: RowBatch): (p: number) => number {
  return scoring(m.scorer, new Float32Array(0), m.parent.encode(parent)).popularity;
}
