import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceSpec, SynthesisConfig } from '../../src/shared';
import type { RowBatch } from '../../src/shared/values';
import { loadData, type LoadedData } from '../../src/worker/jobs/load-data';
import { preprocess } from '../../src/worker/engine/pipeline';
import { buildReport } from '../../src/worker/engine/report/build';
import { runPipeline } from '../relational/pipeline-helpers';
import { useFourSources } from '../helpers/four-sources';

/**
 * 40,000 people; the training rows are a sample of 4,000. "gold" is held by 40 rows of the
 * table (not rare at a threshold of 10) but by a handful of sampled rows (rare by the sample);
 * "vip" by 3 rows (rare either way). The score's minimum 0 is held by 40 rows (common in the
 * table, a few in the sample); its maximum 1000 by one row (rare in the table; the sample's
 * largest value is a common 99 unless it drew that row).
 */
const ROWS = 40_000;
const MAX = 4000;
const THRESHOLD = 10;
const VIP = new Set([11, 22222, 33333]);

function planOf(g: number): string {
  if (g % 1000 === 7) return 'gold';
  if (VIP.has(g)) return 'vip';
  return ['basic', 'plus', 'pro'][g % 3]!;
}
function scoreOf(g: number): number {
  if (g % 1000 === 3) return 0;
  if (g === 20001) return 1000;
  return 1 + ((g * 7919) % 99);
}

const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
const noteOf = (g: number): string | null => (g % 10 === 0 ? null : `n${g % 4}`);
const sources = useFourSources(
  'stats',
  [
    {
      name: 'people',
      columns: [
        { name: 'id', type: 'int', primaryKey: true },
        { name: 'plan', type: 'text', notNull: true },
        { name: 'score', type: 'int', notNull: true },
        { name: 'note', type: 'text' },
      ],
      rows: ids.map((g) => [g, planOf(g), scoreOf(g), noteOf(g)]),
      // "Gold" and "gold" are one group to MariaDB's case-insensitive collation but two values to the reader.
      mariadbRows: ids.map((g) => [g, g === 5 ? 'Gold' : planOf(g), scoreOf(g), noteOf(g)]),
    },
  ],
  { csv: 'file' },
);

async function configFor(spec: SourceSpec): Promise<SynthesisConfig> {
  const config = await sources.config(spec, MAX);
  config.settings.privacy.rareCategoryThreshold = THRESHOLD;
  config.tables.people!.columns.plan!.sdtype = 'categorical';
  config.tables.people!.columns.score!.sdtype = 'numerical';
  config.tables.people!.columns.note!.sdtype = 'categorical';
  return config;
}

const count = (batch: RowBatch, column: string, value: unknown): number => {
  const at = batch.columns.indexOf(column);
  return batch.rows.filter((r) => r[at] === value).length;
};

async function categoriesOf(
  config: SynthesisConfig,
  data: LoadedData,
  withStats: boolean,
): Promise<{ categories: unknown[]; clip: [number, number]; train: RowBatch; holdout: RowBatch }> {
  const workspace = mkdtempSync(path.join(sources.dir, 'ws-'));
  const prepared = await preprocess({
    config,
    metadata: data.metadata,
    tables: data.tables,
    sourceRows: data.sourceRows,
    ...(withStats ? { wholeStats: data.wholeStats } : {}),
    workspace,
  });
  const plan = prepared.tables.people!.plans.find((p) => p.name === 'plan')!;
  if (plan.role !== 'model' || plan.spec.kind !== 'categorical') throw new Error(`plan is learned as ${plan.role}`);
  const score = prepared.tables.people!.plans.find((p) => p.name === 'score')!;
  if (score.role !== 'model' || score.spec.kind !== 'numeric') throw new Error(`score is learned as ${score.role}`);
  return { categories: plan.spec.categories, clip: score.spec.clip, ...prepared.evaluation.people! };
}

/** The report of a synthetic table equal to the training rows with some plans set to gold and one score at the table's minimum. */
function reportOf(config: SynthesisConfig, data: LoadedData, train: RowBatch, holdout: RowBatch, withStats: boolean) {
  const planAt = train.columns.indexOf('plan');
  const scoreAt = train.columns.indexOf('score');
  const synthetic = {
    columns: train.columns,
    rows: train.rows.map((r, i) => r.map((v, j) => (j === planAt && i % 100 === 0 ? 'gold' : j === scoreAt && i === 1 ? 0 : v))),
  };
  const report = buildReport({
    config,
    metadata: data.metadata,
    realTrain: { people: train },
    realHoldout: { people: holdout },
    synthetic: { people: synthetic },
    backend: 'cpu',
    stepSeconds: {},
    ...(withStats ? { wholeStats: data.wholeStats } : {}),
  });
  const table = report.tables.find((t) => t.name === 'people')!;
  const checks = table.checks!;
  return {
    rare: checks.rare.find((r) => r.column === 'plan'),
    extreme: checks.extremes.find((e) => e.column === 'score')!,
    emptyNotes: table.distributions.find((d) => d.column === 'note')!.missing.real,
  };
}

describe.each(sources.sources)('rare categories and extremes of a sampled table counted over the whole table (%s)', (_, spec) => {
  it('the engine keeps a category common in the table though rare in the sample, and the report counts the table', async () => {
    const config = await configFor(spec());
    const data = await loadData(config, {});
    expect(data.tables.people!.rows.length).toBeLessThan(ROWS / 5);
    const stats = data.wholeStats.people!;
    expect(stats.rows).toBe(ROWS);
    const plan = new Map(stats.columns.plan!.categories!.map(([v, n]) => [v, n]));
    expect(plan.get('gold')).toBe(40);
    expect(plan.get('vip')).toBe(3);
    if (spec().kind === 'mysql') expect(plan.get('Gold')).toBe(1);
    expect(stats.columns.plan!.complete).toBe(true);
    expect(stats.columns.score!.range).toEqual({ min: 0, max: 1000, atMin: 40, atMax: 1 });

    const withTable = await categoriesOf(config, data, true);
    // The premise: the training sample holds gold, but fewer times than the threshold.
    const goldInTraining = count(withTable.train, 'plan', 'gold');
    expect(goldInTraining).toBeGreaterThan(0);
    expect(goldInTraining).toBeLessThan(THRESHOLD);
    expect(withTable.categories).toContain('gold');
    expect(withTable.categories).not.toContain('vip');
    // Decided on the sample alone, gold would be protected.
    const fromSample = await categoriesOf(config, data, false);
    expect(fromSample.categories).not.toContain('gold');

    // Clipping decides on the same counts as the report: the minimum 0, held by 40 rows of the
    // table, is not clipped away however few training rows hold it (even none: the clip reaches
    // the table's minimum); the maximum 1000, one row of the table, stays hidden (the clip is
    // below it, whether or not the sample drew it).
    const smallest = Math.min(...withTable.train.rows.map((r) => Number(r[withTable.train.columns.indexOf('score')])));
    expect(withTable.clip[0]).toBe(0);
    expect(withTable.clip[1]).toBeLessThan(1000);
    // Decided on the sample alone, a minimum held by fewer training rows than the clip's rank (6 to 8) would be clipped.
    if (count(withTable.train, 'score', smallest) <= 5) expect(fromSample.clip[0]).toBeGreaterThan(smallest);

    const table = reportOf(config, data, withTable.train, withTable.holdout, true);
    // Synthetic gold rows are not rare rows: only vip (when the sample drew one) would count.
    expect(table.rare?.syntheticRows ?? 0).toBe(0);
    expect(table.extreme).toMatchObject({ real: [0, 1000], rareExtremes: { min: false, max: true }, reachesExtreme: false, wholeTable: true });
    // The real share of empty notes is the table's (every 10th row), counted in the source.
    expect(stats.columns.note!.nulls).toBe(ROWS / 10);
    expect(table.emptyNotes).toBe(0.1);
    const sample = reportOf(config, data, withTable.train, withTable.holdout, false);
    expect(sample.rare!.syntheticRows).toBeGreaterThan(0);
    // From the sample, the extremes are the sample's: a minimum 0 of a few rows (called rare) or a larger one.
    expect(sample.extreme.rareExtremes.min || sample.extreme.real[0] > 0).toBe(true);
    expect(sample.extreme.wholeTable).toBeUndefined();
  }, 300_000);
});

describe('a run on a sampled PostgreSQL table', () => {
  it('says in its log that rarity was counted in the source, and its report checks extremes against the table', async () => {
    const config = await configFor(sources.pg().spec);
    config.settings.preset = 'fast';
    config.settings.epochs = 2;
    config.settings.outputSize = { mode: 'rows', rows: 2000 };
    const run = await runPipeline(config, mkdtempSync(path.join(sources.dir, 'run-')));
    expect(run.summary.status).toBe('succeeded');
    expect(run.logs).toContain('info: Rare categories and extremes of "people" are decided on every row of the source (counted in the source).');
    const checks = run.report.tables.find((t) => t.name === 'people')!.checks!;
    const score = checks.extremes.find((e) => e.column === 'score')!;
    expect(score).toMatchObject({ real: [0, 1000], rareExtremes: { min: false, max: true }, reachesExtreme: false, wholeTable: true });
    // The engine and the report agree: the rare maximum (not in the training sample) is not reached.
    expect(score.synthetic![1]).toBeLessThan(1000);
  }, 600_000);
});
