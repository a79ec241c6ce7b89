/**
 * What the worker holds for the report does not grow with the output: the report measures a
 * bounded sample of the synthetic rows, however many are generated; and the collection the job
 * runner runs between steps gives back the garbage a step leaves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPORT_ROWS } from '../../src/worker/engine/report/build';
import { collectGarbage } from '../../src/worker/jobs/collect-garbage';
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
});
