import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared';
import { build, dispose, preprocess, synthesize, train } from '../../src/worker/engine/pipeline';
import { buildReport } from '../../src/worker/engine/report/build';
import { renderReportHtml } from '../../src/report/html';
import { parseReport } from '../../src/report/schema';
import { rng, sampleRows } from '../../src/worker/engine/evaluate/sample';
import { configOf, independentSample, metadataOf, readTable } from './fixtures';

const workspace = mkdtempSync(join(tmpdir(), 'doppel-engine-report-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('report of a real engine run (bank_marketing, 3,000 rows)', () => {
  it('builds from the pipeline evaluation split and beats an independent-columns sample', async () => {
    const all = readTable('bank_marketing', 'bank_marketing');
    // a random sample: the file is in date order and its first rows are almost all "no"
    const real = sampleRows(all, 3000, rng(1));
    const metadata = metadataOf('bank_marketing', { bank_marketing: real });
    const config = configOf('bank_marketing', metadata);
    // A fixed amount of training (not a time budget): the same model on a fast or a loaded machine.
    config.settings.epochs = 15;
    config.report = { targetColumn: 'y' };
    const seconds = { preprocess: 1, build: 1, train: 10, synthesize: 1 };
    const prepared = await preprocess({ config, metadata, tables: { bank_marketing: real }, workspace });
    const built = await build(prepared);
    await train(built, {});
    const synthetic: RowBatch = { columns: [], rows: [] };
    await synthesize(built, {
      sink: async (_table, batch) => {
        synthetic.columns = batch.columns;
        synthetic.rows.push(...batch.rows);
      },
    });
    dispose(built);
    const ev = prepared.evaluation.bank_marketing!;
    expect(ev.holdout.rows.length).toBeGreaterThan(0);
    const input = {
      config,
      metadata,
      realTrain: { bank_marketing: ev.train },
      realHoldout: { bank_marketing: ev.holdout },
      backend: built.backend,
      stepSeconds: seconds,
    };
    const report = buildReport({ ...input, synthetic: { bank_marketing: synthetic } });
    const baseline = buildReport({ ...input, synthetic: { bank_marketing: independentSample(ev.train, synthetic.rows.length, 4) } });

    const stored: unknown = JSON.parse(JSON.stringify(report));
    expect(parseReport(stored)).toEqual(stored);
    expect(report.summary.tables[0]!.synthetic).toBe(3000);
    expect(report.summary.columnShapes!).toBeGreaterThan(0.9);
    // the engine's copy filter: no synthetic row reproduces a unique training row
    expect(report.summary.privacy.exactMatchesUnique).toBe(0);
    expect(report.summary.utility).toMatchObject({ target: 'y', metric: 'macroF1' });
    expect(report.summary.utility!.gap!).toBeLessThan(baseline.summary.utility!.gap!);
    const html = await renderReportHtml(report);
    expect(html).toContain(built.backend);
  });
});
