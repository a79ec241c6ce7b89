import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/worker/engine/backend';
import { disposeRelational, fitRelational, prepareRelational } from '../../src/worker/engine/relational/synthesize';
import { column, datasets, loadDataset } from './helpers';

// Whole-database synthesis of berka is tested through the pipeline (pipeline-berka.test.ts);
// these tests cover the training sample of whole subtrees, and the time budget of training.
type Loaded = Awaited<ReturnType<typeof loadDataset>>;
let real: Loaded;

describe('relational training sample of berka (7 tables, depth 3)', () => {
  beforeAll(async () => {
    real = await loadDataset({ kind: 'files', path: path.join(datasets, 'berka') });
  }, 60_000);

  it('samples whole subtrees when the training rows are limited', () => {
    const config = structuredClone(real.config);
    // 60 rows per table: the 77 districts carry a million transactions, so the root keeps the
    // fewest districts a model can learn from, with all their accounts, loans and transactions.
    config.settings.maxTrainingRows = 60;
    const prepared = prepareRelational({ ...real, config });
    expect(prepared.effective.tables.district!.maxTrainingRows).toBe(50);
    expect(prepared.training.district!.rows.length).toBe(50);
    const keys = new Set(column(prepared.training.district!, 'district_id').map(String));
    expect(column(prepared.training.account!, 'district_id').every((k) => keys.has(String(k)))).toBe(true);
    const accounts = new Set(column(prepared.training.account!, 'account_id').map(String));
    const loans = column(prepared.training.loan!, 'account_id');
    expect(loans.length).toBeGreaterThan(0);
    expect(loans.every((k) => accounts.has(String(k)))).toBe(true);
    // Rows left out by the limit are not reported as dangling.
    expect(prepared.warnings.filter((w) => /no existing/.test(w))).toEqual([]);
  });

  it('holds out whole subtrees for the report: no held-out row is learned, every row is in one of both', () => {
    const prepared = prepareRelational({ ...real, holdout: { fraction: 0.2, minRows: 50 } });
    const held = new Set(column(prepared.evaluation.district!.holdout, 'district_id').map(String));
    expect(held.size).toBe(15);
    for (const t of prepared.plan.order) {
      const ev = prepared.evaluation[t]!;
      expect(ev.train.rows.length + ev.holdout.rows.length, t).toBe(real.tables[t]!.rows.length);
      expect(ev.holdout.rows.length, t).toBeGreaterThan(0);
    }
    // Accounts of held-out districts are all held out, and their loans with them.
    expect(column(prepared.evaluation.account!.train, 'district_id').some((d) => held.has(String(d)))).toBe(false);
    expect(column(prepared.evaluation.account!.holdout, 'district_id').every((d) => held.has(String(d)))).toBe(true);
    const heldAccounts = new Set(column(prepared.evaluation.account!.holdout, 'account_id').map(String));
    expect(column(prepared.training.loan!, 'account_id').some((a) => heldAccounts.has(String(a)))).toBe(false);
  });

  it('holds out below a root too small for it: a fifth of the accounts with their subtrees, still counted in their district', () => {
    const prepared = prepareRelational({ ...real, holdout: { fraction: 0.2, minRows: 500 } });
    expect(prepared.evaluation.district!.holdout.rows.length).toBe(0);
    expect(prepared.evaluation.client!.holdout.rows.length).toBe(0);
    expect(prepared.evaluation.account!.holdout.rows.length).toBe(Math.round(0.2 * real.tables.account!.rows.length));
    const heldAccounts = new Set(column(prepared.evaluation.account!.holdout, 'account_id').map(String));
    for (const t of ['disp', 'loan', 'order']) {
      const ev = prepared.evaluation[t]!;
      expect(ev.train.rows.length + ev.holdout.rows.length, t).toBe(real.tables[t]!.rows.length);
      expect(
        column(ev.train, 'account_id').some((a) => heldAccounts.has(String(a))),
        t,
      ).toBe(false);
      expect(
        column(ev.holdout, 'account_id').every((a) => heldAccounts.has(String(a))),
        t,
      ).toBe(true);
    }
    // The district's learned number of accounts is the real one (held-out accounts included).
    const counts = column(prepared.training.district!, '__children_account').map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(real.tables.account!.rows.length);
  });

  it('shares the time budget among the tables of the database: each table stops at its share, within the whole budget', async () => {
    await initBackend('wasm');
    const config = structuredClone(real.config);
    config.settings.maxTrainingRows = 60;
    config.settings.epochs = 10_000;
    config.settings.timeBudgetSeconds = 6;
    const prepared = prepareRelational({ ...real, config });
    const model = await fitRelational(prepared);
    try {
      const networks = prepared.plan.order.filter((t) => model.models[t]!.net);
      expect(networks.length).toBeGreaterThan(2);
      const budgets = Object.fromEntries(networks.map((t) => [t, model.models[t]!.trainOptions!.timeBudgetMs]));
      // Each table's share is of the time left; together they stay within the database's budget.
      const sum = Object.values(budgets).reduce((a, b) => a + b, 0);
      expect(sum).toBeLessThanOrEqual(6000 + 1000 * networks.length);
      expect(Object.values(budgets).every((b) => b >= 1000)).toBe(true);
      // Not 10,000 epochs per table: each stopped at its share of the budget (or converged), far from the epoch limit.
      for (const t of networks) {
        expect(model.models[t]!.net!.stoppedBy, t).not.toBe('max-epochs');
        expect(model.models[t]!.net!.history.length, t).toBeLessThan(10_000);
      }
    } finally {
      disposeRelational(model);
    }
  }, 120_000);
});
