export interface ResultTable {
  name: string;
  rows: number;
  /** Copied as is from the source (a lookup table), not synthesized. */
  original: boolean;
}

/**
 * Table treatments ("synthesize" / "original" / "exclude") read from a SynthesisConfig-shaped
 * value (an audit payload's `config`, or a saved synthesis); empty when it has none.
 */
export function treatmentsOf(config: unknown): Record<string, string> {
  const tables = config !== null && typeof config === 'object' && 'tables' in config ? config.tables : null;
  if (tables === null || typeof tables !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [name, t] of Object.entries(tables)) {
    if (t !== null && typeof t === 'object' && 'treatment' in t && typeof t.treatment === 'string') out[name] = t.treatment;
  }
  return out;
}

/** The output tables with the synthesized ones first, then the original-data ones; each group keeps its order. */
export function orderResultTables(tables: { name: string; rows: number }[], treatments: Record<string, string>): ResultTable[] {
  const marked = tables.map((t) => ({ ...t, original: treatments[t.name] === 'original' }));
  return [...marked.filter((t) => !t.original), ...marked.filter((t) => t.original)];
}
