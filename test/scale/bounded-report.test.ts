/**
 * What the worker holds for the report does not grow with the output: the report measures a
 * bounded sample of the synthetic rows, however many are generated; the collection the job
 * runner runs between steps gives back the garbage a step leaves, and during the synthesis the
 * heap stays within a headroom of what is alive however many rows go through it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_ROWS } from '../../src/worker/engine/report/build';
import v8 from 'node:v8';
import { boundedHeap, collectGarbage } from '../../src/worker/engine/collect-garbage';
import { inspect, runPipeline, tempWorkspace } from '../relational/pipeline-helpers';

const dir = tempWorkspace('bounded-report');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bounded memory of an execution', () => {
  it('measures a sample of REPORT_ROWS synthetic rows when the output is larger', async () => {
    const cities = ['Lyon', 'Porto', 'Graz', 'Cork'];
    const lines = Array.from({ length: 2000 }, (_, i) => `${i + 1},${18 + (i % 50)},${cities[i % 4]}`);
    fs.writeFileSync(path.join(dir, 'people.csv'), ['id,age,city', ...lines].join('\n'));
    const { config } = await inspect({ kind: 'files', path: dir });
    config.settings.epochs = 2;
    const output = REPORT_ROWS + 12_000;
    const run = await runPipeline(config, path.join(dir, 'run'), { count: output });
    expect(run.summary.rows.people).toBe(output);
    expect(run.out.people!.rows).toHaveLength(output);
    const table = run.report.tables.find((t) => t.name === 'people')!;
    expect(table.rows.synthetic).toBe(REPORT_ROWS);
  }, 300_000);

  it('gives back the garbage a step leaves', () => {
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    // A "step" holding about 200 MB of rows until it ends (long enough for them to reach the old generation).
    const step = (): number => {
      const rows = Array.from({ length: 1_000_000 }, (_, i) => [i, `row ${i}`, new Date(i), i * 0.5]);
      const held = process.memoryUsage().heapUsed - before;
      return rows.length === 1_000_000 ? held : 0;
    };
    expect(step()).toBeGreaterThan(50 * 2 ** 20);
    collectGarbage();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(10 * 2 ** 20);
  });

  it('keeps the heap within its headroom of the live rows however many batches go by', () => {
    const headroom = 32 * 2 ** 20;
    const heap = boundedHeap(headroom);
    const live = v8.getHeapStatistics().used_heap_size;
    const kept: unknown[][] = [];
    // The last batches are held a while (chunks in flight, a batch being written), so their rows outlive young collections.
    const window: unknown[][][] = [];
    let highest = 0;
    // 200 batches of rows made and dropped (about 800 MB in all), a few rows kept as a report sample keeps them.
    for (let b = 0; b < 200; b++) {
      const batch = Array.from({ length: 10_000 }, (_, i) => [b, i, `row ${b}.${i}`, new Date(i)]);
      window.push(batch);
      if (window.length > 6) window.shift();
      if (b % 20 === 0) kept.push(batch[0]!);
      highest = Math.max(highest, v8.getHeapStatistics().used_heap_size);
      heap.check();
    }
    expect(kept).toHaveLength(10);
    // The batches held (~25 MB) are alive, and one batch may be made past the limit before the check sees it.
    expect(highest - live).toBeLessThan(Math.max(headroom, live / 2) + 48 * 2 ** 20);
    expect(heap.collections).toBeGreaterThan(5);
  });
});
