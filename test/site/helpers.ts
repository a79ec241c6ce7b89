/** `doppel worker` processes on the local Redis, the set-up of a site-worker test, and the small table the site-worker tests synthesize. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, expect } from 'vitest';
import { tempDir } from '../cli/helpers';
import { createDatabase, type DbKind, type ScratchDatabase } from '../helpers/db';
import { parseReport, type ReportJson } from '../../src/report/schema';
import type { ChildCountHistogram } from '../../src/shared/table-stats';
import { childCountsOf } from '../helpers/child-counts';

export { bucketsOf } from '../helpers/child-counts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REDIS = 'redis://127.0.0.1:6379';

export interface SiteWorkerProcess {
  cli: ChildProcess;
  /** The worker process that runs the jobs (named in its first line). */
  pid: Promise<number>;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `doppel worker` on a test queue; `pid` resolves once it waits for executions. */
export function startWorker(o: { queueName: string; store: string; env: Record<string, string>; lockSeconds?: number }): SiteWorkerProcess {
  const cli = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'src/main/cli/index.ts'),
      'worker',
      '--queue',
      REDIS,
      '--queue-name',
      o.queueName,
      '--lock-seconds',
      String(o.lockSeconds ?? 15),
    ],
    { cwd: root, env: { ...process.env, DOPPEL_STORE: o.store, ...o.env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  const pid = new Promise<number>((resolve, reject) => {
    cli.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /site worker [^\s:]+:(\d+) on queue/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    cli.once('exit', () => reject(new Error(`the worker ended before serving: ${text}`)));
  });
  pid.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  return { cli, pid, output: () => text, exited };
}

/**
 * What a site-worker test works in: a temporary folder with a project store and a site key
 * (`env` points the CLI and the workers at it), queues of its own on the local Redis, `doppel
 * worker`s and scratch databases; all of them are removed after the file's tests.
 */
export interface SiteFixture {
  dir: string;
  store: string;
  /** The site key the workers and the CLI seal and open secrets with. */
  keyFile: string;
  env: Record<string, string>;
  redis: Redis;
  /** A queue of the test (a fresh name), with a new site key written. */
  queue(prefix: string): string;
  /** Starts `doppel worker` on the queue. */
  worker(queueName: string): SiteWorkerProcess;
  database(kind: DbKind, prefix: string): Promise<ScratchDatabase>;
}

/** The fixture of a site-worker test file (its teardown is registered with `afterAll`). */
export function useSiteFixture(name: string, teardownMs = 300_000): SiteFixture {
  const dir = tempDir(name);
  const store = path.join(dir, 'store');
  const keyFile = path.join(dir, 'site.key');
  const env = { DOPPEL_SITE_KEY: keyFile };
  const redis = new Redis(REDIS, { maxRetriesPerRequest: null });
  const queues: string[] = [];
  const workers: SiteWorkerProcess[] = [];
  const databases: ScratchDatabase[] = [];
  afterAll(async () => {
    await stopWorkers(workers);
    for (const q of queues) await dropQueue(redis, q);
    redis.disconnect();
    for (const db of databases) await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }, teardownMs);
  return {
    dir,
    store,
    keyFile,
    env,
    redis,
    queue(prefix) {
      const queueName = `${prefix}-${randomBytes(4).toString('hex')}`;
      queues.push(queueName);
      writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
      return queueName;
    },
    worker(queueName) {
      const w = startWorker({ queueName, store, env });
      workers.push(w);
      return w;
    },
    async database(kind, prefix) {
      const db = await createDatabase(kind, prefix);
      databases.push(db);
      return db;
    },
  };
}

/** A worker killed in the middle of a shard: its pid and the shard's job. */
export interface KilledShard {
  pid: number;
  jobId: string;
}

/**
 * Watches the shards of a queue and kills (SIGKILL) the worker of the first one seen half-written
 * (`midShard(rows)`), unless that worker coordinates the execution.
 */
export async function killOneMidShard(
  f: SiteFixture,
  queueName: string,
  workers: SiteWorkerProcess[],
  midShard: (rows: number) => boolean,
): Promise<{ killed: () => KilledShard | null; close: () => Promise<void> }> {
  const pids = await Promise.all(workers.map((w) => w.pid));
  const events = new QueueEvents(`${queueName}-shards`, { connection: f.redis.duplicate() });
  await events.waitUntilReady();
  let killed: KilledShard | null = null;
  const coordinator = (): number | undefined => pids.find((_, i) => /execution \S+ started/.test(workers[i]!.output()));
  events.on('progress', ({ jobId, data }) => {
    const p = data as { rows: number; pid: number };
    if (killed || p.rows <= 0 || !midShard(p.rows) || p.pid === coordinator()) return;
    killed = { pid: p.pid, jobId };
    process.kill(p.pid, 'SIGKILL');
  });
  return { killed: () => killed, close: () => events.close() };
}

/**
 * Checks that the killed worker's shard was run again and finished on another worker, and that
 * every one of the execution's `shards` shards completed; returns the retried shard's job.
 */
export async function expectShardRetried(f: SiteFixture, queueName: string, killed: KilledShard | null, executionId: string, shards: number): Promise<Job> {
  expect(killed, 'no shard was caught half-written').not.toBeNull();
  const shardQueue = new Queue(`${queueName}-shards`, { connection: f.redis });
  try {
    const job = await Job.fromId(shardQueue, killed!.jobId);
    expect(job?.finishedOn, 'the killed shard finished').toBeTruthy();
    expect((job!.returnvalue as { pid: number }).pid).not.toBe(killed!.pid);
    expect(job!.stalledCounter + job!.attemptsMade).toBeGreaterThanOrEqual(1);
    const shardJobs = (await shardQueue.getJobs(['completed'])).filter((j) => j.id!.startsWith(`${executionId}.`));
    expect(shardJobs).toHaveLength(shards);
    return job!;
  } finally {
    await shardQueue.close();
  }
}

/** Kills the workers still running and waits for them. */
export async function stopWorkers(workers: SiteWorkerProcess[]): Promise<void> {
  for (const w of workers) if (w.cli.exitCode === null && w.cli.signalCode === null) w.cli.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
}

/** Removes a test queue, its shards queue and its keys from Redis. */
export async function dropQueue(redis: Redis, queueName: string): Promise<void> {
  for (const name of [queueName, `${queueName}-shards`]) {
    const q = new Queue(name, { connection: redis });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
  const keys = await redis.keys(`doppel:${queueName}:*`);
  if (keys.length) await redis.del(...keys);
}

/** 600 orders: a channel with uneven shares, an amount that depends on it, a count of items. */
export function writeOrders(file: string): void {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lines = ['order_id,channel,amount,items'];
  for (let i = 1; i <= 600; i++) {
    const u = next();
    const channel = u < 0.55 ? 'web' : u < 0.85 ? 'store' : 'phone';
    const base = channel === 'web' ? 40 : channel === 'store' ? 90 : 150;
    lines.push(`${i},${channel},${(base + 10 * (next() - 0.5)).toFixed(2)},${1 + Math.floor(next() * 5)}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Rows of a query on a scratch PostgreSQL or MariaDB database. */
export async function querySql<T = Record<string, unknown>>(db: ScratchDatabase, sql: string): Promise<T[]> {
  if (db.spec.kind === 'postgres') {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows as T[];
    } finally {
      await c.end();
    }
  }
  const c = await mysql.createConnection({ uri: db.url });
  try {
    return (await c.query(sql))[0] as T[];
  } finally {
    await c.end();
  }
}

/** The shard staging tables (`doppel_shard_…`) left in a scratch database. */
export async function shardStagesIn(db: ScratchDatabase): Promise<string[]> {
  const where = db.spec.kind === 'postgres' ? 'table_catalog = current_database()' : 'table_schema = database()';
  const rows = await querySql<{ n: string }>(
    db,
    `select table_name as n from information_schema.tables where ${where} and table_name like 'doppel\\_shard\\_%'`,
  );
  return rows.map((r) => r.n);
}

/** The stored report of an execution (found in the store by its id). */
export function reportOf(store: string, executionId: string): ReportJson {
  const files = readdirSync(store, { recursive: true, encoding: 'utf8' }).filter((f) => path.basename(f) === 'report.json');
  const reports = files.map((f) => parseReport(JSON.parse(readFileSync(path.join(store, f), 'utf8'))));
  const r = reports.find((x) => x.executionId === executionId);
  if (!r) throw new Error(`No report of ${executionId} in the store`);
  return r;
}

/** Children per parent along a single-column link to the parent's `id`, counted over every row of a destination. */
export async function destinationChildCounts(db: ScratchDatabase, fk: { child: string; column: string; parent: string }): Promise<ChildCountHistogram> {
  const q = (name: string): string => (db.spec.kind === 'postgres' ? `"${name}"` : `\`${name}\``);
  return childCountsOf(
    (await querySql<{ id: unknown }>(db, `select id from ${q(fk.parent)}`)).map((r) => r.id),
    (await querySql<{ k: unknown }>(db, `select ${q(fk.column)} as k from ${q(fk.child)}`)).map((r) => r.k),
  ).histogram;
}
