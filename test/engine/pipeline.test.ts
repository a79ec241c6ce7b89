import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesisConfigSchema, type SynthesisConfig } from '../../src/shared/config';
import type { DatasetMetadata } from '../../src/shared/metadata';
import type { RowBatch } from '../../src/shared/values';
import { build, dispose, preprocess, synthesize, train } from '../../src/worker/engine/pipeline';
import { correlatedTable, correlatedTypes, tableConfig } from './helpers';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'doppel-engine-'));
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

function setup(n: number, over: Record<string, unknown> = {}): { config: SynthesisConfig; metadata: DatasetMetadata; tables: Record<string, RowBatch> } {
  const config = synthesisConfigSchema.parse({
    source: { kind: 'files', path: '/nowhere.csv' },
    tables: { people: tableConfig(correlatedTypes, ['id']) },
    settings: { device: 'cpu', epochs: 5, ...over },
  });
  const metadata: DatasetMetadata = {
    tables: [{ name: 'people', columns: Object.entries(correlatedTypes).map(([name, sdtype]) => ({ name, sdtype, storageType: 'string', nullable: true })), primaryKey: ['id'], rowCount: n }],
    relationships: [],
  };
  return { config, metadata, tables: { people: correlatedTable(n) } };
}

describe('pipeline', () => {
  it('runs the steps, streams batches to the sink, writes artifacts and keeps a holdout', async () => {
    const { config, metadata, tables } = setup(1500, { outputSize: { mode: 'rows', rows: 1500 } });
    const logs: string[] = [];
    const prepared = await preprocess({ config, metadata, tables, workspace, log: (_l, m) => logs.push(m) });
    expect(prepared.evaluation.people?.holdout.rows.length).toBe(300);
    expect(prepared.evaluation.people?.train.rows.length).toBe(1200);
    const built = await build(prepared);
    expect(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).toContain(built.backend);
    const progress: number[] = [];
    await train(built, { onProgress: (p) => progress.push(p.done / p.total) });
    expect(progress.length).toBeGreaterThan(0);
    const batches: RowBatch[] = [];
    const result = await synthesize(built, { sink: async (_t, b) => void batches.push(b) });
    expect(result.rows.people).toBe(1500);
    expect(batches.reduce((s, b) => s + b.rows.length, 0)).toBe(1500);
    expect(batches[0]?.columns).toEqual(['id', 'x', 'y', 'c', 'd']);
    for (const f of ['encoding.json', 'training.json', 'weights.bin', 'weights.json']) expect(fs.existsSync(path.join(workspace, 'people', f))).toBe(true);
    const encoding = JSON.parse(fs.readFileSync(path.join(workspace, 'people', 'encoding.json'), 'utf8')) as { columns: { name: string }[] };
    expect(JSON.stringify(encoding)).not.toContain('RARE-PERSON');
    dispose(built);
  });

  it('refuses an invalid configuration with every problem and its fix', async () => {
    const { config, metadata, tables } = setup(600);
    config.tables.people!.columns.ghost = { included: true, sdtype: 'categorical', sensitive: false, treatment: 'synthesize', options: {} };
    await expect(preprocess({ config, metadata, tables, workspace })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('stops with EXECUTION_CANCELED when the signal is aborted', async () => {
    const { config, metadata, tables } = setup(600, { epochs: 50 });
    const prepared = await preprocess({ config, metadata, tables, workspace });
    const built = await build(prepared);
    const ctl = new AbortController();
    const run = train(built, { signal: ctl.signal, onProgress: () => ctl.abort() });
    await expect(run).rejects.toMatchObject({ code: 'EXECUTION_CANCELED' });
    dispose(built);
  });
});
