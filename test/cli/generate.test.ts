import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/data/store/index';
import { doppel, tempDir } from './helpers';

const dir = tempDir('generate');
const store = path.join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 800 orders: a channel with uneven shares and an amount that depends on it. */
function writeOrders(file: string): void {
  let seed = 11;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lines = ['channel,amount'];
  for (let i = 0; i < 800; i++) {
    const u = next();
    const channel = u < 0.55 ? 'web' : u < 0.85 ? 'store' : 'phone';
    const base = channel === 'web' ? 40 : channel === 'store' ? 90 : 150;
    lines.push(`${channel},${(base + 10 * (next() - 0.5)).toFixed(2)}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function summary(file: string): { rows: number; shares: Record<string, number>; meanByChannel: Record<string, number> } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('select channel, amount from orders').all() as { channel: string; amount: number }[];
    const shares: Record<string, number> = {};
    const sums: Record<string, number> = {};
    for (const r of rows) {
      shares[r.channel] = (shares[r.channel] ?? 0) + 1 / rows.length;
      sums[r.channel] = (sums[r.channel] ?? 0) + Number(r.amount);
    }
    const meanByChannel = Object.fromEntries(Object.entries(sums).map(([c, s]) => [c, s / (shares[c]! * rows.length)]));
    return { rows: rows.length, shares, meanByChannel };
  } finally {
    db.close();
  }
}

describe('doppel generate', () => {
  it('samples again from a trained model without training, with the asked rows, like the first run; from a generated run too', async () => {
    writeOrders(path.join(dir, 'orders.csv'));
    const cfgFile = path.join(dir, 'config.json');
    expect((await doppel(['init', path.join(dir, 'orders.csv'), '-o', cfgFile], { store })).code).toBe(0);
    const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
    config.settings.epochs = 5;
    writeFileSync(cfgFile, JSON.stringify(config));
    const run = await doppel(['run', cfgFile, '--json'], { store });
    expect(run.code, run.stderr).toBe(0);
    const first = JSON.parse(run.stdout) as { executionId: string; outputPath: string };

    const gen = await doppel(['generate', first.executionId.slice(0, 8), '--rows', '1500', '--seed', '5', '--json'], { store });
    expect(gen.code, gen.stderr).toBe(0);
    const second = JSON.parse(gen.stdout) as { executionId: string; outputPath: string; rows: Record<string, number> };
    expect(second.executionId).not.toBe(first.executionId);
    expect(second.rows.orders).toBe(1500);

    // No training step ran: it is skipped, and no training progress was recorded.
    const s = openStore(store);
    try {
      const steps = s.executions.get(second.executionId).steps;
      expect(steps.find((x) => x.step === 'train')?.status).toBe('skipped');
      expect(s.executions.get(first.executionId).steps.find((x) => x.step === 'train')?.status).toBe('done');
    } finally {
      s.close();
    }

    // Statistically the same model: channel shares and per-channel amounts as in the first output.
    const a = summary(first.outputPath);
    const b = summary(second.outputPath);
    expect(b.rows).toBe(1500);
    for (const c of ['web', 'store', 'phone']) {
      expect(Math.abs((b.shares[c] ?? 0) - (a.shares[c] ?? 0)), c).toBeLessThan(0.06);
      expect(Math.abs((b.meanByChannel[c] ?? 0) - (a.meanByChannel[c] ?? 0)) / (a.meanByChannel[c] ?? 1), c).toBeLessThan(0.1);
    }

    // Generating from the generated execution samples the same trained model again (no training).
    const again = await doppel(['generate', second.executionId, '--rows', '1200', '--seed', '6', '--json'], { store });
    expect(again.code, again.stderr).toBe(0);
    const third = JSON.parse(again.stdout) as { executionId: string; outputPath: string; rows: Record<string, number> };
    expect(third.rows.orders).toBe(1200);
    const s2 = openStore(store);
    try {
      const record = s2.executions.get(third.executionId);
      expect(record.trainedBy).toBe(first.executionId);
      expect(s2.executions.get(second.executionId).trainedBy).toBe(first.executionId);
      expect(record.steps.find((x) => x.step === 'train')?.status).toBe('skipped');
    } finally {
      s2.close();
    }
    const c3 = summary(third.outputPath);
    for (const c of ['web', 'store', 'phone']) {
      expect(Math.abs((c3.shares[c] ?? 0) - (a.shares[c] ?? 0)), c).toBeLessThan(0.06);
      expect(Math.abs((c3.meanByChannel[c] ?? 0) - (a.meanByChannel[c] ?? 0)) / (a.meanByChannel[c] ?? 1), c).toBeLessThan(0.1);
    }

    // The history names the execution whose model each generation sampled.
    const listed = await doppel(['executions'], { store });
    expect(listed.stdout).toMatch(/MODEL OF/);
    for (const id of [second.executionId, third.executionId])
      expect(
        listed.stdout
          .split('\n')
          .find((l) => l.startsWith(id))
          ?.trimEnd()
          .endsWith(first.executionId),
      ).toBe(true);
    expect(
      listed.stdout
        .split('\n')
        .find((l) => l.startsWith(first.executionId))
        ?.includes(first.executionId, 10),
    ).toBe(false);

    // Deleting the trained execution deletes its model and its artifact key: generating from it, or from
    // an execution generated from it, says so.
    const del = await doppel(['executions', 'delete', first.executionId], { store });
    expect(del.code, del.stderr).toBe(0);
    const db = new Database(path.join(store, 'store.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT name FROM secrets WHERE name = ?').pluck().get(`artifact-key:${first.executionId}`)).toBeUndefined();
    } finally {
      db.close();
    }
    const gone = await doppel(['generate', first.executionId, '--rows', '10'], { store });
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain(`No execution "${first.executionId}"`);
    const orphan = await doppel(['generate', third.executionId, '--rows', '10'], { store });
    expect(orphan.code).not.toBe(0);
    expect(orphan.stderr).toContain(`generated from the model of execution ${first.executionId}, which was deleted`);
    expect(orphan.stderr).toMatch(/Run the synthesis again/);
  }, 600_000);

  it('refuses an execution that does not exist, naming it', async () => {
    const r = await doppel(['generate', 'no-such-execution', '--rows', '10'], { store });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/No execution "no-such-execution"/);
  }, 60_000);
});
