/**
 * Sampling on worker threads: a seed's rows are the same whether one thread or two draw them, any
 * range of them can be drawn alone (as a shard does), another seed gives other rows, and the rows
 * keep what the model learned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/shared/values';
import { initBackend } from '../../src/worker/engine/backend';
import { closeSamplingThreads, runningSamplingThreads } from '../../src/worker/engine/sample-threads';
import { disposeTable, fitTable, prepareTable, sampleTable, type SampleOptions, type TableModel } from '../../src/worker/engine/table-model';
import { STREAM_ROWS } from '../../src/worker/engine/table-sample';
import { correlatedTable, correlatedTypes, settings, tableConfig } from './helpers';

const ROWS = 10 * STREAM_ROWS;

async function collect(model: TableModel, count: number, opts: SampleOptions): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of sampleTable(model, count, opts)) out.push(...b.rows);
  return out;
}

describe('sampling threads', () => {
  const data = correlatedTable(3000);
  let model: TableModel;
  let one: Row[];
  beforeAll(async () => {
    await initBackend('wasm');
    const prepared = prepareTable(data, { table: 't', config: tableConfig(correlatedTypes, ['id']), columns: [], settings: settings({ device: 'wasm' }) });
    model = await fitTable(prepared, { family: 'ar', overrides: { maxEpochs: 10, hidden: 32, batchSize: 128, lr: 0.01, patience: 8 } });
    one = await collect(model, ROWS, { seed: 5, threads: 1 });
  });

  afterAll(async () => {
    disposeTable(model);
    await closeSamplingThreads();
  });

  it('gives the same rows for a seed with one thread and with two', async () => {
    expect(runningSamplingThreads()).toBe(0);
    const two = await collect(model, ROWS, { seed: 5, threads: 2 });
    expect(runningSamplingThreads()).toBe(2);
    expect(two).toHaveLength(ROWS);
    expect(two).toEqual(one);
  });

  it('draws any range of a seed’s rows alone, and another seed gives other rows', async () => {
    const start = 3 * STREAM_ROWS - 1234;
    const part = await collect(model, 2 * STREAM_ROWS + 99, { seed: 5, start, threads: 2 });
    expect(part).toEqual(one.slice(start, start + 2 * STREAM_ROWS + 99));
    const other = await collect(model, ROWS, { seed: 6, threads: 2 });
    const key = (r: Row): string => JSON.stringify(r.slice(1));
    const same = other.filter((r, i) => key(r) === key(one[i]!)).length;
    // Two rows at the same place agree only by chance (x has two values, y two decimals, d a day of 2021).
    expect(same / ROWS).toBeLessThan(0.01);
  });

  it('keeps what the model learned, never emits the rare category and numbers ids without gaps', () => {
    const share = (rows: Row[]): number => rows.filter((r) => r[1] === 'A').length / rows.length;
    expect(Math.abs(share(one) - share(data.rows))).toBeLessThan(0.03);
    const mean = (x: string): number => {
      const ys = one.filter((r) => r[1] === x).map((r) => r[2] as number);
      return ys.reduce((a, b) => a + b, 0) / ys.length;
    };
    expect(Math.abs(mean('A') - 10)).toBeLessThan(1.5);
    expect(Math.abs(mean('B') - 50)).toBeLessThan(1.5);
    expect(one.some((r) => r[3] === 'RARE-PERSON')).toBe(false);
    expect(one.map((r) => r[0])).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  });
});
