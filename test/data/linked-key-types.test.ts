/**
 * A key and the foreign keys onto it are read as one type from a folder of files: when either side
 * is text (guessed so, or widened past its first rows), both are the files' text, so every child
 * finds its parent as the files write it ("007" is "007", never 7), in the rows loaded, the
 * synthesized output, the original-data copies, and the checks validation and inspection make.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, validateConfig, type SynthesisConfig } from '../../src/shared';
import { relationshipKey, type Relationship } from '../../src/shared/metadata';
import { openSource } from '../../src/data/sources/connector';
import { checkContainment } from '../../src/data/introspection/infer-keys';
import { computeDataFacts } from '../../src/data/introspection/data-facts';
import { loadData } from '../../src/worker/jobs/load-data';
import { inspect, runPipeline } from '../relational/pipeline-helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'doppel-keytypes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows past the 10,000 rows a file's types are guessed from. */
const ACCOUNTS = 12_000;
/** The account whose key is a word, past the guessed rows: the key column is widened to text. */
const WORD_AT = 11_000;
const SHOPS = 1_200;
const VISITS = 10_400;
const DEPOTS = 500;
const TRIPS = 10_300;
/** The trip whose depot is a word no depot has (past the guessed rows): the foreign key column is widened, the depots stay integers. */
const ODD_TRIP = 10_200;

const accountKey = (i: number): string => (i === WORD_AT ? 'A-1' : String(i));
/** Shop codes of three digits at least: "007". */
const shopCode = (i: number): string => String(i).padStart(3, '0');
/** The visits' first 10,000 rows name shops 100 and up (no leading zero: guessed integer), the later ones shops "001" to "099". */
const visitShop = (i: number): string => (i <= 10_000 ? shopCode(100 + (i % (SHOPS - 99))) : shopCode(1 + (i % 99)));

function writeFolder(): string {
  const folder = mkdtempSync(path.join(dir, 'files-'));
  const csv = (name: string, header: string, n: number, row: (i: number) => string[]): void =>
    writeFileSync(path.join(folder, `${name}.csv`), `${header}\n${Array.from({ length: n }, (_, k) => row(k + 1).join(',')).join('\n')}\n`);
  csv('acct', 'acct_id,tier', ACCOUNTS, (i) => [accountKey(i), ['gold', 'silver', 'bronze'][i % 3]!]);
  // Every account but the word one, integers all through.
  csv('orders', 'order_id,acct_id,amount', 600, (i) => [String(i), String(1 + ((i * 7919) % (ACCOUNTS - 1))), String(10 + (i % 90))]);
  csv('shop', 'shop_key,area', SHOPS, (i) => [shopCode(i), ['north', 'south'][i % 2]!]);
  csv('visits', 'visit_id,shop_key,spend', VISITS, (i) => [String(i), visitShop(i), String(i % 50)]);
  csv('depot', 'depot_id,city', DEPOTS, (i) => [String(i), ['Oslo', 'Rome', 'Lima'][i % 3]!]);
  csv('trips', 'trip_id,depot_id,km', TRIPS, (i) => [String(i), i === ODD_TRIP ? 'X-1' : String(1 + (i % DEPOTS)), String(i % 300)]);
  return folder;
}

const LINKS: Array<[string, string, string]> = [
  ['acct', 'orders', 'acct_id'],
  ['shop', 'visits', 'shop_key'],
  ['depot', 'trips', 'depot_id'],
];
const PARENT_KEY: Record<string, string> = { acct: 'acct_id', shop: 'shop_key', depot: 'depot_id' };

async function configOf(folder: string): Promise<SynthesisConfig> {
  const spec = { kind: 'files' as const, path: folder };
  const source = await openSource(spec);
  const metadata = await source.introspect();
  await source.close();
  const type = (t: string, c: string): string | undefined => metadata.tables.find((x) => x.name === t)?.columns.find((x) => x.name === c)?.storageType;
  // Guessed from the first rows: the files disagree.
  expect([type('acct', 'acct_id'), type('orders', 'acct_id')]).toEqual(['integer', 'integer']);
  expect([type('shop', 'shop_key'), type('visits', 'shop_key')]).toEqual(['string', 'integer']);
  expect([type('depot', 'depot_id'), type('trips', 'depot_id')]).toEqual(['integer', 'integer']);
  const config = defaultConfig(metadata, spec, { name: 'key types' });
  const childKey: Record<string, string> = { orders: 'order_id', visits: 'visit_id', trips: 'trip_id' };
  for (const [parent, child] of LINKS) {
    config.tables[parent]!.treatment = 'original';
    config.tables[parent]!.primaryKey = [PARENT_KEY[parent]!];
    config.tables[child]!.treatment = 'synthesize';
    config.tables[child]!.primaryKey = [childKey[child]!];
  }
  config.foreignKeys = LINKS.map(([parent, child, fk]): Relationship => ({
    parentTable: parent,
    parentColumns: [PARENT_KEY[parent]!],
    childTable: child,
    childColumns: [fk],
    origin: 'user',
  }));
  config.settings.preset = 'fast';
  config.settings.epochs = 1;
  return config;
}

describe('keys and the foreign keys onto them, read from files', () => {
  it('are read as one type, so every child finds its parent as the files write it', async () => {
    const folder = writeFolder();
    const config = await configOf(folder);

    // Inspection: the keys are inferred across the files, and validation finds them intact.
    const inspected = await inspect(config.source);
    for (const [parent, child, fk] of LINKS)
      expect(
        inspected.metadata.relationships.some((r) => r.parentTable === parent && r.childTable === child && r.childColumns[0] === fk),
        `${child}.${fk} → ${parent}`,
      ).toBe(true);
    const source = await openSource(config.source);
    try {
      for (const fk of config.foreignKeys) {
        const c = await checkContainment(source, fk, 20_000);
        // Trips hold one depot no depot has ("X-1"); every other child has its parent.
        expect({ fk: relationshipKey(fk), orphans: c.orphans, examples: c.examples }).toEqual({
          fk: relationshipKey(fk),
          orphans: fk.childTable === 'trips' ? 1 : 0,
          examples: fk.childTable === 'trips' ? ['X-1'] : [],
        });
      }
      for (const c of [config, inspected.config]) {
        const problems = validateConfig(c, inspected.metadata, await computeDataFacts(source, c));
        expect(problems.filter((p) => p.code.startsWith('FK_')).map((p) => p.message)).toEqual([]);
      }
    } finally {
      await source.close();
    }

    // Loading: both sides of every link are text, the files' cells as written.
    const data = await loadData(config, {});
    for (const [parent, child, fk] of LINKS) {
      const type = (t: string, c: string): string | undefined => data.metadata.tables.find((x) => x.name === t)?.columns.find((x) => x.name === c)?.storageType;
      expect([type(parent, PARENT_KEY[parent]!), type(child, fk)], `${child}.${fk} → ${parent}`).toEqual(['string', 'string']);
    }
    const visits = data.tables.visits!;
    const at = visits.columns.indexOf('shop_key');
    expect(visits.rows.map((r) => r[at])).toEqual(Array.from({ length: VISITS }, (_, k) => visitShop(k + 1)));

    const run = await runPipeline(config, mkdtempSync(path.join(dir, 'run-')));
    expect(run.summary.status, run.logs.join('\n')).toBe('succeeded');
    // The original-data copies keep every key as the file writes it.
    const texts: Record<string, string[]> = {
      acct: Array.from({ length: ACCOUNTS }, (_, k) => accountKey(k + 1)),
      shop: Array.from({ length: SHOPS }, (_, k) => shopCode(k + 1)),
      depot: Array.from({ length: DEPOTS }, (_, k) => String(k + 1)),
    };
    for (const [parent, child, fk] of LINKS) {
      const out = run.out[parent]!;
      const keys = out.rows.map((r) => r[out.columns.indexOf(PARENT_KEY[parent]!)]);
      expect(keys.map(String).sort(), parent).toEqual([...texts[parent]!].sort());
      // Every synthesized child names a parent of the output, as text.
      const parents = new Set(keys.map(String));
      const rows = run.out[child]!;
      const c = rows.columns.indexOf(fk);
      expect(rows.rows.length, child).toBeGreaterThan(0);
      const lost = rows.rows.map((r) => r[c]).filter((v) => v !== null && !parents.has(String(v)));
      expect(lost.slice(0, 5), `${child}: ${lost.length} row(s) name no ${parent}`).toEqual([]);
    }
    // The quality report finds every link intact: each synthesized child has its parent; of the real ones, all but the word trip.
    for (const [parent, child] of LINKS) {
      const r = run.report.relationships.find((x) => x.parentTable === parent && x.childTable === child);
      expect({ link: `${child} → ${parent}`, integrity: r?.integrity, real: r?.realIntegrity }).toEqual({
        link: `${child} → ${parent}`,
        integrity: 1,
        real: child === 'trips' ? expect.closeTo(1 - 1 / TRIPS, 6) : 1,
      });
    }
    // The shop codes the visits name keep their leading zeros.
    const outVisits = run.out.visits!;
    const codes = new Set(outVisits.rows.map((r) => String(r[outVisits.columns.indexOf('shop_key')])));
    expect([...codes].some((v) => /^0\d\d$/.test(v))).toBe(true);
  }, 900_000);
});

/** Crews of 1 to 3,000; 12,000 shifts: the first 10,000 (the rows types are guessed from) name crews as plain numbers, every 50th later one as "00" and its number, padded ("0042"); ports and calls are plain numbers all through. */
function paddedFolder(): string {
  const folder = mkdtempSync(path.join(dir, 'padded-'));
  const csv = (name: string, header: string, n: number, row: (i: number) => string[]): void =>
    writeFileSync(path.join(folder, `${name}.csv`), `${header}\n${Array.from({ length: n }, (_, k) => row(k + 1).join(',')).join('\n')}\n`);
  csv('crew.members', 'crew_id,rank', 3000, (i) => [String(i), ['cadet', 'mate', 'chief'][i % 3]!]);
  csv('crew.shifts', 'shift_id,crew_id,hours', 12_000, (i) => {
    const crew = 1 + ((i * 7919) % 3000);
    return [String(i), i > 10_000 && i % 50 === 0 ? `00${crew}` : String(crew), String(4 + (i % 9))];
  });
  csv('ports', 'port_id,country', 200, (i) => [String(i), ['NO', 'IT', 'PE'][i % 3]!]);
  csv('calls', 'call_id,port_id', 5000, (i) => [String(i), String(1 + (i % 200))]);
  return folder;
}

describe('keys guessed as numbers on both sides but written otherwise in places ("0042" for 42)', () => {
  it('are read as the files write them, so the loaded rows and the key check find the same orphans', async () => {
    const folder = paddedFolder();
    const spec = { kind: 'files' as const, path: folder };
    const inspected = await inspect(spec);
    const type = (t: string, c: string): string | undefined =>
      inspected.metadata.tables.find((x) => x.name === t)?.columns.find((x) => x.name === c)?.storageType;
    expect([type('crew_members', 'crew_id'), type('crew_shifts', 'crew_id'), type('ports', 'port_id'), type('calls', 'port_id')]).toEqual([
      'integer',
      'integer',
      'integer',
      'integer',
    ]);
    const config = inspected.config;
    for (const t of Object.values(config.tables)) t.treatment = 'synthesize';
    const shifts = config.foreignKeys.find((fk) => fk.childTable === 'crew_shifts' && fk.parentTable === 'crew_members');
    expect(shifts, 'shifts → crew inferred (40 padded keys of 12,000)').toBeDefined();
    expect(config.foreignKeys.some((fk) => fk.childTable === 'calls' && fk.parentTable === 'ports')).toBe(true);
    const source = await openSource(spec);
    let check;
    try {
      check = await checkContainment(source, shifts!, 20_000);
    } finally {
      await source.close();
    }
    expect(check.orphans).toBe(40);
    expect(check.examples.every((e) => /^00\d+$/.test(e))).toBe(true);

    const data = await loadData(config, {});
    const loadedType = (t: string, c: string): string | undefined =>
      data.metadata.tables.find((x) => x.name === t)?.columns.find((x) => x.name === c)?.storageType;
    expect([loadedType('crew_members', 'crew_id'), loadedType('crew_shifts', 'crew_id')]).toEqual(['string', 'string']);
    // Keys every file writes as plain numbers stay numbers.
    expect([loadedType('ports', 'port_id'), loadedType('calls', 'port_id')]).toEqual(['integer', 'integer']);
    const column = (t: string, c: string): unknown[] => data.tables[t]!.rows.map((r) => r[data.tables[t]!.columns.indexOf(c)]);
    const crews = new Set(column('crew_members', 'crew_id'));
    const loaded = column('crew_shifts', 'crew_id');
    expect(loaded.filter((v) => typeof v === 'string' && v.startsWith('00')).length).toBe(40);
    const orphans = loaded.filter((v) => v !== null && !crews.has(v));
    expect(orphans.length, 'orphans in the loaded rows').toBe(check.orphans);
  }, 300_000);
});
