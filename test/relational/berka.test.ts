import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareRelational } from '../../src/worker/engine/relational/synthesize';
import { column, datasets, loadDataset } from './helpers';

// Whole-database synthesis of berka is tested through the pipeline (pipeline-berka.test.ts);
// these tests cover the training sample of whole subtrees, without training.
type Loaded = Awaited<ReturnType<typeof loadDataset>>;
let real: Loaded;

describe('relational training sample of berka (7 tables, depth 3)', () => {
  beforeAll(async () => {
    real = await loadDataset({ kind: 'files', path: path.join(datasets, 'berka') });
  }, 60_000);

  it('samples whole subtrees when the training rows are limited', () => {
    const config = structuredClone(real.config);
    config.settings.maxTrainingRows = 60;
    const prepared = prepareRelational({ ...real, config });
    expect(prepared.training.district!.rows.length).toBe(60);
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
});
