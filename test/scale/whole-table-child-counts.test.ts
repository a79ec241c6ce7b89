import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { relationshipKey, type SourceSpec, type SynthesisConfig } from '../../src/shared';
import { degreesAtQuantiles, type ChildCountHistogram } from '../../src/shared/table-stats';
import type { RowBatch } from '../../src/shared/values';
import { loadData, type LoadedData } from '../../src/worker/jobs/load-data';
import { buildReport } from '../../src/worker/engine/report/build';
import { ksComplement } from '../../src/worker/engine/evaluate/stats';
import { runPipeline } from '../relational/pipeline-helpers';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { columnOf } from '../helpers/batches';
import { bucketsOf, childCountsOf } from '../helpers/child-counts';
import { useFourSources } from '../helpers/four-sources';
import { sourceConfig } from '../helpers/pg-scratch';

/**
 * 2,000 shops (original data) and the sales that reference them (synthesized, sampled to a
 * training share of about a tenth): 60% of the shops have no sale, 30% one to five, 10% between
 * 50 and 109. Shop keys are texts; 180 sales have no shop.
 */
const SHOPS = 2000;
const MAX = 1500;
const shopKey = (i: number): string => `sh-${String(i).padStart(4, '0')}`;
function degreeOf(i: number): number {
  if (i % 10 < 6) return 0;
  if (i % 10 < 9) return 1 + ((i * 7) % 5);
  return 50 + ((i * 13) % 60);
}
interface Sale {
  id: number;
  shop: string | null;
  amount: number;
  channel: string;
}
const sales: Sale[] = [];
for (let i = 0; i < SHOPS; i++)
  for (let k = 0; k < degreeOf(i); k++) {
    const id = sales.length + 1;
    sales.push({ id, shop: shopKey(i), amount: 5 + ((id * 31) % 200) + (i % 10 === 9 ? 300 : 0), channel: ['web', 'store', 'phone'][(id + i) % 3]! });
  }
// Sales without a shop, spread over the table.
for (let j = 0; j < 180; j++) {
  const id = sales.length + 1;
  sales.push({ id, shop: null, amount: 5 + (id % 50), channel: 'web' });
}
const SALES = sales.length;
const KEY = relationshipKey({ childTable: 'sales', childColumns: ['shop_id'], parentTable: 'shops', parentColumns: ['code'], origin: 'user' as const });

/** The histogram computed in JavaScript from every row. */
const WHOLE = childCountsOf(
  Array.from({ length: SHOPS }, (_, i) => shopKey(i)),
  sales.map((s) => s.shop),
).histogram;

const shopRows = Array.from({ length: SHOPS }, (_, i) => [shopKey(i), `Shop ${i}`, ['north', 'south'][i % 2]!]);
const saleRows = sales.map((s) => [s.id, s.shop, s.amount, s.channel]);
const sources = useFourSources('degrees', [
  {
    name: 'shops',
    columns: [
      { name: 'code', type: 'text', primaryKey: true },
      { name: 'name', type: 'text', notNull: true },
      { name: 'region', type: 'text', notNull: true },
    ],
    rows: shopRows,
  },
  {
    name: 'sales',
    columns: [
      { name: 'id', type: 'int', primaryKey: true },
      { name: 'shop_id', type: 'text', references: 'shops(code)' },
      { name: 'amount', type: 'int', notNull: true },
      { name: 'channel', type: 'text', notNull: true },
    ],
    rows: saleRows,
  },
]);
const { dir } = sources;

async function configFor(spec: SourceSpec): Promise<SynthesisConfig> {
  const config = await sources.config(spec, MAX, (meta) => {
    if (spec.kind !== 'files') return;
    meta.tables.find((t) => t.name === 'shops')!.primaryKey = ['code'];
    meta.tables.find((t) => t.name === 'sales')!.primaryKey = ['id'];
    meta.relationships = [{ childTable: 'sales', childColumns: ['shop_id'], parentTable: 'shops', parentColumns: ['code'], origin: 'user' as const }];
  });
  config.tables.shops!.treatment = 'original';
  config.tables.sales!.treatment = 'synthesize';
  config.tables.sales!.columns.channel!.sdtype = 'categorical';
  config.tables.sales!.columns.amount!.sdtype = 'numerical';
  config.settings.preset = 'fast';
  config.settings.epochs = 2;
  return config;
}

/** The report of loaded rows against themselves, with or without the whole table's statistics. */
function relationshipOf(config: SynthesisConfig, data: LoadedData, withStats: boolean) {
  const synthetic: Record<string, RowBatch> = { sales: data.tables.sales!, shops: data.tables.shops! };
  const report = buildReport({
    config,
    metadata: data.metadata,
    realTrain: synthetic,
    realHoldout: {},
    synthetic,
    backend: 'cpu',
    stepSeconds: {},
    ...(withStats ? { wholeStats: data.wholeStats } : {}),
  });
  return report.relationships.find((r) => r.key === KEY)!;
}

describe.each(sources.sources)('children per parent of a sampled table counted over the whole tables (%s)', (_, spec) => {
  it('equal the histogram of every row, and are the real side of the report', async () => {
    const config = await configFor(spec());
    const data = await loadData(config, {});
    // The premise: the sales are a sample of about a tenth.
    expect(data.tables.sales!.rows.length).toBeLessThan(SALES / 5);
    expect(data.sourceRows.sales).toBe(SALES);
    expect(data.wholeStats.sales!.childCounts![KEY]).toEqual(WHOLE);

    const whole = relationshipOf(config, data, true);
    expect(whole.childCounts.real).toEqual(bucketsOf(WHOLE, whole.childCounts.labels));
    expect(whole.meanChildren.real).toBeCloseTo((SALES - 180) / SHOPS, 6);
    // From the sample alone, the mean is about a tenth and no shop holds 50 sales.
    const sample = relationshipOf(config, data, false);
    expect(sample.meanChildren.real).toBeLessThan(whole.meanChildren.real / 5);
    const fifty = (r: typeof whole): number =>
      r.childCounts.real.filter((_, b) => Number(r.childCounts.labels[b]!.split(/[–+]/)[0]) >= 50).reduce((a, n) => a + n, 0);
    expect(fifty(whole)).toBe(SHOPS / 10);
    expect(fifty(sample)).toBe(0);
  }, 300_000);
});

describe('children per parent of large CSV files (DuckDB and the streamed pass)', () => {
  const awkward = path.join(dir, 'awkward');
  beforeAll(() => {
    mkdirSync(awkward);
    writeFileSync(path.join(awkward, 'shops.csv'), ['code,name,region', ...shopRows.map((r) => `"${r[0]}","${r[1]}, the ${r[2]}",${r[2]}`)].join('\r\n'));
    // Quoted keys, empty keys, and keys of no shop (not counted).
    const lines = saleRows.map((r, i) => [r[0], r[1] === null ? '' : i % 7 === 0 ? `"${r[1]}"` : r[1], r[2], r[3]].join(','));
    lines.push('999001,sh-9999,10,web', '999002,"",10,web');
    writeFileSync(path.join(awkward, 'sales.csv'), ['id,shop_id,amount,channel', ...lines].join('\r\n'));
  });
  afterAll(() => {
    delete process.env['DOPPEL_DUCKDB_MIN_BYTES'];
  });

  it.each([
    ['DuckDB', '0'],
    ['the streamed pass', String(Number.MAX_SAFE_INTEGER)],
  ])(
    '%s counts them as the histogram of every row',
    async (_, minBytes) => {
      process.env['DOPPEL_DUCKDB_MIN_BYTES'] = minBytes;
      const warned = vi.spyOn(console, 'warn');
      try {
        const config = await configFor({ kind: 'files', path: awkward });
        const data = await loadData(config, {});
        expect(data.tables.sales!.rows.length).toBeLessThan(SALES / 5);
        expect(data.wholeStats.sales!.childCounts![KEY]).toEqual(WHOLE);
        // No engine fell back to the other.
        expect(warned.mock.calls.flat().join(' ')).not.toMatch(/could not read/);
      } finally {
        warned.mockRestore();
      }
    },
    300_000,
  );
});

describe('a run on a sampled PostgreSQL table', () => {
  it('generates as many sales per shop as the whole tables hold, and reports them as the real side', async () => {
    const config = await configFor(sources.pg().spec);
    const run = await runPipeline(config, mkdtempSync(path.join(dir, 'run-')));
    expect(run.summary.status).toBe('succeeded');
    expect(run.report.tables.find((t) => t.name === 'sales')!.rows.real).toBeLessThan(SALES / 5);
    expect(run.logs).toContain(
      `info: Children per parent along ${KEY} are counted over every row of the source: the output and the report follow them, not the sample's.`,
    );
    const out = run.out.sales!;
    expect(out.rows.length).toBe(SALES);
    // Sales per shop of the output (every shop, those with none included); every sale's shop is one of them.
    const { degrees, orphans } = childCountsOf(
      Array.from({ length: SHOPS }, (_, i) => shopKey(i)),
      columnOf(out, 'shop_id'),
    );
    expect(orphans).toBe(0);
    const share = (test: (d: number) => boolean): number => degrees.filter(test).length / SHOPS;
    // The whole tables: 60% of the shops without a sale, 10% with 50 or more. From the sample's
    // degrees scaled up, most shops with a few sales would have none (about 80% without a sale).
    expect(Math.abs(share((d) => d === 0) - 0.6)).toBeLessThan(0.06);
    expect(Math.abs(share((d) => d >= 40) - 0.1)).toBeLessThan(0.03);
    const real = Float64Array.from(degreesAtQuantiles(WHOLE, SHOPS));
    expect(ksComplement(real, Float64Array.from(degrees))).toBeGreaterThan(0.9);

    const link = run.report.relationships.find((r) => r.key === KEY)!;
    expect(link.childCounts.real).toEqual(bucketsOf(WHOLE, link.childCounts.labels));
    expect(link.meanChildren.real).toBeCloseTo((SALES - 180) / SHOPS, 6);
    expect(link.cardinality!).toBeGreaterThan(0.9);
  }, 600_000);
});

describe('a non-context link between two sampled PostgreSQL tables', () => {
  // 3,000 members with 5 visits each; every visit also names its coach (a second root): 60% of
  // the coaches have no visit, 30% one to five, 10% the rest (about 125 each).
  const MEMBERS = 3000;
  const COACHES = 3000;
  let links: ScratchDatabase;
  const few = Array.from({ length: COACHES }, (_, i) => i).filter((i) => i % 10 >= 6 && i % 10 < 9);
  const many = Array.from({ length: COACHES }, (_, i) => i).filter((i) => i % 10 === 9);
  const small = few.flatMap((i) => Array.from({ length: degreeOf(i) }, () => i));
  const coachOf = (v: number): number => (v < small.length ? small[v]! : many[(v - small.length) % many.length]!);
  const visits = Array.from({ length: MEMBERS * 5 }, (_, v) => v);
  const coachDegrees = (): ChildCountHistogram =>
    childCountsOf(
      Array.from({ length: COACHES }, (_, i) => i),
      visits.map(coachOf),
    ).histogram;
  beforeAll(async () => {
    links = await createPgDatabase('doppel_degrees_links');
    const c = new pg.Client({ connectionString: links.url });
    await c.connect();
    await c.query(`CREATE TABLE members (id integer PRIMARY KEY, age integer NOT NULL, city text NOT NULL);
      INSERT INTO members SELECT g, 18 + g % 60, (ARRAY['Oslo','Lima','Pune'])[1 + g % 3] FROM generate_series(1, ${MEMBERS}) g;
      CREATE TABLE coaches (code text PRIMARY KEY, sport text NOT NULL);
      CREATE TABLE visits (id integer PRIMARY KEY, member_id integer NOT NULL REFERENCES members(id), coach text NOT NULL REFERENCES coaches(code), minutes integer NOT NULL)`);
    await c.query('INSERT INTO coaches SELECT * FROM unnest($1::text[], $2::text[])', [
      Array.from({ length: COACHES }, (_, i) => `co.${i}`),
      Array.from({ length: COACHES }, (_, i) => ['swim', 'run', 'lift'][i % 3]!),
    ]);
    await c.query('INSERT INTO visits SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::int[])', [
      visits.map((v) => v + 1),
      visits.map((v) => 1 + (v % MEMBERS)),
      visits.map((v) => `co.${coachOf(v)}`),
      visits.map((v) => 10 + ((v * 7) % 50)),
    ]);
    await c.end();
  }, 120_000);
  afterAll(async () => {
    await links?.drop();
  });

  it('generates as many visits per coach as the whole tables hold', async () => {
    const config = await sourceConfig(links.spec, 'coaches');
    for (const t of ['members', 'coaches', 'visits']) config.tables[t]!.treatment = 'synthesize';
    // Visits are generated per member; their coach is matched after generation.
    for (const fk of config.foreignKeys) if (fk.childTable === 'visits') fk.context = fk.parentTable === 'members';
    config.settings.maxTrainingRows = 1500;
    config.settings.preset = 'fast';
    config.settings.epochs = 2;
    const key = relationshipKey({ childTable: 'visits', childColumns: ['coach'], parentTable: 'coaches', parentColumns: ['code'], origin: 'user' });
    const run = await runPipeline(config, mkdtempSync(path.join(dir, 'links-')));
    expect(run.summary.status).toBe('succeeded');
    expect(run.logs.join('\n')).toContain('coach chosen among the "coaches" rows by a learned matcher');
    const whole = coachDegrees();
    const link = run.report.relationships.find((r) => r.key === key)!;
    expect(link.childCounts.real).toEqual(bucketsOf(whole, link.childCounts.labels));
    // Visits per generated coach.
    const out = run.out;
    const { degrees, orphans } = childCountsOf(columnOf(out.coaches!, 'code'), columnOf(out.visits!, 'coach'));
    expect(orphans).toBe(0);
    const zero = degrees.filter((d) => d === 0).length / degrees.length;
    // From the sample's degrees (visits of a tenth of the members, coaches of a sample), about 85% of the coaches would have none.
    expect(Math.abs(zero - 0.6)).toBeLessThan(0.08);
    expect(ksComplement(Float64Array.from(degreesAtQuantiles(whole, degrees.length)), Float64Array.from(degrees))).toBeGreaterThan(0.8);
  }, 600_000);
});
