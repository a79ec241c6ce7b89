/**
 * `doppel generate` of a relational synthesis from the stored model alone: a root, a child and a
 * grandchild with text keys, a table name with a dot, a non-context FK; the source deleted.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/data/store/index';
import type { CellValue, RowBatch } from '../../src/shared/values';
import { readRelationalArtifact, RELATIONAL_JSON } from '../../src/worker/engine/relational/artifacts';
import { readGenerationArtifact } from '../../src/worker/engine/generation-artifacts';
import { createRng } from '../../src/worker/engine/rng';
import type { PreparedTable } from '../../src/worker/engine/table-model';
import { columnOf } from '../helpers/batches';
import { artifactTexts, generateWithoutSource, trainBy } from './generate-again';
import { sqliteTable, tempDir } from './helpers';

const dir = tempDir('gen-relational');
const store = path.join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROOT = 'acct.holders';
const CHILD = 'orders';
const GRAND = 'order.lines';
const SEGMENTS = ['retail', 'business', 'premium'];
const CITIES = ['Lyon', 'Porto', 'Graz', 'Turku'];
const CHANNELS = ['web', 'shop', 'phone'];
const PRODUCTS = ['bolt', 'nut', 'gear', 'belt', 'chain'];
/** Rare values planted in the data (seen fewer times than the rare-category threshold): never in the workspace in clear. */
const RARE_CITY = 'Xylophonia';
const RARE_CHANNEL = 'zeppelin-post';

/**
 * Holders (segment, city, balance), their orders (0 to 6; premium holders order more and larger
 * amounts), each order's lines numbered 1..k. A third of the orders name a referrer (another
 * holder, non-context FK).
 */
function buildSource(file: string): void {
  const rng = createRng(3);
  const db = new Database(file);
  db.exec(`CREATE TABLE "${ROOT}" (code TEXT PRIMARY KEY, segment TEXT NOT NULL, city TEXT NOT NULL, balance REAL NOT NULL)`);
  db.exec(
    `CREATE TABLE "${CHILD}" (code TEXT PRIMARY KEY, holder TEXT NOT NULL REFERENCES "${ROOT}"(code), referrer TEXT REFERENCES "${ROOT}"(code), channel TEXT NOT NULL, amount REAL NOT NULL)`,
  );
  db.exec(
    `CREATE TABLE "${GRAND}" (code TEXT PRIMARY KEY, order_code TEXT NOT NULL REFERENCES "${CHILD}"(code), line_no INTEGER NOT NULL, product TEXT NOT NULL, qty INTEGER NOT NULL)`,
  );
  const holders: string[] = [];
  let orderNo = 0;
  let lineNo = 0;
  const insH = db.prepare(`INSERT INTO "${ROOT}" VALUES (?, ?, ?, ?)`);
  const insO = db.prepare(`INSERT INTO "${CHILD}" VALUES (?, ?, ?, ?, ?)`);
  const insL = db.prepare(`INSERT INTO "${GRAND}" VALUES (?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (let h = 0; h < 320; h++) {
      const code = `H-${String(h + 1).padStart(4, '0')}`;
      const segment = SEGMENTS[rng.int(3)]!;
      const city = h === 17 || h === 211 ? RARE_CITY : CITIES[rng.int(4)]!;
      const premium = segment === 'premium';
      insH.run(code, segment, city, Math.round((premium ? 5000 : 800) * (0.5 + rng.next()) * 100) / 100);
      holders.push(code);
      const orders = premium ? 3 + rng.int(4) : rng.int(3);
      for (let o = 0; o < orders; o++) {
        const oc = `O-${String(++orderNo).padStart(5, '0')}`;
        const referrer = h > 0 && rng.next() < 0.33 ? holders[rng.int(h)]! : null;
        const channel = orderNo === 40 ? RARE_CHANNEL : CHANNELS[rng.int(3)]!;
        insO.run(oc, code, referrer, channel, Math.round((premium ? 400 : 60) * (0.5 + rng.next()) * 100) / 100);
        const lines = 1 + rng.int(3);
        for (let l = 1; l <= lines; l++) insL.run(`L-${String(++lineNo).padStart(6, '0')}`, oc, l, PRODUCTS[rng.int(5)]!, 1 + rng.int(4));
      }
    }
  })();
  db.close();
}

const col = (b: RowBatch, name: string): CellValue[] => columnOf(b, name);

/** Every FK of the output points at an output row, every key is unique. */
function checkIntegrity(out: Record<string, RowBatch>): void {
  for (const t of [ROOT, CHILD, GRAND]) expect(new Set(col(out[t]!, 'code')).size, t).toBe(out[t]!.rows.length);
  const holders = new Set(col(out[ROOT]!, 'code'));
  const orders = new Set(col(out[CHILD]!, 'code'));
  expect(col(out[CHILD]!, 'holder').filter((v) => !holders.has(v))).toEqual([]);
  expect(col(out[CHILD]!, 'referrer').filter((v) => v !== null && !holders.has(v))).toEqual([]);
  expect(col(out[GRAND]!, 'order_code').filter((v) => !orders.has(v))).toEqual([]);
}

/** Share of holders with 0, 1, ... orders (the last bin: 6 and more). */
function childCounts(out: Record<string, RowBatch>): number[] {
  const per = new Map<CellValue, number>();
  for (const h of col(out[CHILD]!, 'holder')) per.set(h, (per.get(h) ?? 0) + 1);
  const bins = new Array<number>(7).fill(0);
  for (const h of col(out[ROOT]!, 'code')) bins[Math.min(6, per.get(h) ?? 0)]! += 1 / out[ROOT]!.rows.length;
  return bins;
}

/** Mean order amount of premium holders over that of the others (the pair trend across the context FK). */
function premiumRatio(out: Record<string, RowBatch>): number {
  const segment = new Map(out[ROOT]!.rows.map((r) => [r[out[ROOT]!.columns.indexOf('code')], r[out[ROOT]!.columns.indexOf('segment')]]));
  const o = out[CHILD]!;
  const [hi, ai] = [o.columns.indexOf('holder'), o.columns.indexOf('amount')];
  const mean = (rows: CellValue[][]): number => rows.reduce((a, r) => a + Number(r[ai]), 0) / Math.max(1, rows.length);
  return mean(o.rows.filter((r) => segment.get(r[hi]) === 'premium')) / mean(o.rows.filter((r) => segment.get(r[hi]) !== 'premium'));
}

/** Mean number of orders of a premium holder over that of the others (child counts are learned with the parent's values). */
function premiumOrders(out: Record<string, RowBatch>): number {
  const r = out[ROOT]!;
  const per = new Map<CellValue, number>();
  for (const h of col(out[CHILD]!, 'holder')) per.set(h, (per.get(h) ?? 0) + 1);
  const [ci, si] = [r.columns.indexOf('code'), r.columns.indexOf('segment')];
  const mean = (rows: CellValue[][]): number => rows.reduce((a, x) => a + (per.get(x[ci] ?? null) ?? 0), 0) / Math.max(1, rows.length);
  return mean(r.rows.filter((x) => x[si] === 'premium')) / Math.max(1e-9, mean(r.rows.filter((x) => x[si] !== 'premium')));
}

const readAll = (file: string): Record<string, RowBatch> => Object.fromEntries([ROOT, CHILD, GRAND].map((t) => [t, sqliteTable(file, t)]));

describe('doppel generate of a relational synthesis from the stored artifacts alone', () => {
  it('generates root, child and grandchild with the source deleted: FKs valid, counts and trends as in the first run, the same rows as from the source', async () => {
    const source = path.join(dir, 'source.sqlite');
    buildSource(source);
    const real = readAll(source);
    const first = await trainBy({
      source: `sqlite:${source}`,
      store,
      cfgFile: path.join(dir, 'config.json'),
      adjust: (config) => {
        config.settings.epochs = 5;
        for (const [t, c] of [
          [ROOT, 'segment'],
          [ROOT, 'city'],
          [CHILD, 'channel'],
          [GRAND, 'product'],
        ] as const)
          config.tables[t]!.columns[c]!.sdtype = 'categorical';
      },
    });
    const { config, workspace } = first;
    expect(existsSync(path.join(workspace, RELATIONAL_JSON))).toBe(true);

    // No real value of a synthesized column in clear: the rare ones are protected and no artifact names them.
    for (const { file, text } of artifactTexts(workspace)) {
      expect(text, file).not.toContain(RARE_CITY);
      expect(text, file).not.toContain(RARE_CHANNEL);
    }

    // The copy filter read back from the artifacts still refuses an exact copy of a rare training line.
    const key = openStore(store);
    let artifactKey: string;
    try {
      artifactKey = key.artifactKey(first.executionId);
    } finally {
      key.close();
    }
    const tables: Record<string, PreparedTable> = Object.fromEntries(
      await Promise.all([ROOT, CHILD, GRAND].map(async (t) => [t, (await readGenerationArtifact(workspace, t, artifactKey))!])),
    );
    const stored = await readRelationalArtifact({
      from: workspace,
      config,
      metadata: { tables: [], relationships: [] },
      tables,
      effective: { tables: {} },
      artifactKey,
    });
    expect(stored).not.toBeNull();
    // An order is its channel and amount on the modelled columns that reach the output (keys are regenerated).
    const modelled = tables[CHILD]!.plans.filter((p) => p.role === 'model' && !p.name.startsWith('__')).map((p) => p.name);
    expect(modelled.sort()).toEqual(['amount', 'channel']);
    const tuple = (r: CellValue[], cs: string[]): string => modelled.map((c) => String(r[cs.indexOf(c)])).join('|');
    const realOrders = real[CHILD]!;
    const counts = new Map<string, number>();
    for (const r of realOrders.rows) counts.set(tuple(r, realOrders.columns), (counts.get(tuple(r, realOrders.columns)) ?? 0) + 1);
    const rareOrders = new Set([...counts].filter(([, c]) => c < 5).map(([k]) => k));
    expect(rareOrders.size).toBeGreaterThan(100);
    const filter = stored!.targets[CHILD]!.copies;
    const laidOut =
      (b: RowBatch) =>
      (r: CellValue[]): CellValue[] =>
        tables[CHILD]!.columns.map((c) => r[b.columns.indexOf(c)] ?? null);
    const asOutput = laidOut(realOrders);
    // Every order is unique (its amount), so every training order is refused (the held-out subtrees, a fifth of the holders, are not training rows).
    const refused = realOrders.rows.filter((r) => filter.isCopy(asOutput(r))).length;
    expect(refused / realOrders.rows.length).toBeGreaterThan(0.7);
    expect(filter.isCopy(asOutput([null, null, null, 'web', 0.5]))).toBe(false);

    // With the source deleted, the same seed gives the same rows as generating from the source.
    await generateWithoutSource(first, { store, source, rows: 150, seed: 5, read: readAll });

    const other = await first.generate(400, 11);
    const out = readAll(other.outputPath);
    const firstOut = readAll(first.outputPath);
    expect(out[ROOT]!.rows).toHaveLength(400);
    checkIntegrity(out);
    checkIntegrity(firstOut);
    // Orders per holder and lines per order as in the first run's output.
    const ca = childCounts(firstOut);
    const cb = childCounts(out);
    const cdf = (xs: number[]): number[] => xs.map((_, i) => xs.slice(0, i + 1).reduce((x, y) => x + y, 0));
    const ks = Math.max(...cdf(ca).map((v, i) => Math.abs(v - cdf(cb)[i]!)));
    expect(ks).toBeLessThan(0.1);
    const linesPerOrder = (o: Record<string, RowBatch>): number => o[GRAND]!.rows.length / Math.max(1, o[CHILD]!.rows.length);
    expect(Math.abs(linesPerOrder(out) - linesPerOrder(firstOut))).toBeLessThan(0.25);
    // Premium holders order more (about 4.5 times as many in the data), as in the first run; their order amounts compare as in the first run.
    expect(premiumOrders(out)).toBeGreaterThan(2);
    expect(Math.abs(Math.log(premiumOrders(out) / premiumOrders(firstOut)))).toBeLessThan(0.3);
    expect(Math.abs(Math.log(premiumRatio(out) / premiumRatio(firstOut)))).toBeLessThan(0.35);
    // No rare city or channel reaches the output; no order copies a training order (each one is rare).
    expect(col(out[ROOT]!, 'city')).not.toContain(RARE_CITY);
    expect(col(out[CHILD]!, 'channel')).not.toContain(RARE_CHANNEL);
    for (const o of [out, firstOut]) expect(o[CHILD]!.rows.filter((r) => filter.isCopy(laidOut(o[CHILD]!)(r)))).toEqual([]);
  }, 900_000);
});
