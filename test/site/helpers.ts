/** `doppel worker` processes on the local Redis, and the small table the site-worker tests synthesize. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ScratchDatabase } from '../helpers/db';

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
