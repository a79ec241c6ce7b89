import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared/values';
import { build, dispose, preprocess, synthesize, train } from '../../src/worker/engine/pipeline';
import { expectSynthetic, generatedColumns } from '../helpers/synthetic-checks';
import { relationalSetup, singleTableSetup as setup } from './helpers';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'doppel-engine-'));
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe('pipeline', () => {
  it('runs the steps, streams batches to the sink, writes artifacts and keeps a holdout', async () => {
    const { config, metadata, tables } = setup(1500, { outputSize: { mode: 'rows', rows: 1500 } });
    const logs: string[] = [];
    const prepared = await preprocess({ config, metadata, tables, workspace, log: (_l, m) => logs.push(m) });
    expect(prepared.evaluation.people?.holdout.rows.length).toBe(300);
    expect(prepared.evaluation.people?.train.rows.length).toBe(1200);
    const built = await build(prepared);
    expect(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).toContain(built.backend);
    const progress: number[] = [];
    await train(built, { onProgress: (p) => progress.push(p.done / p.total) });
    expect(progress.length).toBeGreaterThan(0);
    const batches: RowBatch[] = [];
    const result = await synthesize(built, { sink: async (_t, b) => void batches.push(b) });
    expect(result.rows.people).toBe(1500);
    expect(batches.reduce((s, b) => s + b.rows.length, 0)).toBe(1500);
    expect(batches[0]?.columns).toEqual(['id', 'x', 'y', 'c', 'd']);
    for (const f of ['encoding.json', 'training.json', 'weights.bin', 'weights.json']) expect(fs.existsSync(path.join(workspace, 'people', f))).toBe(true);
    const encoding = JSON.parse(fs.readFileSync(path.join(workspace, 'people', 'encoding.json'), 'utf8')) as { columns: { name: string }[] };
    expect(JSON.stringify(encoding)).not.toContain('RARE-PERSON');
    dispose(built);
    // Generated, not copied: no unique training row comes out, and x and y keep their link.
    const synthetic: RowBatch = { columns: batches[0]!.columns, rows: batches.flatMap((b) => b.rows) };
    expectSynthetic('people', prepared.evaluation.people!.train, synthetic, generatedColumns(config, 'people'), { quality: { dependentPairs: 1 } });
  });

  it('generates linked tables together (relational engine): parents first, every FK on an output row, subtree holdout', async () => {
    const { config, metadata, tables } = relationalSetup();
    const logs: string[] = [];
    const prepared = await preprocess({ config, metadata, tables, workspace, log: (_l, m) => logs.push(m) });
    expect(logs.some((m) => /independently/.test(m))).toBe(false);
    expect(prepared.order).toEqual(['people', 'orders']);
    // 600 people: a fifth held out with all their orders; nothing held out is learned.
    const held = new Set(prepared.evaluation.people!.holdout.rows.map((r) => String(r[0])));
    expect(held.size).toBe(120);
    expect(prepared.evaluation.people!.train.rows.length).toBe(480);
    const heldOrders = prepared.evaluation.orders!.holdout.rows;
    expect(heldOrders.length + prepared.evaluation.orders!.train.rows.length).toBe(tables.orders!.rows.length);
    expect(heldOrders.every((r) => held.has(String(r[1])))).toBe(true);
    expect(prepared.evaluation.orders!.train.rows.some((r) => held.has(String(r[1])))).toBe(false);
    const built = await build(prepared);
    const progress: number[] = [];
    await train(built, { onProgress: (p) => progress.push(p.done / p.total) });
    expect(progress.at(-1)).toBe(1);
    for (const t of ['people', 'orders'])
      for (const f of ['encoding.json', 'training.json']) expect(fs.existsSync(path.join(workspace, t, f)), `${t}/${f}`).toBe(true);
    const out: Record<string, RowBatch> = {};
    const seen: string[] = [];
    const result = await synthesize(built, {
      count: 200,
      sink: async (t, b) => {
        if (seen.at(-1) !== t) seen.push(t);
        const dst = (out[t] ??= { columns: b.columns, rows: [] });
        for (const r of b.rows) dst.rows.push(r);
      },
    });
    dispose(built);
    expect(seen).toEqual(['status', 'people', 'orders']);
    expect(result.rows.people).toBe(200);
    expect(out.orders!.columns).toEqual(['order_id', 'person_id', 'amount', 'status']);
    const ids = new Set(out.people!.rows.map((r) => String(r[0])));
    expect(out.orders!.rows.length).toBeGreaterThan(100);
    expect(out.orders!.rows.every((r) => ids.has(String(r[1])))).toBe(true);
    expect(out.orders!.rows.every((r) => r[3] === 'new' || r[3] === 'paid')).toBe(true);
    // Children follow their parent's attributes: people of group A have more orders.
    const perPerson = new Map<string, number>();
    for (const r of out.orders!.rows) perPerson.set(String(r[1]), (perPerson.get(String(r[1])) ?? 0) + 1);
    const mean = (g: string) => {
      const ps = out.people!.rows.filter((r) => r[1] === g);
      return ps.reduce((a, r) => a + (perPerson.get(String(r[0])) ?? 0), 0) / Math.max(1, ps.length);
    };
    expect(mean('A')).toBeGreaterThan(mean('B') + 1.5);
  });

  it('refuses an invalid configuration with every problem and its fix', async () => {
    const { config, metadata, tables } = setup(600);
    config.tables.people!.columns.ghost = { included: true, sdtype: 'categorical', sensitive: false, treatment: 'synthesize', options: {} };
    config.tables.people!.primaryKey = ['id', 'nope'];
    const ghost = {
      code: 'UNKNOWN_COLUMN',
      table: 'people',
      column: 'ghost',
      message: 'Column "people.ghost" is not in the source.',
      fix: 'Remove "ghost" from table "people" in the configuration or re-inspect the source.',
    };
    const pk = {
      code: 'PK_UNKNOWN_COLUMN',
      table: 'people',
      column: 'nope',
      message: 'The primary key of "people" names an unknown column "nope".',
      fix: 'Pick the primary key of "people" among its columns, or unset it.',
    };
    const refused = await preprocess({ config, metadata, tables, workspace }).then(
      () => null,
      (e: unknown) => e as { code: string; message: string; fix: string; details: unknown[] },
    );
    expect(refused?.code).toBe('VALIDATION_FAILED');
    expect(refused!.details).toHaveLength(2);
    expect(refused!.details).toEqual(expect.arrayContaining([expect.objectContaining(ghost), expect.objectContaining(pk)]));
    for (const p of [ghost, pk]) {
      expect(refused!.message).toContain(p.message);
      expect(refused!.fix).toContain(p.fix);
    }
  });

  it('stops with EXECUTION_CANCELED when the signal is aborted', async () => {
    const { config, metadata, tables } = setup(600, { epochs: 50 });
    const prepared = await preprocess({ config, metadata, tables, workspace });
    const built = await build(prepared);
    const ctl = new AbortController();
    const run = train(built, { signal: ctl.signal, onProgress: () => ctl.abort() });
    await expect(run).rejects.toMatchObject({ code: 'EXECUTION_CANCELED' });
    dispose(built);
  });
});
