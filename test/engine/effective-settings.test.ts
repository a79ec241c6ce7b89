import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, type DatasetMetadata, type Row, type RowBatch, type SynthesisConfig } from '../../src/shared';
import { preprocess } from '../../src/worker/engine/pipeline';
import { buildReport } from '../../src/worker/engine/report/build';
import { renderReportHtml } from '../../src/report/html';
import { createRng } from '../../src/worker/engine/rng';
import type { CategoricalSpec } from '../../src/worker/engine/encoders/categorical';
import type { NumericSpec } from '../../src/worker/engine/encoders/numeric';

const workspace = mkdtempSync(join(tmpdir(), 'doppel-effective-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const NUMBERS = new Set(['amount', 'price', 'weight']);

function metadataOf(tables: Record<string, RowBatch>, relationships: DatasetMetadata['relationships'] = []): DatasetMetadata {
  return {
    tables: Object.entries(tables).map(([name, b]) => ({
      name,
      rowCount: b.rows.length,
      primaryKey: ['id'],
      columns: b.columns.map((c) => ({
        name: c,
        sdtype: c === 'id' || c.endsWith('_id') ? ('id' as const) : NUMBERS.has(c) ? ('numerical' as const) : ('categorical' as const),
        storageType: NUMBERS.has(c) || c === 'id' || c.endsWith('_id') ? ('integer' as const) : ('string' as const),
        nullable: false,
      })),
    })),
    relationships,
  };
}

/** Two categorical columns that each hold one value seen exactly 7 times among common ones. */
function sevenTimes(n: number): RowBatch {
  const rng = createRng(3);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const common = rng.next() < 0.5 ? 'north' : 'south';
    rows.push([i + 1, i < 7 ? 'seven-a' : common, i >= 7 && i < 14 ? 'seven-b' : common, Math.round(100 + 20 * rng.normal())]);
  }
  return { columns: ['id', 'a', 'b', 'amount'], rows };
}

/** The report of a prepared table "t", its training rows standing in for the synthetic ones. */
function reportOf(config: SynthesisConfig, metadata: DatasetMetadata, prepared: Awaited<ReturnType<typeof preprocess>>) {
  const ev = prepared.evaluation.t!;
  return buildReport({
    config,
    metadata,
    realTrain: { t: ev.train },
    realHoldout: { t: ev.holdout },
    synthetic: { t: ev.train },
    backend: 'cpu',
    stepSeconds: {},
    effective: prepared.effective,
  });
}

describe('effective settings', () => {
  it('the report states, per column, the rare-category threshold the encoders applied', async () => {
    const tables = { t: sevenTimes(400) };
    const metadata = metadataOf(tables);
    const config: SynthesisConfig = defaultConfig(metadata, { kind: 'files', path: workspace }, { name: 'thresholds' });
    config.settings.privacy.rareCategoryThreshold = 5;
    config.tables.t!.columns.a!.options.rareCategoryThreshold = 10;
    const prepared = await preprocess({ config, metadata, tables, workspace });

    expect(prepared.effective.tables.t!.columns.a!.rareCategoryThreshold).toBe(10);
    expect(prepared.effective.tables.t!.columns.b!.rareCategoryThreshold).toBe(5);
    // The engine applied them: "seven-a" (7 < 10) is protected, "seven-b" (7 ≥ 5) is learned.
    const spec = (name: string): CategoricalSpec => {
      const plan = prepared.tables.t!.plans.find((p) => p.name === name)!;
      if (plan.role !== 'model' || plan.spec.kind !== 'categorical') throw new Error(`${name} is not a learned category`);
      return plan.spec;
    };
    expect(spec('a').categories).not.toContain('seven-a');
    expect(spec('b').categories).toContain('seven-b');
    // The workspace keeps what was applied.
    expect(JSON.parse(readFileSync(join(workspace, 'settings.json'), 'utf8'))).toEqual(prepared.effective);

    const report = reportOf(config, metadata, prepared);
    expect(report.effectiveSettings).toEqual(prepared.effective);
    const rare = report.tables[0]!.checks!.rare;
    expect(rare.find((r) => r.column === 'a')).toMatchObject({ threshold: 10, categories: 1 });
    expect(rare.find((r) => r.column === 'b')).toBeUndefined();
    expect(report.summary.settings.find((s) => s.label === 'Rare-category protection')!.value).toBe('on (fewer than 5); t.a: fewer than 10');
    expect(await renderReportHtml(report)).toContain('a: fewer than 10');
  });

  it('caps a relational tree through its root so that no table trains on more rows than the limit', async () => {
    const rng = createRng(5);
    const customers: RowBatch = { columns: ['id', 'segment'], rows: Array.from({ length: 200 }, (_, i) => [i + 1, rng.next() < 0.5 ? 'retail' : 'business']) };
    const orders: RowBatch = {
      columns: ['id', 'customer_id', 'amount'],
      rows: Array.from({ length: 2000 }, (_, i) => [i + 1, (i % 200) + 1, Math.round(50 + 10 * rng.normal())]),
    };
    const tables = { customers, orders };
    const metadata = metadataOf(tables, [
      { parentTable: 'customers', parentColumns: ['id'], childTable: 'orders', childColumns: ['customer_id'], origin: 'declared' },
    ]);
    const config = defaultConfig(metadata, { kind: 'files', path: workspace }, { name: 'tree' });
    config.settings.maxTrainingRows = 1000;
    const prepared = await preprocess({ config, metadata, tables, workspace });

    expect(prepared.effective.tables.orders!.tree).toBe('customers');
    expect(prepared.effective.tables.customers!.maxTrainingRows).toBe(100);
    expect(prepared.evaluation.customers!.train.rows).toHaveLength(100);
    const orderRows = prepared.evaluation.orders!.train.rows.length;
    expect(orderRows).toBeLessThanOrEqual(1000);
    expect(orderRows).toBeGreaterThan(600);
    const ev = prepared.evaluation;
    const report = buildReport({
      config,
      metadata,
      realTrain: { customers: ev.customers!.train, orders: ev.orders!.train },
      realHoldout: {},
      synthetic: {},
      backend: 'cpu',
      stepSeconds: {},
      effective: prepared.effective,
    });
    expect(report.summary.settings.find((s) => s.label === 'Max training rows')!.value).toBe(
      '1,000 per table (random sample): 100 "customers" rows with all their related rows',
    );
  });

  it('the report states, per column, the outlier clipping the encoders applied', async () => {
    const rng = createRng(9);
    const t: RowBatch = {
      columns: ['id', 'amount', 'price', 'weight', 'region'],
      rows: Array.from({ length: 400 }, (_, i) => [
        i + 1,
        Math.round(1000 + 100 * rng.normal()),
        i,
        Math.round(70 + 10 * rng.normal()),
        rng.next() < 0.5 ? 'north' : 'south',
      ]),
    };
    const tables = { t };
    const metadata = metadataOf(tables);
    const config = defaultConfig(metadata, { kind: 'files', path: workspace }, { name: 'clipping' });
    // Automatic clipping on for the synthesis; "price" also clipped at its 90th percentile; "weight" mocked (never learned).
    config.tables.t!.columns.price!.options.clipUpperQuantile = 0.9;
    config.tables.t!.columns.weight!.treatment = 'mock';
    const prepared = await preprocess({ config, metadata, tables, workspace });
    const spec = (name: string): NumericSpec => {
      const plan = prepared.tables.t!.plans.find((p) => p.name === name)!;
      if (plan.role !== 'model' || plan.spec.kind !== 'numeric') throw new Error(`${name} is not a learned number`);
      return plan.spec;
    };
    const trainPrices = prepared.evaluation.t!.train.rows.map((r) => r[2] as number).sort((a, b) => a - b);
    // The engine applied them: "price" stops at its 90th percentile, "amount" keeps a tail model beyond its automatic bound.
    expect(spec('price').clip[1]).toBeLessThan(trainPrices[Math.ceil(0.91 * trainPrices.length)]!);
    expect(spec('price').tails?.high ?? null).toBeNull();
    expect(spec('amount').tails).toBeDefined();

    const report = reportOf(config, metadata, prepared);
    expect(report.protection.clipOutliers).toEqual([
      { table: 't', column: 'amount', auto: true },
      { table: 't', column: 'price', auto: true, upperQuantile: 0.9 },
    ]);
    const html = await renderReportHtml(report);
    expect(html).toContain('t.amount, t.price, also clipped at the 0–0.9 quantiles');

    // Automatic clipping off for the synthesis: "price" is still clipped at its quantile, "amount" is not clipped at all.
    const off = structuredClone(config);
    off.settings.privacy.clipOutliers = false;
    const preparedOff = await preprocess({ config: off, metadata, tables, workspace });
    const reportOff = reportOf(off, metadata, preparedOff);
    expect(reportOff.protection.clipOutliers).toEqual([
      { table: 't', column: 'amount', auto: false },
      { table: 't', column: 'price', auto: false, upperQuantile: 0.9 },
    ]);
    const amountOff = preparedOff.tables.t!.plans.find((p) => p.name === 'amount')!;
    if (amountOff.role !== 'model' || amountOff.spec.kind !== 'numeric') throw new Error('amount is not a learned number');
    const ev = preparedOff.evaluation.t!;
    expect(amountOff.spec.clip).toEqual([Math.min(...ev.train.rows.map((r) => r[1] as number)), Math.max(...ev.train.rows.map((r) => r[1] as number))]);
    const htmlOff = await renderReportHtml(reportOff);
    expect(htmlOff).toContain('Outliers clipped at set quantiles (values beyond them become the bound): t.price at the 0–0.9 quantiles.');
    expect(htmlOff).toContain('Outlier clipping was <b>off</b> for t.amount: their real extremes can be reproduced.');
  });
});
