import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisConfig } from '../../src/shared/config';
import type { RowBatch } from '../../src/shared/values';
import { datasetPath } from '../helpers/datasets';
import { createPgDatabase } from '../helpers/db';
import { expectSynthetic, generatedColumns } from '../helpers/synthetic-checks';
import { childCounts, column, integrity } from './helpers';
import { copyToPostgres, inspect, pgCount, pgForeignKeys, runPipeline, tempWorkspace, type PipelineRun } from './pipeline-helpers';

const workspace = tempWorkspace('berka');
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

let config: SynthesisConfig;
let run: PipelineRun;

describe('berka through the pipeline (7 tables, depth 3, a two-FK table)', () => {
  beforeAll(async () => {
    const inspected = await inspect({ kind: 'files', path: datasetPath('berka') });
    config = inspected.config;
    config.settings.device = 'wasm';
    config.settings.epochs = 3;
    run = await runPipeline(config, workspace);
  }, 240_000);

  it('generates the tables together, parents first, with real rows for the report', () => {
    const { prepared, logs, report } = run;
    expect(logs.some((l) => /synthesized independently/.test(l))).toBe(false);
    expect(prepared.order[0]).toBe('district');
    for (const fk of config.foreignKeys)
      expect(prepared.order.indexOf(fk.parentTable), `${fk.parentTable} before ${fk.childTable}`).toBeLessThan(prepared.order.indexOf(fk.childTable));
    // 77 districts are too few for a holdout: a fifth of the accounts are held out with their
    // dispositions, cards, loans and orders; districts and clients are all learned.
    const underAccount = new Set(['account', 'disp', 'card', 'loan', 'order']);
    for (const t of prepared.order) {
      const rows = report.tables.find((x) => x.name === t)!.rows;
      expect(rows.train + rows.holdout, t).toBe(run.real[t]!.rows.length);
      if (underAccount.has(t)) expect(rows.holdout, t).toBeGreaterThan(0);
      else expect(rows.holdout, t).toBe(0);
      expect(prepared.evaluation[t]!.holdout.rows.length, t).toBe(rows.holdout);
    }
    expect(report.tables.find((x) => x.name === 'account')!.rows.holdout).toBe(900);
    for (const t of prepared.order)
      for (const f of ['encoding.json', 'training.json']) expect(fs.existsSync(path.join(workspace, t, f)), `${t}/${f}`).toBe(true);
  });

  it('writes every table into the local output with unique keys and referential integrity 1.0', () => {
    for (const t of run.prepared.order) {
      const b = run.out[t]!;
      expect(b.rows.length, t).toBeGreaterThan(0);
      expect(run.summary.rows[t]).toBe(b.rows.length);
      const pk = config.tables[t]!.primaryKey[0]!;
      const keys = column(b, pk);
      expect(new Set(keys.map(String)).size, `${t}.${pk} unique`).toBe(keys.length);
      expect(
        keys.every((k) => Number.isInteger(k)),
        `${t}.${pk} integers like the source`,
      ).toBe(true);
    }
    expect(run.out.district!.rows.length).toBe(run.real.district!.rows.length);
    // Held-out accounts still count in their district's family size: the output has as many accounts as the source.
    expect(Math.abs(run.out.account!.rows.length / run.real.account!.rows.length - 1)).toBeLessThan(0.05);
    for (const fk of config.foreignKeys) expect(integrity(run.out, fk), `${fk.childTable}.${fk.childColumns[0]}`).toBe(1);
  });

  it('is no copy of the source: no unique source row reproduced, quality above independent columns', () => {
    // client, disp, account and card have one to two generated columns of few values each (a
    // type, a date): equal rows there are chance, not copies.
    for (const t of ['district', 'loan', 'order']) expectSynthetic(t, run.real[t]!, run.out[t]!, generatedColumns(config, t), { quality: t !== 'loan' });
  });

  it('keeps parents without children (accounts without a loan, dispositions without a card) in similar shares', () => {
    const zero = (c: number[]) => c.filter((x) => x === 0).length / c.length;
    for (const child of ['loan', 'card']) {
      const fk = config.foreignKeys.find((f) => f.childTable === child)!;
      const real = zero(childCounts(run.real, fk));
      const syn = zero(childCounts(run.out, fk));
      expect(real).toBeGreaterThan(0.5);
      expect(Math.abs(syn - real), child).toBeLessThan(0.1);
    }
  });

  it('links every card through its disposition and account to a district (depth 3)', () => {
    const byKey = (b: RowBatch, key: string) => new Map(b.rows.map((r) => [String(r[b.columns.indexOf(key)]), r]));
    const disp = byKey(run.out.disp!, 'disp_id');
    const account = byKey(run.out.account!, 'account_id');
    const district = byKey(run.out.district!, 'district_id');
    const di = run.out.disp!.columns.indexOf('account_id');
    const ai = run.out.account!.columns.indexOf('district_id');
    const cards = column(run.out.card!, 'disp_id');
    expect(cards.length).toBeGreaterThan(0);
    for (const d of cards) {
      const a = account.get(String(disp.get(String(d))![di]));
      expect(district.has(String(a![ai]))).toBe(true);
    }
  });

  it('assigns both FKs of disp: one disposition per client, owner/disponent ratio kept', () => {
    const clients = config.foreignKeys.find((f) => f.childTable === 'disp' && f.parentTable === 'client')!;
    expect(Math.max(...childCounts(run.real, clients))).toBe(1);
    const syn = childCounts(run.out, clients);
    expect(Math.max(...syn)).toBeLessThanOrEqual(Math.max(1, Math.ceil(run.out.disp!.rows.length / run.out.client!.rows.length)));
    const owners = (b: RowBatch) => column(b, 'type').filter((t) => t === 'OWNER').length / b.rows.length;
    expect(Math.abs(owners(run.out.disp!) - owners(run.real.disp!))).toBeLessThan(0.1);
  });

  it('loads into PostgreSQL with every FK constraint created (the database proves integrity)', async () => {
    const db = await createPgDatabase('doppel_t_relpipe_berka');
    try {
      const rows = await copyToPostgres(run, db);
      for (const t of run.prepared.order) expect(rows[t], t).toBe(run.out[t]!.rows.length);
      const fks = await pgForeignKeys(db);
      for (const fk of config.foreignKeys) expect(fks).toContain(`${fk.childTable}(${fk.childColumns[0]})->${fk.parentTable}`);
      const n = await pgCount(
        db,
        'select count(*) as n from card c join disp d on d.disp_id = c.disp_id join account a on a.account_id = d.account_id join client k on k.client_id = d.client_id join district x on x.district_id = a.district_id',
      );
      expect(n).toBe(run.out.card!.rows.length);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
