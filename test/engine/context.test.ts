import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { disposeTable, fitTable, prepareTable, sampleTable } from '../../src/worker/engine/table-model';
import type { Row, RowBatch } from '../../src/shared/values';
import { createRng } from '../../src/worker/engine/rng';
import { correlatedTable, correlatedTypes, settings, tableConfig } from './helpers';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('context conditioning (for relational synthesis)', () => {
  it('generates row i from context row i', async () => {
    // Child rows whose category follows a parent attribute given as a one-hot context.
    const rng = createRng(4);
    const n = 600;
    const ctx = new Float32Array(n * 2);
    const rows: Row[] = [];
    for (let i = 0; i < n; i++) {
      const parent = rng.int(2);
      ctx[i * 2 + parent] = 1;
      rows.push([parent === 0 ? (rng.next() < 0.9 ? 'low' : 'high') : rng.next() < 0.9 ? 'high' : 'low', rng.int(3)]);
    }
    const batch: RowBatch = { columns: ['level', 'k'], rows };
    const prepared = prepareTable(batch, {
      table: 'child',
      config: tableConfig({ level: 'categorical', k: 'categorical' }),
      columns: [],
      settings: settings(),
    });
    const model = await fitTable(prepared, { context: { matrix: ctx, dim: 2 }, overrides: { maxEpochs: 40, hidden: 16, lr: 0.01, batchSize: 64 } });
    expect(model.family).toBe('ar');
    const m = 400;
    const want = new Float32Array(m * 2);
    for (let i = 0; i < m; i++) want[i * 2 + (i < m / 2 ? 0 : 1)] = 1;
    const out: Row[] = [];
    for await (const b of sampleTable(model, m, { context: want, batchSize: 150 })) out.push(...b.rows);
    expect(out.length).toBe(m);
    const highShare = (from: number, to: number): number => out.slice(from, to).filter((r) => r[0] === 'high').length / (to - from);
    expect(highShare(0, m / 2)).toBeLessThan(0.35);
    expect(highShare(m / 2, m)).toBeGreaterThan(0.65);
    disposeTable(model);
  });
});

describe('small tables', () => {
  it('picks the network, the copula or a blend by held-out scores and keeps the correlation', async () => {
    const data = correlatedTable(240, 5);
    const prepared = prepareTable(data, { table: 'small', config: tableConfig(correlatedTypes, ['id']), columns: [], settings: settings() });
    const model = await fitTable(prepared, { overrides: { maxEpochs: 30 } });
    expect(model.selection).toBeDefined();
    const { network, copula, chosen, copulaShare, validationRows } = model.selection!;
    // The trainer's validation split (20% of a small table) is what both models were scored on.
    expect(validationRows).toBe(48);
    expect(chosen).toBeGreaterThanOrEqual(Math.max(network, copula));
    expect(model.family).toBe(copulaShare === 1 ? 'copula' : 'ar');
    const out: Row[] = [];
    for await (const b of sampleTable(model, 500)) out.push(...b.rows);
    const mean = (x: string): number => {
      const ys = out.filter((r) => r[1] === x).map((r) => r[2] as number);
      return ys.reduce((s, v) => s + v, 0) / ys.length;
    };
    expect(mean('A')).toBeLessThan(mean('B') - 15);
    disposeTable(model);
  });

  it('trains with differential-privacy clipping and noise without NaN', async () => {
    const data = correlatedTable(400, 6);
    const s = settings();
    s.privacy = { ...s.privacy, differentialPrivacy: { enabled: true, epsilon: 4, maxGradNorm: 1 } };
    const prepared = prepareTable(data, { table: 'dp', config: tableConfig(correlatedTypes, ['id']), columns: [], settings: s });
    const model = await fitTable(prepared, { family: 'ar', overrides: { maxEpochs: 5, hidden: 16 } });
    expect(model.trainOptions?.dp).toBeDefined();
    for (const h of model.net!.history) expect(Number.isFinite(h.trainLoss)).toBe(true);
    // Fixed epochs (no early stopping on held-out rows) and no raking to exact marginals.
    expect(model.net!.history.length).toBe(5);
    expect(model.marginals).toBeNull();
    const out: Row[] = [];
    for await (const b of sampleTable(model, 200)) out.push(...b.rows);
    for (const r of out) expect(Number.isFinite(r[2] as number)).toBe(true);
    disposeTable(model);
  });
});
