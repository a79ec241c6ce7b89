import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { fitTable, prepareTable, sampleTable, disposeTable, type TableModel } from '../../src/worker/engine/table-model';
import type { Row, RowBatch } from '../../src/shared/values';
import { isAppError } from '../../src/shared/errors';
import { createRng } from '../../src/worker/engine/rng';
import { correlatedTable, correlatedTypes, settings, tableConfig } from './helpers';

async function collect(model: TableModel, count: number, seed?: number): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of sampleTable(model, count, { seed, batchSize: 500 })) out.push(...b.rows);
  return out;
}

const fast = { maxEpochs: 40, hidden: 32, batchSize: 64, lr: 0.01, patience: 8 };

describe('table model (autoregressive network)', () => {
  const data = correlatedTable(800);
  let model: TableModel;
  let rows: Row[];
  beforeAll(async () => {
    await initBackend('cpu');
    const prepared = prepareTable(data, { table: 't', config: tableConfig(correlatedTypes, ['id']), columns: [], settings: settings() });
    model = await fitTable(prepared, { family: 'ar', overrides: fast });
    rows = await collect(model, 1000);
  });

  it('keeps a learned correlation', () => {
    const ys = (x: string): number[] => rows.filter((r) => r[1] === x).map((r) => r[2] as number);
    const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(ys('A').length).toBeGreaterThan(300);
    expect(ys('B').length).toBeGreaterThan(300);
    expect(mean(ys('A'))).toBeLessThan(20);
    expect(mean(ys('B'))).toBeGreaterThan(40);
  });

  it('never emits the rare category, keeps precision, format and unique ids', () => {
    expect(rows.some((r) => r[3] === 'RARE-PERSON')).toBe(false);
    for (const r of rows) {
      const y = r[2] as number;
      expect(Number.isFinite(y)).toBe(true);
      expect(Math.round(y * 100) / 100).toBe(y);
      expect(r[4]).toMatch(/^2021-\d{2}-\d{2}$/);
    }
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
    // Regenerated ids keep the integer format and run on from the source's first id without gaps.
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(typeof rows[0]?.[0]).toBe('number');
  });

  it('is reproducible: same seed, same output', async () => {
    const a = await collect(model, 200, 9);
    const b = await collect(model, 200, 9);
    expect(a).toEqual(b);
    const c = await collect(model, 200, 10);
    expect(c).not.toEqual(a);
    disposeTable(model);
  });
});

describe('privacy filter', () => {
  it('never outputs a row equal to a rare training row on all columns', async () => {
    // 3 columns x 4 values: 64 combinations, 150 rows: many combinations are unique.
    const rng = createRng(3);
    const rows: Row[] = Array.from({ length: 150 }, () => [`a${rng.int(4)}`, `b${rng.int(4)}`, `c${rng.int(4)}`]);
    const batch: RowBatch = { columns: ['a', 'b', 'c'], rows };
    const cfg = tableConfig({ a: 'categorical', b: 'categorical', c: 'categorical' });
    const prepared = prepareTable(batch, { table: 't', config: cfg, columns: [], settings: settings() });
    expect(prepared.copyFilter.size).toBeGreaterThan(0);
    const model = await fitTable(prepared, { family: 'copula' });
    const out = await collect(model, 2000);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.join('|'), (counts.get(r.join('|')) ?? 0) + 1);
    const rare = out.filter((r) => (counts.get(r.join('|')) ?? 0) > 0 && (counts.get(r.join('|')) ?? 0) < 2);
    expect(rare).toEqual([]);
    expect(out.length).toBeGreaterThan(1000);
  });
});

describe('bad input', () => {
  it('refuses a table with too few rows with a fix', () => {
    try {
      prepareTable({ columns: ['a'], rows: [[1], [2]] }, { table: 'tiny', config: tableConfig({ a: 'numerical' }), columns: [], settings: settings() });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('DATASET_TOO_SMALL');
      expect(isAppError(e) && e.fix).toBeTruthy();
    }
  });

  it('keeps 10k distinct categories out of the model (all protected, tiny vocabulary)', () => {
    const rows: Row[] = Array.from({ length: 10_000 }, (_, i) => [`customer-${i}`, i % 3 === 0 ? 'a' : 'b']);
    const prepared = prepareTable(
      { columns: ['who', 'k'], rows },
      { table: 'wide', config: tableConfig({ who: 'categorical', k: 'categorical' }), columns: [], settings: settings() },
    );
    expect(prepared.cards[0]).toBeLessThanOrEqual(2);
    const plan = prepared.plans[0]!;
    expect(plan.role === 'model' && plan.spec.kind === 'categorical' && plan.spec.categories.length).toBe(0);
  });

  it('handles constant, all-null, mixed, huge and high-cardinality columns without NaN', async () => {
    const n = 400;
    const rows: Row[] = Array.from({ length: n }, (_, i) => [
      'same',
      null,
      i % 10 === 0 ? 'n/a' : i,
      i % 2 ? 1e300 : -1e300 + i,
      `cat-${i}`,
      i % 3 === 0 ? 'x' : i,
    ]);
    const batch: RowBatch = { columns: ['const', 'empty', 'mixed', 'huge', 'many', 'junk'], rows };
    const warnings: string[] = [];
    const cfg = tableConfig({ const: 'categorical', empty: 'numerical', mixed: 'numerical', huge: 'numerical', many: 'categorical', junk: 'numerical' });
    const prepared = prepareTable(batch, { table: 'bad', config: cfg, columns: [], settings: settings(), warn: (m) => warnings.push(m) });
    expect(warnings.some((w) => w.includes('bad.const'))).toBe(true);
    expect(warnings.some((w) => w.includes('bad.junk') && w.includes('categorical'))).toBe(true);
    const model = await fitTable(prepared, { family: 'ar', overrides: { maxEpochs: 3, hidden: 16 } });
    const out = await collect(model, 300);
    expect(out.length).toBe(300);
    for (const r of out) {
      expect(r[0]).toBe('same');
      expect(r[1]).toBeNull();
      for (const v of r) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
      expect(String(r[4]).startsWith('cat-')).toBe(false);
    }
    disposeTable(model);
  });
});
