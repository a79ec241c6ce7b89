/**
 * Site workers on a relational synthesis with original-data tables: accounts (a dotted name, text
 * keys), their orders and order lines are synthesized; each order references a sales channel of
 * "ref.channels" (text keys with dots and slashes) and each channel a region of "ref.regions", both
 * kept as original data (copied as they are). Three `doppel worker` processes take the execution,
 * one is killed (SIGKILL) in the middle of a shard. The families are generated in shards; each
 * original-data table is copied once, by one shard. The PostgreSQL output must hold the original
 * tables exactly as in the source, unique keys, no orphan (FKs into original data included), and
 * equal the output of the same model and seed on a single worker and in one local process; the
 * report's children per parent, links into original data included, are those of the output; no
 * local output is recorded or exported (the data is in the destination only).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Relationship } from '../../src/shared/metadata';
import { FAMILY_ROOTS } from '../../src/worker/engine/relational/families';
import { doppel } from '../cli/helpers';
import type { ScratchDatabase } from '../helpers/db';
import { familyDb, writeSqlite } from '../relational/generated-db';
import { histogramMean } from '../../src/shared/table-stats';
import {
  bucketsOf,
  destinationChildCounts,
  expectShardRetried,
  killOneMidShard,
  querySql as query,
  REDIS,
  reportOf,
  shardStagesIn,
  stopWorkers,
  useSiteFixture,
} from './helpers';

/** Three family chunks of accounts. */
const ACCOUNTS = 3 * FAMILY_ROOTS - 100;
const CHANNELS = 240;
const REGIONS = 7;
/** The report keeps this many synthetic rows per table: far fewer orders than channels have. */
const REPORT_SAMPLE = 300;
const SYNTHESIZED = ['shop.accounts', 'orders', 'order lines'] as const;
const ORIGINALS = ['ref.channels', 'ref.regions'] as const;
const TABLES = [...SYNTHESIZED, ...ORIGINALS];
const FKS = [
  { child: 'orders', column: 'account_id', parent: 'shop.accounts' },
  { child: 'orders', column: 'channel_id', parent: 'ref.channels' },
  { child: 'order lines', column: 'order_id', parent: 'orders' },
  { child: 'ref.channels', column: 'region_id', parent: 'ref.regions' },
];

const site = useSiteFixture('site-original');
const { dir, store, env } = site;

/** Every table's rows in key order, as text. */
async function contents(db: ScratchDatabase): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of TABLES) out[t] = (await query(db, `select * from "${t}" order by id`)).map((r) => JSON.stringify(r));
  return out;
}

describe('site workers on a relational synthesis with original-data tables', () => {
  it('shard the families and copy each original table once: a worker killed mid-shard loses nothing, the originals are as in the source, no orphan, equal to one worker and to one process', async () => {
    const queueName = site.queue('doppel-origshards-test');
    const file = path.join(dir, 'shop.sqlite');
    const db = familyDb({ accounts: 400, seed: 11, reference: { channels: CHANNELS, regions: REGIONS } });
    writeSqlite(db, file);
    const cfgFile = path.join(dir, 'config.json');
    const init = await doppel(['init', `sqlite:${file}`, '-o', cfgFile], { store });
    expect(init.code, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
    config.settings.epochs = 3;
    config.settings.outputSize = { mode: 'rows', rows: ACCOUNTS };
    for (const t of ORIGINALS) {
      config.tables[t].treatment = 'original';
      for (const c of Object.values(config.tables[t].columns) as { sensitive: boolean }[]) c.sensitive = false;
    }
    // Orders are generated under their account; the channel is chosen among the original rows.
    for (const f of config.foreignKeys as (Relationship & { context?: boolean })[])
      if (f.childTable === 'orders') {
        if (f.parentTable === 'shop.accounts') f.context = true;
        else delete f.context;
      }
    writeFileSync(cfgFile, JSON.stringify(config));
    const seed = config.settings.seed as number;

    // The coordinating worker builds the report from a sample of REPORT_SAMPLE rows per table.
    env.DOPPEL_REPORT_ROWS = String(REPORT_SAMPLE);
    const three = [site.worker(queueName), site.worker(queueName), site.worker(queueName)];
    // The first shard seen half-written on a worker that does not coordinate is killed there.
    const watch = await killOneMidShard(site, queueName, three, () => true);

    const dbA = await site.database('postgres', 'doppel_origshards_site');
    const queue = ['--queue', REDIS, '--queue-name', queueName, '--shard-rows', '1000'];
    const run = await doppel(['run', cfgFile, '--json', '--to', dbA.url, ...queue], { store, env });
    const logs = (): string => `${run.stderr}\n${three.map((w) => w.output()).join('\n')}`;
    expect(run.code, logs()).toBe(0);
    expect(logs()).not.toMatch(/Generated on this worker alone/);
    const first = JSON.parse(run.stdout) as { executionId: string; rows: Record<string, number> };
    expect(first.rows['shop.accounts']).toBe(ACCOUNTS);
    expect(first.rows['ref.channels']).toBe(CHANNELS);
    expect(first.rows['ref.regions']).toBe(REGIONS);

    // One worker was killed mid-shard; its shard ran again on another worker. Three shards of
    // families (one chunk each: a chunk is more rows than a shard asks for) and one per original table.
    await expectShardRetried(site, queueName, watch.killed(), first.executionId, 3 + ORIGINALS.length);

    // Every row once, unique keys, every FK resolving, the original tables as in the source, no staging table left.
    for (const t of TABLES) {
      const [c] = await query<{ n: string; uniq: string }>(dbA, `select count(*) as n, count(distinct id) as uniq from "${t}"`);
      expect(Number(c!.n), t).toBe(first.rows[t]);
      expect(Number(c!.uniq), `${t} keys`).toBe(first.rows[t]);
    }
    for (const f of FKS) {
      const [o] = await query<{ n: string; linked: string }>(
        dbA,
        `select count(*) filter (where p.id is null) as n, count(distinct c."${f.column}") as linked from "${f.child}" c left join "${f.parent}" p on p.id = c."${f.column}"`,
      );
      expect(Number(o!.n), `${f.child}.${f.column} orphans`).toBe(0);
      expect(Number(o!.linked), `${f.child}.${f.column} parents used`).toBeGreaterThan(1);
    }
    const sqlite = new Database(file, { readonly: true });
    try {
      for (const t of ORIGINALS) {
        const real = sqlite.prepare(`select * from "${t}" order by id`).all() as Record<string, unknown>[];
        expect(
          (await query(dbA, `select * from "${t}" order by id`)).map((r) => JSON.stringify(r)),
          t,
        ).toEqual(real.map((r) => JSON.stringify(r)));
      }
    } finally {
      sqlite.close();
    }
    expect(await shardStagesIn(dbA)).toEqual([]);
    const rowsA = await contents(dbA);

    // The report's synthetic children per parent are those of every output row, links into original data included.
    const report = reportOf(store, first.executionId);
    for (const f of FKS) {
      const whole = await destinationChildCounts(dbA, f);
      const link = report.relationships.find((r) => r.parentTable === f.parent && r.childTable === f.child)!;
      expect(link.childCounts.synthetic, `${f.child} per ${f.parent}`).toEqual(bucketsOf(whole, link.childCounts.labels));
      expect(link.meanChildren.synthetic, `${f.child} per ${f.parent}`).toBeCloseTo(histogramMean(whole), 9);
    }

    // The output is in the destination only, and the app and the CLI say so: no local output is
    // recorded, none is in the execution's folder, and exporting it names where the data went.
    const listed = await doppel(['executions', '--json'], { store, env });
    const record = (JSON.parse(listed.stdout) as { id: string; outputPath: string | null; workspace: string }[]).find((e) => e.id === first.executionId)!;
    expect(record.outputPath).toBeNull();
    for (const what of [first.executionId, record.workspace]) {
      const out = path.join(dir, `export-${what === record.workspace ? 'folder' : 'id'}.zip`);
      const exported = await doppel(['export', what, '--format', 'csv', '--out', out], { store, env });
      expect(exported.code, exported.stdout).not.toBe(0);
      expect(exported.stderr).toMatch(
        what === record.workspace ? /No execution .* with synthetic data/ : /no local copy of its synthetic data: .* database destination/,
      );
      expect(existsSync(out)).toBe(false);
    }

    // The same model and seed on a single worker.
    await stopWorkers(three);
    const one = site.worker(queueName);
    await one.pid;
    const dbB = await site.database('postgres', 'doppel_origshards_site');
    const gen = await doppel(['generate', first.executionId, '--rows', String(ACCOUNTS), '--seed', String(seed), '--json', '--to', dbB.url, ...queue], {
      store,
      env,
    });
    expect(gen.code, `${gen.stderr}\n${one.output()}`).toBe(0);
    expect(await contents(dbB)).toEqual(rowsA);

    // Unsharded, in one local process: the same rows again.
    const dbC = await site.database('postgres', 'doppel_origshards_site');
    const local = await doppel(['generate', first.executionId, '--rows', String(ACCOUNTS), '--seed', String(seed), '--json', '--to', dbC.url], { store, env });
    expect(local.code, local.stderr).toBe(0);
    expect(await contents(dbC)).toEqual(rowsA);
    // A local generation keeps its output: it exports.
    const kept = JSON.parse(local.stdout) as { executionId: string };
    const out = path.join(dir, 'export-local.zip');
    const exported = await doppel(['export', kept.executionId, '--format', 'csv', '--out', out], { store, env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);

    await watch.close();
  }, 900_000);
});
