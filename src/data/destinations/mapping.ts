import type { Destination } from '../../shared/config';
import type { DestinationMapping, TypeMapping } from '../../shared/destination-mapping';
import { describeSource } from '../../shared/source';
import { columnType } from './dialect';
import type { DestinationPlan } from './check';
import { destinationSpec } from './check';
import { storedPlan } from './stored-plan';

const norm = (t: string): string => t.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * What a database destination makes of the output before anything is written: the names it stores
 * differently and every column whose type changes (a database of another kind, or a file source
 * whose types were inferred). Null for the local store.
 */
export function destinationMapping(destination: Destination, plan: DestinationPlan): DestinationMapping | null {
  if (destination.kind !== 'database') return null;
  const spec = destinationSpec(destination);
  const stored = storedPlan(spec.kind, plan);
  const types: TypeMapping[] = [];
  let columns = 0;
  for (const t of plan.tables) {
    const keys = new Set([...t.primaryKey, ...plan.relationships.filter((r) => r.childTable === t.name).flatMap((r) => r.childColumns)]);
    for (const c of t.columns) {
      columns++;
      const to = columnType(spec.kind, c, keys.has(c.name)) || '(no declared type)';
      const from = c.nativeType ? c.nativeType : `${c.storageType} (inferred)`;
      if (norm(from) !== norm(to)) types.push({ table: t.name, column: c.name, source: from, destination: to });
    }
  }
  return { target: describeSource(spec), renames: stored.names.renames, types, columns };
}
