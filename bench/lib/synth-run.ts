/** One single-table synthesis through the engine's pipeline, in memory, for the fidelity benches. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { synthesisConfigSchema, type TableConfig } from '../../src/shared/config';
import type { ColumnMeta } from '../../src/shared/metadata';
import type { Row, RowBatch } from '../../src/shared/values';
import type { ColumnSpec } from '../../src/worker/engine/evaluate/columns';
import { build, dispose, preprocess, synthesize, train } from '../../src/worker/engine/pipeline';

export interface SynthRun {
  synthetic: RowBatch;
  /** The engine's own training split (the holdout was never seen). */
  train: RowBatch;
  holdout: RowBatch;
  family: string;
  /** Why that family (held-out scores of the network, the copula and the kept blend). */
  selection: string;
  /** Share of the rows drawn from the copula. */
  copulaShare: number;
  seconds: number;
  trainSeconds: number;
  epochs: number;
  /** Per-epoch losses of the network (empty for the copula). */
  history: { epoch: number; trainLoss: number; valLoss: number | null }[];
}

export async function synthRun(table: string, batch: RowBatch, columns: ColumnMeta[], settings: Record<string, unknown> = {}): Promise<SynthRun> {
  const t0 = performance.now();
  const cols: TableConfig['columns'] = Object.fromEntries(
    columns.map((m) => [m.name, { included: true, sdtype: m.sdtype, sensitive: false, treatment: 'synthesize' as const, options: {} }]),
  );
  const config = synthesisConfigSchema.parse({
    source: { kind: 'files', path: table },
    tables: { [table]: { treatment: 'synthesize', primaryKey: [], columns: cols } },
    settings: { timeBudgetSeconds: 0, ...settings },
  });
  const metadata = { tables: [{ name: table, columns, primaryKey: [], rowCount: batch.rows.length }], relationships: [] };
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'doppel-bench-'));
  try {
    const prepared = await preprocess({ config, metadata, tables: { [table]: batch }, workspace });
    const built = await build(prepared);
    await train(built);
    const rows: Row[] = [];
    await synthesize(built, { sink: async (_t, b) => void rows.push(...b.rows) });
    const model = built.models[table]!;
    const sel = model.selection;
    const out: SynthRun = {
      synthetic: { columns: batch.columns, rows },
      train: prepared.evaluation[table]!.train,
      holdout: prepared.evaluation[table]!.holdout,
      family: model.family,
      selection: sel
        ? `held out ${sel.validationRows}: network ${sel.network.toFixed(3)}, copula ${sel.copula.toFixed(3)}${sel.copulaShare > 0 && sel.copulaShare < 1 ? `, blend ${sel.chosen.toFixed(3)}` : ''}`
        : '',
      copulaShare: sel?.copulaShare ?? (model.family === 'copula' ? 1 : 0),
      seconds: (performance.now() - t0) / 1000,
      trainSeconds: model.trainSeconds,
      epochs: model.net?.history.length ?? 0,
      history: model.net?.history ?? [],
    };
    dispose(built);
    return out;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** The columns the metrics compare. */
export function metricSpecs(columns: ColumnMeta[]): ColumnSpec[] {
  return columns.filter((m) => m.sdtype !== 'id' && m.sdtype !== 'text').map((m) => ({ name: m.name, sdtype: m.sdtype }));
}
