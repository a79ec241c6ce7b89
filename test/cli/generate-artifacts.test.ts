import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/data/store/index';
import { createPgDatabase } from '../helpers/db';
import { doppel, tempDir } from './helpers';

const dir = tempDir('gen-artifacts');
const store = path.join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHANNELS = ['web', 'store', 'phone'];
const REGIONS = ['north', 'south', 'east', 'west'];
const TIERS = ['gold', 'silver', 'bronze'];

interface Order {
  channel: string;
  region: string;
  tier: string;
  qty: number;
  email: string;
  branch: string;
}

/**
 * 1,500 orders over categorical columns and a small integer (copies are possible), a real e-mail
 * per row (mocked away) and a branch code (kept). Planted: the combination phone/west/gold/3
 * twice only, with each of its values common, and a few other combinations seen once or twice.
 */
function orders(): Order[] {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  const out: Order[] = [];
  for (let i = 0; i < 1500; i++) {
    const channel = next() < 0.5 ? 'web' : pick(CHANNELS);
    const o = {
      channel,
      region: pick(REGIONS),
      tier: pick(TIERS),
      qty: 1 + Math.floor(next() * 3),
      email: `person${i}@realmail.example`,
      branch: `BR-${pick(['A1', 'B2', 'C3'])}`,
    };
    if (o.channel === 'phone' && o.region === 'west' && o.tier === 'gold' && o.qty === 3) o.qty = 2;
    out.push(o);
  }
  for (let k = 0; k < 2; k++) out.push({ channel: 'phone', region: 'west', tier: 'gold', qty: 3, email: `planted${k}@realmail.example`, branch: 'BR-A1' });
  return out;
}

const key = (r: { channel: unknown; region: unknown; tier: unknown; qty: unknown }): string => `${r.channel}|${r.region}|${r.tier}|${Number(r.qty)}`;

function read(file: string): Order[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('select * from orders').all() as Order[];
  } finally {
    db.close();
  }
}

function shares(rows: Order[], column: keyof Order): Record<string, number> {
  const s: Record<string, number> = {};
  for (const r of rows) s[String(r[column])] = (s[String(r[column])] ?? 0) + 1 / rows.length;
  return s;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((f) => {
    const p = path.join(folder, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Trains on `source`, removes it, generates from the stored run and checks what a user would. */
async function trainRemoveGenerate(label: string, source: string, data: Order[], removeSource: () => Promise<void>): Promise<void> {
  const cfgFile = path.join(dir, `config-${label}.json`);
  const init = await doppel(['init', source, '-o', cfgFile], { store });
  expect(init.code, init.stderr).toBe(0);
  const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
  config.settings.epochs = 6;
  const cols = config.tables.orders.columns;
  cols.email.treatment = 'mock';
  cols.branch.treatment = 'keep';
  for (const c of ['channel', 'region', 'tier']) cols[c].sdtype = 'categorical';
  writeFileSync(cfgFile, JSON.stringify(config));
  const run = await doppel(['run', cfgFile, '--json'], { store });
  expect(run.code, run.stderr).toBe(0);
  const first = JSON.parse(run.stdout) as { executionId: string; outputPath: string };

  // Protected rows: combinations seen fewer than 5 times (the default threshold); the planted one among them.
  const counts = new Map<string, number>();
  for (const o of data) counts.set(key(o), (counts.get(key(o)) ?? 0) + 1);
  const protectedRows = new Set([...counts].filter(([, c]) => c < 5).map(([k]) => k));
  expect(protectedRows.has('phone|west|gold|3')).toBe(true);

  // The artifacts hold no real e-mail and no kept value in clear.
  const workspace = path.dirname(first.outputPath);
  for (const f of filesUnder(workspace).filter((f) => !/output\.sqlite|report\.|exports/.test(f))) {
    const text = readFileSync(f, 'latin1');
    expect(text, f).not.toMatch(/realmail\.example/);
    expect(text, f).not.toMatch(/BR-[ABC]\d/);
  }

  // The source is gone: generating must not need it.
  await removeSource();
  const gen = await doppel(['generate', first.executionId.slice(0, 8), '--rows', '3000', '--seed', '9', '--json'], { store });
  expect(gen.code, gen.stderr).toBe(0);
  const second = JSON.parse(gen.stdout) as { executionId: string; outputPath: string; rows: Record<string, number> };
  expect(second.rows.orders).toBe(3000);

  const s = openStore(store);
  try {
    const steps = s.executions.get(second.executionId).steps;
    expect(steps.find((x) => x.step === 'train')?.status).toBe('skipped');
    expect(steps.find((x) => x.step === 'load')?.status).toBe('skipped');
  } finally {
    s.close();
  }

  const a = read(first.outputPath);
  const b = read(second.outputPath);
  expect(b).toHaveLength(3000);
  // No output row repeats a protected training row on its modelled columns.
  expect(b.filter((r) => protectedRows.has(key(r))).map(key)).toEqual([]);
  expect(a.filter((r) => protectedRows.has(key(r))).map(key)).toEqual([]);
  // Mocked away: no real e-mail; the same consistent fakes as the first run (same key, same pool).
  expect(b.some((r) => /realmail\.example/.test(r.email))).toBe(false);
  const firstFakes = new Set(a.map((r) => r.email));
  expect(b.filter((r) => firstFakes.has(r.email)).length).toBeGreaterThan(300);
  // Kept: the real branch codes, read back from the sealed values.
  expect(new Set(b.map((r) => r.branch))).toEqual(new Set(['BR-A1', 'BR-B2', 'BR-C3']));
  // The report compares the new output with the real side of the first run's report (no real rows read).
  const reportA = JSON.parse(readFileSync(path.join(path.dirname(first.outputPath), 'report.json'), 'utf8'));
  const reportB = JSON.parse(readFileSync(path.join(path.dirname(second.outputPath), 'report.json'), 'utf8'));
  expect(reportB.summary.settings.find((x: { label: string }) => x.label === 'Compared with')?.value).toContain(first.executionId);
  expect(reportB.summary.tables[0].real).toBe(reportA.summary.tables[0].real);
  expect(reportB.summary.quality).toBeGreaterThan(0.8);
  expect(Math.abs(reportB.tables[0].columnShapes - reportA.tables[0].columnShapes)).toBeLessThan(0.05);
  // Statistically the first run's model.
  for (const column of ['channel', 'region', 'tier', 'qty', 'branch'] as const) {
    const sa = shares(a, column);
    const sb = shares(b, column);
    for (const v of Object.keys(sa)) expect(Math.abs((sb[v] ?? 0) - sa[v]!), `${column}=${v}`).toBeLessThan(0.06);
  }
}

describe('doppel generate from the stored artifacts alone', () => {
  it('generates with the CSV source deleted: no training, no copy of a protected row, mocked and kept columns as in the first run', async () => {
    const data = orders();
    const csv = path.join(dir, 'orders.csv');
    writeFileSync(
      csv,
      ['channel,region,tier,qty,email,branch', ...data.map((o) => [o.channel, o.region, o.tier, o.qty, o.email, o.branch].join(','))].join('\n') + '\n',
    );
    await trainRemoveGenerate('csv', csv, data, async () => rmSync(csv));
  }, 480_000);

  it('generates with the PostgreSQL source schema dropped', async () => {
    const data = orders();
    const db = await createPgDatabase('doppel_artifacts');
    const admin = async (sql: string, values: unknown[] = []): Promise<void> => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        await c.query(sql, values);
      } finally {
        await c.end();
      }
    };
    try {
      await admin('CREATE TABLE orders (channel text, region text, tier text, qty integer, email text, branch text)');
      const values = data.flatMap((o) => [o.channel, o.region, o.tier, o.qty, o.email, o.branch]);
      const rows = data.map((_, i) => `(${[1, 2, 3, 4, 5, 6].map((k) => `$${i * 6 + k}`).join(', ')})`);
      await admin(`INSERT INTO orders VALUES ${rows.join(', ')}`, values);
      await trainRemoveGenerate('pg', db.url, data, () => admin('DROP SCHEMA public CASCADE'));
    } finally {
      await db.drop();
    }
  }, 480_000);
});
