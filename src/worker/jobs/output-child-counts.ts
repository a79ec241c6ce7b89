/**
 * The links whose children per parent the report cannot count on its sample of the output: the
 * parent or the child table had more rows than the sample holds, so children per parent would be
 * thinned (most parents seen with fewer children than they have). Their histograms are counted
 * over every output row instead (in the local output file).
 */
import type { Relationship } from '../../shared/metadata';
import type { Reservoir } from '../../data/sources/reservoir';

export function thinnedLinks(links: Relationship[], samples: Record<string, Reservoir>, cap: number): Relationship[] {
  const thinned = (table: string): boolean => (samples[table]?.offered ?? 0) > cap;
  return links.filter((fk) => thinned(fk.parentTable) || thinned(fk.childTable));
}
