/**
 * `doppel generate` of a relational synthesis whose synthesized tables look up an original-data
 * table (copied as it is), from the stored model and the first run's output alone: holders
 * (root) keep a home branch, their orders a pickup branch (nullable), both FKs into the original
 * "ref.branches" (text keys, dotted names); the source deleted.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { CellValue, RowBatch } from '../../src/shared/values';
import { RELATIONAL_JSON } from '../../src/worker/engine/relational/artifacts';
import { createRng } from '../../src/worker/engine/rng';
import { columnOf } from '../helpers/batches';
import { artifactTexts, generateWithoutSource, trainBy } from './generate-again';
import { doppel, sqliteTable, tempDir } from './helpers';

const dir = tempDir('gen-relational-original');
const store = path.join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BRANCHES = 'ref.branches';
const HOLDERS = 'acct.holders';
const ORDERS = 'acct.orders';
const TABLES = [BRANCHES, HOLDERS, ORDERS];
const TIERS = ['flagship', 'standard', 'kiosk'];
/** Holders per branch of each tier in the data: flagships are popular, kiosks hardly used. */
const WEIGHT: Record<string, number> = { flagship: 8, standard: 3, kiosk: 1 };
const SEGMENTS = ['retail', 'business', 'premium'];
const CHANNELS = ['web', 'shop', 'phone'];
/** Rare values planted in the data: never in the workspace in clear. */
const RARE_CHANNEL = 'zeppelin-post';
const RARE_SEGMENT = 'maharaja';

/** Branch codes and their labels are real values of the original table: no artifact names them. */
const branchCode = (b: number): string => `BR-${String(7 * b + 1013).padStart(5, '0')}`;
const branchLabel = (b: number): string => `Quayside Annex ${String.fromCharCode(65 + b)}${String.fromCharCode(90 - b)}`;

/**
 * 24 branches (region, tier), 360 holders (a home branch drawn by tier weight; premium holders
 * mostly at flagships), 0 to 5 orders each, most picked up at a branch of the holder's region
 * (15% without a pickup branch).
 */
function buildSource(file: string): void {
  const rng = createRng(21);
  const db = new Database(file);
  db.exec(`CREATE TABLE "${BRANCHES}" (code TEXT PRIMARY KEY, region TEXT NOT NULL, tier TEXT NOT NULL, label TEXT NOT NULL)`);
  db.exec(
    `CREATE TABLE "${HOLDERS}" (code TEXT PRIMARY KEY, segment TEXT NOT NULL, home_branch TEXT NOT NULL REFERENCES "${BRANCHES}"(code), balance REAL NOT NULL)`,
  );
  db.exec(
    `CREATE TABLE "${ORDERS}" (code TEXT PRIMARY KEY, holder TEXT NOT NULL REFERENCES "${HOLDERS}"(code), pickup TEXT REFERENCES "${BRANCHES}"(code), channel TEXT NOT NULL, amount REAL NOT NULL)`,
  );
  const branches = Array.from({ length: 24 }, (_, b) => ({
    code: branchCode(b),
    region: ['north', 'south', 'east'][b % 3]!,
    tier: TIERS[b % 3 === 0 ? 0 : b % 4 === 1 ? 2 : 1]!,
  }));
  const insB = db.prepare(`INSERT INTO "${BRANCHES}" VALUES (?, ?, ?, ?)`);
  const insH = db.prepare(`INSERT INTO "${HOLDERS}" VALUES (?, ?, ?, ?)`);
  const insO = db.prepare(`INSERT INTO "${ORDERS}" VALUES (?, ?, ?, ?, ?)`);
  const draw = (list: typeof branches, weight: (b: (typeof branches)[number]) => number) => {
    const total = list.reduce((a, b) => a + weight(b), 0);
    let x = rng.next() * total;
    for (const b of list) if ((x -= weight(b)) < 0) return b;
    return list[list.length - 1]!;
  };
  let orderNo = 0;
  db.transaction(() => {
    branches.forEach((b, i) => insB.run(b.code, b.region, b.tier, branchLabel(i)));
    for (let h = 0; h < 360; h++) {
      const code = `H-${String(h + 1).padStart(4, '0')}`;
      const segment = h === 77 ? RARE_SEGMENT : SEGMENTS[rng.int(3)]!;
      const premium = segment === 'premium';
      const home = draw(branches, (b) => WEIGHT[b.tier]! * (premium ? (b.tier === 'flagship' ? 6 : 0.3) : 1));
      insH.run(code, segment, home.code, Math.round((premium ? 5000 : 800) * (0.5 + rng.next()) * 100) / 100);
      const orders = rng.int(6);
      for (let o = 0; o < orders; o++) {
        const oc = `O-${String(++orderNo).padStart(5, '0')}`;
        const local = branches.filter((b) => b.region === home.region);
        const pickup = rng.next() < 0.15 ? null : draw(rng.next() < 0.85 ? local : branches, (b) => WEIGHT[b.tier]!).code;
        const channel = orderNo === 40 ? RARE_CHANNEL : CHANNELS[rng.int(3)]!;
        insO.run(oc, code, pickup, channel, Math.round((premium ? 400 : 60) * (0.5 + rng.next()) * 100) / 100);
      }
    }
  })();
  db.close();
}

const col = (b: RowBatch, name: string): CellValue[] => columnOf(b, name);

const readAll = (file: string): Record<string, RowBatch> => Object.fromEntries(TABLES.map((t) => [t, sqliteTable(file, t)]));

/** Every key unique, every FK resolving into the output (the branches: the original table's keys). */
function checkIntegrity(out: Record<string, RowBatch>, realBranches: RowBatch): void {
  for (const t of TABLES) expect(new Set(col(out[t]!, 'code')).size, t).toBe(out[t]!.rows.length);
  const branches = new Set(col(realBranches, 'code'));
  const holders = new Set(col(out[HOLDERS]!, 'code'));
  expect(col(out[HOLDERS]!, 'home_branch').filter((v) => !branches.has(v))).toEqual([]);
  expect(col(out[ORDERS]!, 'pickup').filter((v) => v !== null && !branches.has(v))).toEqual([]);
  expect(col(out[ORDERS]!, 'holder').filter((v) => !holders.has(v))).toEqual([]);
}

/** Share of the rows of `table` per tier of the branch its `fk` names (empty ones left out). */
function tierShares(out: Record<string, RowBatch>, realBranches: RowBatch, table: string, fk: string): number[] {
  const tier = new Map(realBranches.rows.map((r) => [r[realBranches.columns.indexOf('code')], r[realBranches.columns.indexOf('tier')]]));
  const named = col(out[table]!, fk).filter((v) => v !== null);
  return TIERS.map((t) => named.filter((v) => tier.get(v) === t).length / Math.max(1, named.length));
}

/** Share of the holders per branch, in branch order. */
function branchShares(out: Record<string, RowBatch>, realBranches: RowBatch): number[] {
  const homes = col(out[HOLDERS]!, 'home_branch');
  return col(realBranches, 'code').map((c) => homes.filter((h) => h === c).length / homes.length);
}

const totalVariation = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0) / 2;

describe('doppel generate of a relational synthesis with an original-data table, from the stored model alone', () => {
  it('looks up the original table from the first run output with the source deleted: the same rows as from the source, FKs and per-branch shares as in the first run', async () => {
    const source = path.join(dir, 'source.sqlite');
    buildSource(source);
    const real = readAll(source);
    const first = await trainBy({
      source: `sqlite:${source}`,
      store,
      cfgFile: path.join(dir, 'config.json'),
      adjust: (config) => {
        config.settings.epochs = 5;
        config.tables[BRANCHES]!.treatment = 'original';
        for (const [t, c] of [
          [HOLDERS, 'segment'],
          [ORDERS, 'channel'],
        ] as const)
          config.tables[t]!.columns[c]!.sdtype = 'categorical';
        for (const c of ['region', 'tier']) config.tables[BRANCHES]!.columns[c]!.sdtype = 'categorical';
      },
    });
    const { config, workspace } = first;
    const firstOut = readAll(first.outputPath);
    expect(firstOut[BRANCHES]).toEqual(real[BRANCHES]);
    expect(existsSync(path.join(workspace, RELATIONAL_JSON))).toBe(true);
    // The lookups' matchers are stored with the rows of the original table they learned on.
    const stored = JSON.parse(readFileSync(path.join(workspace, RELATIONAL_JSON), 'utf8'));
    expect(Object.keys(stored.lookups ?? {}).sort()).toEqual([HOLDERS, ORDERS]);
    expect(Object.keys(stored.heldRows ?? {})).toEqual([BRANCHES]);

    // No planted rare value, and no key or label of the original table, in clear in the workspace (the output holds the originals by design).
    const branchValues = real[BRANCHES]!.rows.flatMap((r) => [String(r[0]), String(r[3])]);
    for (const { file, text } of artifactTexts(workspace))
      for (const v of [RARE_CHANNEL, RARE_SEGMENT, ...branchValues]) expect(text.includes(v), `${v} in ${file}`).toBe(false);

    // With the source deleted, the same seed gives the same rows as generating from the source, the original table as it is.
    const { again: b } = await generateWithoutSource(first, { store, source, rows: 150, seed: config.settings.seed, read: readAll });
    expect(b[BRANCHES]).toEqual(real[BRANCHES]);

    const other = await first.generate(400, 11);
    const out = readAll(other.outputPath);
    expect(out[HOLDERS]!.rows).toHaveLength(400);
    expect(out[BRANCHES]).toEqual(real[BRANCHES]);
    checkIntegrity(out, real[BRANCHES]!);
    checkIntegrity(firstOut, real[BRANCHES]!);
    // Holders and orders spread over the branches (each branch, each tier) as in the first run.
    const realBranches = real[BRANCHES]!;
    const perBranch = totalVariation(branchShares(out, realBranches), branchShares(firstOut, realBranches));
    expect(perBranch).toBeLessThan(0.06);
    expect(totalVariation(tierShares(out, realBranches, HOLDERS, 'home_branch'), tierShares(firstOut, realBranches, HOLDERS, 'home_branch'))).toBeLessThan(
      0.05,
    );
    expect(totalVariation(tierShares(out, realBranches, ORDERS, 'pickup'), tierShares(firstOut, realBranches, ORDERS, 'pickup'))).toBeLessThan(0.05);
    // Flagships are the most used branches, kiosks the least, as in the data.
    const tiers = tierShares(out, realBranches, HOLDERS, 'home_branch');
    expect(tiers[0]!).toBeGreaterThan(tiers[1]!);
    expect(tiers[1]!).toBeGreaterThan(tiers[2]!);
    // Orders without a pickup branch at about the real share (15%).
    const empty = (o: Record<string, RowBatch>): number => col(o[ORDERS]!, 'pickup').filter((v) => v === null).length / o[ORDERS]!.rows.length;
    expect(Math.abs(empty(out) - empty(firstOut))).toBeLessThan(0.06);
    // No rare value reaches the output.
    expect(col(out[ORDERS]!, 'channel')).not.toContain(RARE_CHANNEL);
    expect(col(out[HOLDERS]!, 'segment')).not.toContain(RARE_SEGMENT);

    // The first run's output removed: generating again names the original table and what to do.
    rmSync(first.outputPath);
    const orphan = await doppel(['generate', first.executionId.slice(0, 8), '--rows', '50', '--seed', '3', '--json'], { store });
    expect(orphan.code).not.toBe(0);
    expect(orphan.stderr).toContain(`"${BRANCHES}"`);
    expect(orphan.stderr).toContain('output of the run that trained the model');
    expect(orphan.stderr).toContain('Run the synthesis again');
  }, 900_000);
});
