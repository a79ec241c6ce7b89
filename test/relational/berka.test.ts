import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared/values';
import { initBackend } from '../../src/worker/engine/backend';
import { prepareRelational } from '../../src/worker/engine/relational/synthesize';
import { childCounts, column, datasets, integrity, loadDataset, synthesizeInMemory } from './helpers';

type Loaded = Awaited<ReturnType<typeof loadDataset>>;
let real: Loaded;
let out: Record<string, RowBatch>;

const rowOf = (b: RowBatch, key: string, value: unknown) => {
  const i = b.columns.indexOf(key);
  const map = new Map(b.rows.map((r) => [String(r[i]), r]));
  return (v: unknown) => map.get(String(v ?? value));
};

describe('relational synthesis of berka (7 tables, depth 3)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    real = await loadDataset({ kind: 'files', path: path.join(datasets, 'berka') });
    real.config.settings.epochs = 3;
    out = await synthesizeInMemory(real);
  }, 240_000);

  it('writes every table with unique integer keys and referential integrity 1.0 on every FK', () => {
    for (const t of Object.keys(real.tables)) {
      const b = out[t]!;
      expect(b.rows.length, t).toBeGreaterThan(0);
      expect(b.columns).toEqual(real.tables[t]!.columns);
      const pk = real.config.tables[t]!.primaryKey[0]!;
      const keys = column(b, pk);
      expect(new Set(keys.map(String)).size, `${t}.${pk} unique`).toBe(keys.length);
      expect(keys.every((k) => Number.isInteger(k)), `${t}.${pk} integers like the source`).toBe(true);
    }
    for (const fk of real.config.foreignKeys) expect(integrity(out, fk), `${fk.childTable}.${fk.childColumns[0]}`).toBe(1);
  });

  it('keeps the root size and learns children per parent, including parents without children', () => {
    expect(out.district!.rows.length).toBe(real.tables.district!.rows.length);
    const loans = real.config.foreignKeys.find((f) => f.childTable === 'loan')!;
    const realCounts = childCounts(real.tables, loans);
    const synCounts = childCounts(out, loans);
    const zero = (c: number[]) => c.filter((x) => x === 0).length / c.length;
    // Most accounts have no loan, a few have one: both in the output, in similar shares.
    expect(zero(realCounts)).toBeGreaterThan(0.5);
    expect(Math.abs(zero(synCounts) - zero(realCounts))).toBeLessThan(0.15);
    expect(synCounts.some((c) => c > 0)).toBe(true);
  });

  it('generates grandchildren under their own parents (district → account → disp → card)', () => {
    const dispOf = rowOf(out.disp!, 'disp_id', null);
    const accountOf = rowOf(out.account!, 'account_id', null);
    const di = out.disp!.columns.indexOf('account_id');
    const ai = out.account!.columns.indexOf('district_id');
    const cardDisp = column(out.card!, 'disp_id');
    expect(cardDisp.length).toBeGreaterThan(0);
    for (const d of cardDisp) {
      const disp = dispOf(d);
      expect(disp).toBeDefined();
      const account = accountOf(disp![di]);
      expect(account).toBeDefined();
      expect(out.district!.rows.some((r) => r[0] === account![ai])).toBe(true);
    }
  });

  it('assigns the second FK of a two-FK table (disp → account and client) to existing rows, one disposition per client as in the data', () => {
    const clients = real.config.foreignKeys.find((f) => f.childTable === 'disp' && f.parentTable === 'client')!;
    expect(Math.max(...childCounts(real.tables, clients))).toBe(1);
    const syn = childCounts(out, clients);
    expect(Math.max(...syn)).toBeLessThanOrEqual(Math.max(1, Math.ceil(out.disp!.rows.length / out.client!.rows.length)));
    // Owners and disponents keep the ratio of the data.
    const owners = (b: RowBatch) => column(b, 'type').filter((t) => t === 'OWNER').length / b.rows.length;
    expect(Math.abs(owners(out.disp!) - owners(real.tables.disp!))).toBeLessThan(0.1);
  });

  it('samples whole subtrees when the training rows are limited', () => {
    const config = structuredClone(real.config);
    config.settings.maxTrainingRows = 60;
    config.settings.epochs = 1;
    const prepared = prepareRelational({ ...real, config });
    expect(prepared.training.district!.rows.length).toBe(60);
    const keys = new Set(column(prepared.training.district!, 'district_id').map(String));
    expect(column(prepared.training.account!, 'district_id').every((k) => keys.has(String(k)))).toBe(true);
    const accounts = new Set(column(prepared.training.account!, 'account_id').map(String));
    const loans = column(prepared.training.loan!, 'account_id');
    expect(loans.length).toBeGreaterThan(0);
    expect(loans.every((k) => accounts.has(String(k)))).toBe(true);
  });
});
