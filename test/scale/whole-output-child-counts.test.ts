import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { relationshipKey, type Relationship } from '../../src/shared';
import { degreesAtQuantiles, histogramMean, type ChildCountHistogram } from '../../src/shared/table-stats';
import type { RowBatch } from '../../src/shared/values';
import { ksComplement } from '../../src/worker/engine/evaluate/stats';
import { inspect, runPipeline } from '../relational/pipeline-helpers';
import { columnOf } from '../helpers/batches';
import { bucketsOf, childCountsOf } from '../helpers/child-counts';

/**
 * 300 shops (text keys with dots) and their sales, in tables with dotted names: half the shops
 * have no sale, 40% one to five, 10% between 30 and 59. The report keeps 400 synthetic rows per
 * table (DOPPEL_REPORT_ROWS), far fewer than the output's sales: a sample of them would see most
 * shops with fewer sales than they have.
 */
const SHOPS = 300;
const SAMPLE = 400;
const shopKey = (i: number): string => `sh.${String(i).padStart(3, '0')}.x`;
function degreeOf(i: number): number {
  if (i % 10 < 5) return 0;
  if (i % 10 < 9) return 1 + ((i * 7) % 5);
  return 30 + ((i * 13) % 30);
}
const LINK: Relationship = { childTable: 'sale.lines', childColumns: ['shop.code'], parentTable: 'shop.list', parentColumns: ['code'], origin: 'user' };
const KEY = relationshipKey(LINK);

const dir = mkdtempSync(path.join(os.tmpdir(), 'doppel-output-degrees-'));
const source = path.join(dir, 'shops.sqlite');

beforeAll(() => {
  const db = new Database(source);
  db.exec(`CREATE TABLE "shop.list" (code text PRIMARY KEY, region text NOT NULL);
    CREATE TABLE "sale.lines" (id integer PRIMARY KEY, "shop.code" text NOT NULL REFERENCES "shop.list"(code), amount integer NOT NULL)`);
  const shop = db.prepare('INSERT INTO "shop.list" VALUES (?, ?)');
  const sale = db.prepare('INSERT INTO "sale.lines" VALUES (?, ?, ?)');
  db.transaction(() => {
    let id = 0;
    for (let i = 0; i < SHOPS; i++) {
      shop.run(shopKey(i), ['north', 'south', 'east'][i % 3]!);
      for (let k = 0; k < degreeOf(i); k++) sale.run(++id, shopKey(i), 5 + ((id * 31) % 200) + (i % 10 === 9 ? 300 : 0));
    }
  })();
  db.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Children per shop over every row of a shop and a sale batch (shops with none counted 0). */
const histogramOf = (parents: RowBatch, children: RowBatch): ChildCountHistogram =>
  childCountsOf(columnOf(parents, 'code'), columnOf(children, 'shop.code')).histogram;

describe("a relational output larger than the report's sample", () => {
  it("reports the synthetic children per parent of every output row, not of the sample's", async () => {
    vi.stubEnv('DOPPEL_REPORT_ROWS', String(SAMPLE));
    const { config } = await inspect({ kind: 'sqlite', path: source });
    config.tables['sale.lines']!.columns.amount!.sdtype = 'numerical';
    config.settings.preset = 'fast';
    config.settings.epochs = 2;
    const run = await runPipeline(config, mkdtempSync(path.join(dir, 'run-')));
    expect(run.summary.status).toBe('succeeded');

    const sales = run.out['sale.lines']!;
    const shops = run.out['shop.list']!;
    expect(sales.rows.length).toBeGreaterThan(3 * SAMPLE);
    // The report measured a sample of the sales, yet its children per shop are the output's.
    expect(run.report.tables.find((t) => t.name === 'sale.lines')!.rows.synthetic).toBe(SAMPLE);
    const output = histogramOf(shops, sales);
    const link = run.report.relationships.find((r) => r.key === KEY)!;
    expect(link.childCounts.synthetic).toEqual(bucketsOf(output, link.childCounts.labels));
    expect(link.meanChildren.synthetic).toBeCloseTo(histogramMean(output), 9);
    expect(link.meanChildren.synthetic).toBeCloseTo(sales.rows.length / shops.rows.length, 9);

    // The cardinality score compares the source's children per shop with the output's.
    const real = histogramOf(run.real['shop.list']!, run.real['sale.lines']!);
    const degrees = (h: ChildCountHistogram): Float64Array =>
      Float64Array.from(
        degreesAtQuantiles(
          h,
          h.reduce((a, [, n]) => a + n, 0),
        ),
      );
    expect(link.cardinality).toBeCloseTo(ksComplement(degrees(real), degrees(output)), 9);
    expect(link.meanChildren.real).toBeCloseTo(histogramMean(real), 9);
  }, 600_000);
});
