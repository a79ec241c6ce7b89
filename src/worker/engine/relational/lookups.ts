/**
 * FKs into original-data tables (a record's class among 2,000 real classes): the key is not a
 * category the table model learns (it would be capped, and rare keys protected like rare
 * values), but chosen after generation by a learned matcher (matcher.ts) among the real rows,
 * conditioned on the referenced row's columns, the child row's own values and the rows chosen for
 * its earlier siblings (link-features.ts); each real row is referenced about as often as in the
 * data. Composite keys stay categories, repaired to existing keys (assign.ts).
 */
import type { SynthesisConfig } from '../../../shared/config';
import type { Relationship } from '../../../shared/metadata';
import type { RowBatch } from '../../../shared/values';
import type { Rng } from '../rng';
import type { Featurizer } from './context';
import { learnAgreement, linkFeatures, matchInOrder, measureAgreement, rawFeaturizer, scaledDegrees, type LinkAgreement } from './link-features';
import { keyOf, resolveLinks } from './links';
import { fitScorer, scoring, type PairScorer } from './matcher';
import type { GenerationPlan } from './plan';

export interface LookupModel {
  fk: Relationship;
  nullRate: number;
  /** Real number of children of every row of the original table. */
  degrees: Int32Array;
  agreement: LinkAgreement;
  scorer: PairScorer;
  child: Featurizer;
  parent: Featurizer;
}

/** Lookups the matcher chooses: single-column FKs into original-data tables. */
export function matchedLookups(plan: GenerationPlan, table: string): Relationship[] {
  return plan.tables[table]!.lookups.filter((fk) => fk.childColumns.length === 1);
}

/** Learns the matcher of a lookup on the real rows (`previous`: each child row's previous sibling, −1 for none). */
export function learnLookup(
  config: SynthesisConfig,
  fk: Relationship,
  child: RowBatch,
  childFeatures: Featurizer,
  childColumns: string[],
  parent: RowBatch,
  previous: Int32Array | null,
  rng: Rng,
): LookupModel {
  const link = resolveLinks(child, fk.childColumns[0]!, parent, fk.parentColumns[0]!);
  const ci = child.columns.indexOf(fk.childColumns[0]!);
  const nulls = child.rows.filter((r) => keyOf(r[ci]) === null).length;
  const degrees = new Int32Array(parent.rows.length);
  for (const p of link) if (p >= 0) degrees[p]! += 1;
  const pt = config.tables[fk.parentTable]!;
  const parentColumns = Object.keys(pt.columns).filter((c) => pt.columns[c]!.included && parent.columns.includes(c));
  const agreement = learnAgreement(
    child,
    childColumns,
    parent,
    parentColumns.filter((c) => !fk.parentColumns.includes(c)),
    link,
    previous,
    rng,
  );
  // Stable columns may include the key itself (the same row for every sibling).
  const stableKey = learnAgreement(child, [], parent, fk.parentColumns, link, previous, rng).stable;
  agreement.stable.push(...stableKey);
  measureAgreement(agreement, child, parent, link, previous);
  const parentFeatures = rawFeaturizer(parent, pt, new Set(fk.parentColumns));
  const features = linkFeatures(agreement, child, parent, previous, (j) => link[j]!, rng);
  const scorer = fitScorer(childFeatures.encode(child), childFeatures.dim, parentFeatures.encode(parent), parentFeatures.dim, link, rng, features);
  return { fk, nullRate: child.rows.length ? nulls / child.rows.length : 0, degrees, agreement, scorer, child: childFeatures, parent: parentFeatures };
}

/** Sets the lookup key of every generated child row (rows laid out parent by parent; `previous` as in learnLookup). */
export function matchLookup(m: LookupModel, child: RowBatch, parent: RowBatch, previous: Int32Array | null, rng: Rng): void {
  const ci = child.columns.indexOf(m.fk.childColumns[0]!);
  const pk = parent.columns.indexOf(m.fk.parentColumns[0]!);
  if (ci < 0 || pk < 0) return;
  const chosen = new Int32Array(child.rows.length).fill(-1);
  const linked: number[] = [];
  child.rows.forEach((r, i) => {
    if (parent.rows.length === 0 || rng.next() < m.nullRate) r[ci] = null;
    else linked.push(i);
  });
  const features = linkFeatures(m.agreement, child, parent, previous, (j) => chosen[j]!, rng);
  const sc = scoring(m.scorer, m.child.encode(child), m.parent.encode(parent), features);
  matchInOrder(
    linked,
    (i, exception) => features.candidates(i, exception),
    m.agreement.share,
    sc.score,
    parent.rows.length,
    scaledDegrees(m.degrees, linked.length, rng),
    chosen,
    rng,
  );
  for (const i of linked) child.rows[i]![ci] = chosen[i]! >= 0 ? (parent.rows[chosen[i]!]![pk] ?? null) : null;
}
