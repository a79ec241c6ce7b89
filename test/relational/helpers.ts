/** Loading a dataset through the source connectors and a relational config for it (tests and bench). */
import type { SynthesisConfig } from '../../src/shared/config';
import { defaultConfig } from '../../src/shared/defaults';
import type { DatasetMetadata } from '../../src/shared/metadata';
import type { SourceSpec } from '../../src/shared/source';
import type { Row, RowBatch } from '../../src/shared/values';
import { openSource } from '../../src/data/sources/connector';
import { disposeRelational, fitRelational, prepareRelational, synthesizeRelational } from '../../src/worker/engine/relational/synthesize';

export { datasetsDir as datasets } from '../helpers/datasets';

export async function loadDataset(
  spec: SourceSpec,
  tables?: string[],
): Promise<{ metadata: DatasetMetadata; tables: Record<string, RowBatch>; config: SynthesisConfig }> {
  const src = await openSource(spec);
  try {
    const metadata = await src.introspect();
    const out: Record<string, RowBatch> = {};
    for (const t of metadata.tables) {
      if (tables && !tables.includes(t.name)) continue;
      const rows: Row[] = [];
      let columns: string[] = [];
      for await (const b of src.readTable(t.name)) {
        columns = b.columns;
        for (const r of b.rows) rows.push(r);
      }
      out[t.name] = { columns, rows };
    }
    const config = defaultConfig(metadata, spec);
    return { metadata, tables: out, config };
  } finally {
    await src.close();
  }
}

/** Runs the whole relational synthesis and keeps the output in memory. */
export async function synthesizeInMemory(
  input: { config: SynthesisConfig; metadata: DatasetMetadata; tables: Record<string, RowBatch> },
  opts: { rootRows?: Record<string, number> } = {},
): Promise<Record<string, RowBatch>> {
  const prepared = prepareRelational(input);
  const model = await fitRelational(prepared);
  const out: Record<string, RowBatch> = {};
  try {
    await synthesizeRelational(model, {
      rootRows: opts.rootRows,
      sink: async (t, b) => {
        const dst = (out[t] ??= { columns: b.columns, rows: [] });
        for (const r of b.rows) dst.rows.push(r);
      },
    });
  } finally {
    disposeRelational(model);
  }
  return out;
}

const keyText = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/** Share of non-null FK values that exist among the parent's keys (1 = referential integrity). */
export function integrity(
  tables: Record<string, RowBatch>,
  fk: { childTable: string; childColumns: string[]; parentTable: string; parentColumns: string[] },
): number {
  const child = tables[fk.childTable]!;
  const parent = tables[fk.parentTable]!;
  const pi = parent.columns.indexOf(fk.parentColumns[0]!);
  const ci = child.columns.indexOf(fk.childColumns[0]!);
  const keys = new Set(parent.rows.map((r) => keyText(r[pi])));
  const vals = child.rows.map((r) => keyText(r[ci])).filter((v) => v !== null);
  return vals.length ? vals.filter((v) => keys.has(v)).length / vals.length : 1;
}

/** Number of children of every parent row along an FK (0 included). */
export function childCounts(
  tables: Record<string, RowBatch>,
  fk: { childTable: string; childColumns: string[]; parentTable: string; parentColumns: string[] },
): number[] {
  const child = tables[fk.childTable]!;
  const parent = tables[fk.parentTable]!;
  const pi = parent.columns.indexOf(fk.parentColumns[0]!);
  const ci = child.columns.indexOf(fk.childColumns[0]!);
  const n = new Map<string, number>();
  for (const r of child.rows) {
    const k = keyText(r[ci]);
    if (k !== null) n.set(k, (n.get(k) ?? 0) + 1);
  }
  return parent.rows.map((r) => n.get(keyText(r[pi]) ?? '') ?? 0);
}

export function column(batch: RowBatch, name: string): unknown[] {
  const i = batch.columns.indexOf(name);
  return batch.rows.map((r) => r[i]);
}
