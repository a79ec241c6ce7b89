/**
 * FKs into original-data tables (a record's class among 2,000 real classes): the key is not a
 * category the table model learns (it would be capped, and rare keys protected like rare
 * values), but chosen after generation by the learned matcher (matched-link.ts) among the real
 * rows, conditioned on the referenced row's columns, the child row's own values and the rows
 * chosen for its earlier siblings; each real row is referenced about as often as in the data.
 * Composite keys too: the matcher chooses a row, and every key column is that row's.
 */
import type { SynthesisConfig } from '../../../shared/config';
import type { Relationship } from '../../../shared/metadata';
import type { RowBatch } from '../../../shared/values';
import type { Rng } from '../rng';
import type { Featurizer } from './context';
import { rawFeaturizer, scaledDegrees } from './link-features';
import { resolveKeys } from './links';
import { learnLink, linkedRows, matchLink, type LinkModel, type LinkSide, type StoredLink } from './matched-link';
import type { GenerationPlan } from './plan';

export type LookupModel = LinkModel;

/**
 * Lookups the matcher chooses: FKs into original-data tables, except a composite key sharing a
 * column with an FK to a synthesized table (that column is the generated parent's key).
 */
export function matchedLookups(plan: GenerationPlan, table: string): Relationship[] {
  const tp = plan.tables[table]!;
  const generated = new Set([tp.context, ...tp.assigned, ...tp.selfRefs].flatMap((fk) => fk?.childColumns ?? []));
  return tp.lookups.filter((fk) => fk.childColumns.length === 1 || !fk.childColumns.some((c) => generated.has(c)));
}

/** The side of a lookup's original table the matcher compares: its rows, their features and columns (key columns left out). */
function parentSide(config: SynthesisConfig, fk: Relationship, parent: RowBatch): LinkSide {
  const pt = config.tables[fk.parentTable]!;
  const columns = Object.keys(pt.columns).filter((c) => pt.columns[c]!.included && parent.columns.includes(c));
  return { rows: parent, features: rawFeaturizer(parent, pt, new Set(fk.parentColumns)), columns };
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
  const link = resolveKeys(child, fk.childColumns, parent, fk.parentColumns);
  return learnLink(fk, { rows: child, features: childFeatures, columns: childColumns }, parentSide(config, fk, parent), link, previous, rng);
}

/**
 * A lookup's matcher read back from a trained run's artifacts: its learned weights and degrees,
 * with the features of the same original rows (`parent`, as the lookup learned on them).
 */
export function restoreLookup(config: SynthesisConfig, stored: StoredLink, childFeatures: Featurizer, parent: RowBatch): LookupModel {
  return { ...stored, child: childFeatures, parent: parentSide(config, stored.fk, parent).features };
}

/** Sets the lookup key of every generated child row (rows laid out parent by parent; `previous` as in learnLookup). */
export function matchLookup(m: LookupModel, child: RowBatch, parent: RowBatch, previous: Int32Array | null, rng: Rng): void {
  const ci = m.fk.childColumns.map((c) => child.columns.indexOf(c));
  const pk = m.fk.parentColumns.map((c) => parent.columns.indexOf(c));
  if (ci.some((i) => i < 0) || pk.some((i) => i < 0)) return;
  const linked = linkedRows(m, child, parent.rows.length, rng);
  const chosen = matchLink(m, child, parent, previous, linked, scaledDegrees(m.degrees, linked.length, rng), rng);
  child.rows.forEach((r, i) => {
    const p = chosen[i]!;
    ci.forEach((c, k) => (r[c] = p >= 0 ? (parent.rows[p]![pk[k]!] ?? null) : null));
  });
}
