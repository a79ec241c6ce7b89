import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { fitCopula, sampleCopula } from '../../src/worker/engine/model/copula';
import { chooseBlend, modelChoiceReason } from '../../src/worker/engine/model/select';
import { modelSummary } from '../../src/worker/engine/pipeline';
import { disposeTable, fitTable, prepareTable, sampleTable } from '../../src/worker/engine/table-model';
import type { Row, RowBatch } from '../../src/shared/values';
import { createRng } from '../../src/worker/engine/rng';
import { settings, tableConfig } from './helpers';

// The model is chosen on held-out rows at every table size: the network where it captures what a
// Gaussian copula cannot, the copula (or a blend) where the network does no better.

beforeAll(async () => {
  await initBackend('cpu');
});

/** `y` follows the parity of `x` (95%): a dependence no monotone (Gaussian copula) link can draw. */
function parityTable(n: number, seed: number): RowBatch {
  const rng = createRng(seed);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const x = rng.int(10);
    const even = x % 2 === 0;
    rows.push([`x${x}`, rng.next() < 0.95 === even ? 'even' : 'odd', `k${rng.int(3)}`]);
  }
  return { columns: ['x', 'y', 'k'], rows };
}

const types = { x: 'categorical', y: 'categorical', k: 'categorical' } as const;

describe('model choice by a held-out score', () => {
  it('keeps the network where the copula cannot follow the data, and says why', async () => {
    const prepared = prepareTable(parityTable(600, 1), { table: 'parity', config: tableConfig(types), columns: [], settings: settings({ seed: 3 }) });
    const model = await fitTable(prepared, { overrides: { maxEpochs: 40, hidden: 16, lr: 0.02, batchSize: 32 } });
    const s = model.selection!;
    // 20% of a small table is held out of both fits.
    expect(s.validationRows).toBe(120);
    expect(s.network).toBeGreaterThan(s.copula + 0.02);
    expect(s.copulaShare).toBe(0);
    expect(model.family).toBe('ar');
    const out: Row[] = [];
    for await (const b of sampleTable(model, 1000)) out.push(...b.rows);
    const xor = out.filter((r) => ((r[0] === 'a1') !== (r[1] === 'b1')) === (r[2] === 'c1')).length / out.length;
    expect(xor).toBeGreaterThan(0.85);
    // The parity the network learned survives the refit on every row.
    const parity = out.filter((r) => (Number(String(r[0]).slice(1)) % 2 === 0) === (r[1] === 'even')).length / out.length;
    expect(parity).toBeGreaterThan(0.85);
    // Chosen on the held-out rows, then trained again on all 600 training rows for the epochs they chose.
    expect(s.refit).toEqual({ rows: 600, epochs: model.net!.bestEpoch });
    expect(model.net!.validationRows).toHaveLength(0);
    const summary = modelSummary(model);
    expect(summary.reason).toContain(`then trained again on all 600 training rows for the ${model.net!.bestEpoch} epoch(s) the held-out rows chose`);
    expect(summary).toMatchObject({ family: 'network', copulaShare: 0, validationRows: 120 });
    expect(summary.reason).toContain('on 120 real rows held out of both fits');
    expect(summary.reason).toMatch(/network \d+\.\d%, Gaussian copula \d+\.\d%/);
    disposeTable(model);
  });

  it('keeps the largest copula share within one standard error of the best score', () => {
    const shares = [0, 0.25, 0.5, 0.75, 1];
    // The network is best, by less than the noise of the held-out rows: the copula is kept.
    const close = [0.8, 0.799, 0.798, 0.797, 0.796];
    const noisy = [0, 1, 2, 3].map((b) => close.map((x, i) => x + (b % 2 ? 0.01 : -0.01) * (i / 4)));
    expect(chooseBlend(close, noisy, 40, shares)).toMatchObject({ copulaShare: 1, network: 0.8, copula: 0.796, chosen: 0.796, validationRows: 40 });
    // The same gaps measured on many rows (tight replicates): the network is kept.
    const tight = [0, 1, 2, 3].map((b) => close.map((x, i) => x + (b % 2 ? 0.0001 : -0.0001) * (i / 4)));
    expect(chooseBlend(close, tight, 4000, shares).copulaShare).toBe(0);
    // A blend better than both by more than the noise is kept.
    const blend = [0.79, 0.8, 0.82, 0.8, 0.78];
    expect(chooseBlend(blend, [blend, blend.map((x) => x + 0.001)], 400, shares)).toMatchObject({ copulaShare: 0.5, chosen: 0.82 });
    expect(modelChoiceReason({ copulaShare: 0.5, network: 0.79, copula: 0.78, chosen: 0.82, validationRows: 400 })).toContain(
      'a blend with 50% of the rows from the copula scored 82.0% on 400 real rows held out of both fits',
    );
  });

  it('draws copula rows with stratified marginals: token counts less than two rows from the learned shares, the joint ranks kept', () => {
    const rng = createRng(4);
    const n = 2000;
    const a = Int32Array.from({ length: n }, () => rng.int(6));
    const b = Int32Array.from(a, (x) => Math.min(4, Math.max(0, x - 1 + rng.int(3))));
    const c = Int32Array.from({ length: n }, () => (rng.next() < 0.1 ? 0 : rng.next() < 0.5 ? 1 : 2));
    const cards = [6, 5, 3];
    const copula = fitCopula(
      [a, b, c],
      cards,
      Int32Array.from({ length: n }, (_, i) => i),
    );
    const rows = 333;
    const deviation = (t: Int32Array[]): number[] =>
      t.map((col, j) => {
        const cum = copula.cdf[j]!;
        let worst = 0;
        for (let k = 0; k < cards[j]!; k++) {
          const count = col.filter((x) => x === k).length;
          worst = Math.max(worst, Math.abs(count - rows * (cum[k]! - (k > 0 ? cum[k - 1]! : 0))));
        }
        return worst;
      });
    const strat = sampleCopula(copula, rows, createRng(9));
    const iid = sampleCopula(copula, rows, createRng(9), false);
    for (const d of deviation(strat)) expect(d).toBeLessThan(2);
    // Independent draws stray by several rows on some column.
    expect(Math.max(...deviation(iid))).toBeGreaterThan(4);
    // The dependence of a and b is kept: most rows keep b within one step of a - 1.
    const close = (t: Int32Array[]): number => t[0]!.filter((x, i) => Math.abs(t[1]![i]! - Math.min(4, Math.max(0, x - 1))) <= 1).length / rows;
    const shuffled = [a.slice(0, rows), Int32Array.from({ length: rows }, () => b[rng.int(n)]!)];
    expect(close(strat)).toBeGreaterThan(close(shuffled) + 0.15);
    expect(Math.abs(close(strat) - close(iid))).toBeLessThan(0.08);
  });
});
