/**
 * Staging tables of sharded runs on the site's workers (local Redis, MariaDB and PostgreSQL):
 * dropped when an execution is canceled or fails, and by a worker that starts while a run that
 * is no longer running left some; and the disk guard of a sharded run, which writes the
 * destination's staging tables and no local output.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SynthesisConfig } from '../../src/shared/config';
import type { RowBatch } from '../../src/shared/values';
import { cancelKey, sealSecrets } from '../../src/data/queue/site-queue';
import { destinationDataDir } from '../../src/data/destinations/data-disk';
import { estimateOutput, guardDisk } from '../../src/worker/jobs/resource-guard';
import { recordRun, stagesKey } from '../../src/worker/site/stage-registry';
import { doppel, type CliResult } from '../cli/helpers';
import type { ScratchDatabase } from '../helpers/db';
import { querySql, REDIS, shardStagesIn, useSiteFixture, writeOrders, type SiteWorkerProcess } from './helpers';

const SHARD_ROWS = 8_000;
const ROWS = SHARD_ROWS * 5;

const site = useSiteFixture('stages', 120_000);
const { dir, store, keyFile, env, redis } = site;
const queueName = site.queue('doppel-shards-stages');
const cfgFile = path.join(dir, 'config.json');
const queueArgs = ['--queue', REDIS, '--queue-name', queueName, '--shard-rows', String(SHARD_ROWS)];

const database = (kind: 'postgres' | 'mysql'): Promise<ScratchDatabase> => site.database(kind, 'doppel_shards_stages');
const worker = (): SiteWorkerProcess => site.worker(queueName);

/** Resolves with the execution id once the first shard of a run is in its staging table. */
function firstShardDone(events: QueueEvents): Promise<string> {
  return new Promise((resolve) => {
    const on = ({ jobId }: { jobId: string }): void => {
      events.off('completed', on);
      resolve(jobId.split('.')[0]!);
    };
    events.on('completed', on);
  });
}

function errorOf(r: CliResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

beforeAll(async () => {
  writeOrders(path.join(dir, 'orders.csv'));
  expect((await doppel(['init', path.join(dir, 'orders.csv'), '-o', cfgFile], { store })).code).toBe(0);
  const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
  config.settings.epochs = 2;
  config.settings.outputSize = { mode: 'rows', rows: ROWS };
  writeFileSync(cfgFile, JSON.stringify(config));
  await Promise.all([worker().pid, worker().pid]);
}, 120_000);

describe('shard staging tables', () => {
  it('are dropped when the execution is canceled after some shards were written', async () => {
    const db = await database('mysql');
    const events = new QueueEvents(`${queueName}-shards`, { connection: redis.duplicate() });
    await events.waitUntilReady();
    const shard = firstShardDone(events);
    const run = doppel(['run', cfgFile, '--json', '--to', db.url, ...queueArgs], { store, env });
    const executionId = await shard;
    expect((await shardStagesIn(db)).length, 'a shard is in its staging table').toBeGreaterThan(0);
    // What the app's cancel does on a site queue.
    await redis.set(cancelKey(queueName, executionId), '1', 'EX', 600);
    const result = await run;
    expect(result.code).not.toBe(0);
    expect(errorOf(result)).toMatch(/canceled/i);
    expect(await shardStagesIn(db)).toEqual([]);
    expect(await querySql(db, "select table_name from information_schema.tables where table_schema = database() and table_name = 'orders'")).toEqual([]);
    expect(await redis.hlen(stagesKey(queueName))).toBe(0);
    await events.close();
  }, 900_000);

  it('are dropped when the execution fails at the swap, which the execution reports (not a cancel), and the table in the way is left as it was', async () => {
    const db = await database('postgres');
    const events = new QueueEvents(`${queueName}-shards`, { connection: redis.duplicate() });
    await events.waitUntilReady();
    const shard = firstShardDone(events);
    const run = doppel(['run', cfgFile, '--json', '--to', db.url, ...queueArgs], { store, env });
    const executionId = await shard;
    // A table of that name appears after the destination check: the swap (table mode "create") must refuse it.
    await querySql(db, 'create table orders (note text)');
    await querySql(db, "insert into orders values ('kept')");
    // A reader holds a written shard's staging table, so the failed run's clean-up (which sets the
    // execution's cancel key to stop the shards) waits until the workers have seen that key.
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    const [stage] = await shardStagesIn(db);
    await reader.query('begin');
    await reader.query(`lock table ${stage} in access share mode`);
    while (!(await redis.exists(cancelKey(queueName, executionId)))) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2500)); // the workers look at the cancel key every second
    await reader.query('commit');
    await reader.end();
    const result = await run;
    expect(result.code).not.toBe(0);
    expect(errorOf(result)).toMatch(/Table "orders" of \S+ already has rows/);
    expect(errorOf(result)).not.toMatch(/canceled/i);
    expect(await shardStagesIn(db)).toEqual([]);
    expect(await querySql(db, 'select note from orders')).toEqual([{ note: 'kept' }]);
    expect(await redis.hlen(stagesKey(queueName))).toBe(0);
    await events.close();
  }, 900_000);

  it('of a run that is no longer running are dropped by a worker when it starts; other tables are left alone', async () => {
    const db = await database('mysql');
    const prefix = `doppel_shard_gone${randomBytes(4).toString('hex')}_abc123`;
    const stale = [`${prefix}_0_0`, `${prefix}_0_1`];
    const unknown = `doppel_shard_elsewhere_def456_0_0`;
    for (const t of [...stale, unknown]) await querySql(db, `create table ${t} (order_id int primary key)`);
    const target = { kind: 'mysql' as const, host: '127.0.0.1', port: 3306, user: 'root', database: db.name };
    await recordRun(redis, queueName, prefix, {
      executionId: 'gone',
      jobId: 'execution-gone',
      attempt: null,
      destination: { kind: 'database', target, tableMode: 'create', batchSize: 10_000, parallel: 1 },
      sealed: sealSecrets(keyFile, {}),
    });
    const w = worker();
    await w.pid;
    expect(w.output()).toMatch(/dropped 2 staging table\(s\) of execution gone, no longer running/);
    expect(await shardStagesIn(db)).toEqual([unknown]);
    expect(await redis.hexists(stagesKey(queueName), prefix)).toBe(0);
  }, 300_000);
});

describe('the disk guard of a sharded run', () => {
  it('estimates the destination’s staging and no local output', async () => {
    const db = await database('mysql');
    const config = JSON.parse(readFileSync(cfgFile, 'utf8')) as SynthesisConfig;
    const lines = readFileSync(path.join(dir, 'orders.csv'), 'utf8').trim().split('\n');
    const orders: RowBatch = {
      columns: lines[0]!.split(','),
      rows: lines.slice(1).map((l) => l.split(',').map((v, i) => (i === 1 ? v : Number(v)))),
    };
    const destination = { kind: 'database' as const, target: db.spec, tableMode: 'create' as const, batchSize: 10_000, parallel: 1 };
    const dataDir = await destinationDataDir(destination, undefined);
    expect(dataDir, 'the local MariaDB reports its data folder').toBeTruthy();
    // A workspace on a smaller disk (tmpfs) than the database's: sized between the two.
    const workspace = mkdtempSync('/dev/shm/doppel-shards-guard-');
    try {
      const { statfsSync } = await import('node:fs');
      const free = (p: string): number => Number(statfsSync(p).bavail) * Number(statfsSync(p).bsize);
      const [small, large] = [free(workspace), free(dataDir!)];
      expect(small, 'the tmpfs is smaller than half the database disk').toBeLessThan(large / 2 - 2 ** 30);
      const perRow =
        estimateOutput({ ...config, settings: { ...config.settings, outputSize: { mode: 'rows', rows: 1_000_000 } } }, { orders }, { orders: 600 }).bytes / 1e6;
      const rows = Math.round((small + large / 2) / 2 / perRow);
      const sized = { ...config, destination, settings: { ...config.settings, outputSize: { mode: 'rows' as const, rows } } };
      const sharded = { localOutput: false, destination: { name: 'the destination', dataDir, copies: 2 } };

      // Written locally (one process) it cannot fit the workspace's disk; sharded it writes nothing there and fits the database's.
      await expect(guardDisk(sized, { orders }, { orders: 600 }, workspace, { localOutput: true })).rejects.toMatchObject({ code: 'INSUFFICIENT_DISK' });
      const ok = await guardDisk(sized, { orders }, { orders: 600 }, workspace, sharded);
      expect(ok.localBytes).toBe(0);
      expect(ok.destinationBytes).toBeCloseTo(2 * ok.outputBytes, -3);
      expect(ok.destinationBytes).toBeLessThan(large);

      // Twice as many rows do not fit the database's disk: refused, naming it.
      const twice = { ...sized, settings: { ...sized.settings, outputSize: { mode: 'rows' as const, rows: rows * 2 } } };
      const refused = guardDisk(twice, { orders }, { orders: 600 }, workspace, sharded);
      await expect(refused).rejects.toMatchObject({ code: 'INSUFFICIENT_DISK' });
      await expect(refused).rejects.toThrow(/staging tables, then the tables they are swapped into; nothing is written locally\); the disk of its data folder/);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('counts the rows asked for (generate --rows) instead of the output size, also without source rows at hand', async () => {
    const config = JSON.parse(readFileSync(cfgFile, 'utf8')) as SynthesisConfig;
    expect(estimateOutput(config, {}, { orders: 600 }).rows).toBe(ROWS);
    // Generating from stored artifacts reads no rows: the estimate goes by the included columns.
    const guarded = guardDisk(config, {}, { orders: 600 }, dir, { localOutput: true, count: 2_000_000_000_000 });
    await expect(guarded).rejects.toMatchObject({ code: 'INSUFFICIENT_DISK', details: { outputRows: 2_000_000_000_000 } });
    await expect(guarded).rejects.toThrow(/needs about [\d.]+ TB \(2,000,000,000,000 rows\)/);
  });

  it('refuses a sharded run on the site workers before training when the destination’s disk cannot hold it', async () => {
    const db = await database('mysql');
    const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
    config.settings.outputSize = { mode: 'rows', rows: 2_000_000_000_000 };
    const big = path.join(dir, 'big.json');
    writeFileSync(big, JSON.stringify(config));
    const result = await doppel(['run', big, '--json', '--to', db.url, ...queueArgs], { store, env });
    expect(result.code).not.toBe(0);
    const text = errorOf(result);
    expect(text).toMatch(new RegExp(`needs about [\\d.]+ TB in mysql://root@127\\.0\\.0\\.1:3306/${db.name} \\(2,000,000,000,000 rows`));
    expect(text).toMatch(/nothing is written locally\); the disk of its data folder \S+ has [\d.]+ GB free/);
    expect(text).toMatch(/database server's disk/);
    expect(await shardStagesIn(db)).toEqual([]);
    expect(await redis.hlen(stagesKey(queueName))).toBe(0);
  }, 300_000);
});
