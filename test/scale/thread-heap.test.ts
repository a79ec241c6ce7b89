/**
 * A sampling thread's heap does not grow with the rows it draws: measured inside the thread after
 * every chunk, its highest point over hundreds of chunks stays within the collection headroom of
 * what it held after its first chunks, in the same run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { closeSamplingThreads, samplingThreadHeaps, threadRunner } from '../../src/worker/engine/sample-threads';
import { disposeTable, fitTable, prepareTable, type TableModel } from '../../src/worker/engine/table-model';
import { STREAM_ROWS, type ChunkJob, type ChunkRunner } from '../../src/worker/engine/table-sample';
import { correlatedTable, correlatedTypes, settings, tableConfig } from '../engine/helpers';

const MiB = 2 ** 20;
/** A small headroom, so that the collections it makes show within a few hundred chunks (a thread reads it when it starts). */
const HEADROOM_MB = 8;
process.env['DOPPEL_THREAD_HEAP_HEADROOM_MB'] = String(HEADROOM_MB);

/** Draws chunks [from, to) of seed 3, `runner.window` at a time; returns the rows drawn. */
async function draw(runner: ChunkRunner, from: number, to: number): Promise<number> {
  const job = (chunk: number): ChunkJob => ({ chunk, rows: STREAM_ROWS, first: chunk * STREAM_ROWS, seed: 3, temperature: 1, stratified: true });
  let rows = 0;
  for (let c = from; c < to; c += runner.window) {
    const parts = await Promise.all(Array.from({ length: Math.min(runner.window, to - c) }, (_, k) => runner.run(job(c + k))));
    for (const cols of parts) rows += cols[0]!.length;
  }
  return rows;
}

describe('a sampling thread’s heap', () => {
  let model: TableModel;
  beforeAll(async () => {
    await initBackend('wasm');
    const prepared = prepareTable(correlatedTable(2000), {
      table: 't',
      config: tableConfig(correlatedTypes, ['id']),
      columns: [],
      settings: settings({ device: 'wasm' }),
    });
    model = await fitTable(prepared, { family: 'ar', overrides: { maxEpochs: 2, hidden: 32, batchSize: 128, lr: 0.01, patience: 2 } });
  }, 120_000);

  afterAll(async () => {
    disposeTable(model);
    await closeSamplingThreads();
  });

  it('stays within its collection headroom of the first chunks’ heap however many chunks it draws', async () => {
    const runner = threadRunner(model, 1)!;
    expect(runner).not.toBeNull();
    try {
      expect(await draw(runner, 0, 8)).toBe(8 * STREAM_ROWS);
      const [first] = await samplingThreadHeaps();
      const baseline = first!.highest;
      const chunks = 600;
      expect(await draw(runner, 8, 8 + chunks)).toBe(chunks * STREAM_ROWS);
      const [after] = await samplingThreadHeaps();
      // About 2.5M rows went through the thread; its heap peaked no higher than the headroom (plus one chunk's making) above the start.
      expect(after!.highest - baseline).toBeLessThan((HEADROOM_MB + 16) * MiB);
      expect(after!.collections).toBeGreaterThan(first!.collections);
    } finally {
      await runner.close();
    }
  }, 600_000);
});
