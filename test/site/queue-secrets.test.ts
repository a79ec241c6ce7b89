/**
 * No secret in clear in Redis: an execution submitted to the site queue with a destination
 * password runs on a `doppel worker`, then every key the queue left in Redis (job data, progress,
 * logs, events, results) is read back and searched for the password. The job's sealed secrets
 * must still carry it, opened with the site key, so the search looks where the password travels.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSecrets } from '../../src/data/queue/site-queue';
import { doppel } from '../cli/helpers';
import type { ScratchDatabase } from '../helpers/db';
import { querySql, REDIS, useSiteFixture, writeOrders } from './helpers';

const site = useSiteFixture('queue-secrets', 120_000);
const { dir, store, keyFile, env, redis } = site;
const queueName = site.queue('doppel-secrets-test');
let db: ScratchDatabase | null = null;

/** Every value stored under the keys that match `pattern`, whatever the key's type, as text. */
async function redisText(pattern: string): Promise<{ keys: string[]; text: string }> {
  const keys = await redis.keys(pattern);
  const parts: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') parts.push((await redis.get(key)) ?? '');
    else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')));
    else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    parts.push(key);
  }
  return { keys, text: parts.join('\n') };
}

describe('secrets of a queued execution', () => {
  it('never stand in clear in Redis: the destination password travels sealed with the site key only', async () => {
    writeOrders(path.join(dir, 'orders.csv'));
    const cfgFile = path.join(dir, 'config.json');
    expect((await doppel(['init', path.join(dir, 'orders.csv'), '-o', cfgFile], { store })).code).toBe(0);
    const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
    config.settings.epochs = 2;
    writeFileSync(cfgFile, JSON.stringify(config));

    const worker = site.worker(queueName);
    await worker.pid;
    db = await site.database('postgres', 'doppel_queue_secrets');
    // The local server trusts its clients: any password connects, so the run succeeds with this one.
    const password = `Pw-${randomBytes(9).toString('hex')}`;
    const to = db.url.replace('postgres://postgres@', `postgres://postgres:${password}@`);
    expect(to).toContain(password);

    const run = await doppel(['run', cfgFile, '--json', '--to', to, '--queue', REDIS, '--queue-name', queueName], { store, env });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { executionId: string; rows: Record<string, number> };
    const [written] = await querySql<{ n: string }>(db, 'select count(*) as n from orders');
    expect(Number(written!.n)).toBe(summary.rows.orders);

    const { keys, text } = await redisText(`*${queueName}*`);
    const jobKey = keys.find((k) => k.endsWith(`:${queueName}:execution-${summary.executionId}`));
    expect(jobKey, `the job of ${summary.executionId} among ${keys.length} keys`).toBeDefined();
    expect(keys.length).toBeGreaterThan(3);
    // The job description is in Redis, with its secrets sealed: opened with the site key, the password is there.
    const job = await redis.hgetall(jobKey!);
    const data = JSON.parse(job.data!) as { sealed: string; executionId: string };
    expect(data.executionId).toBe(summary.executionId);
    const secrets = openSecrets(keyFile, data.sealed);
    expect(secrets.destinationPassword).toBe(password);
    // Nowhere in clear: not in the job, its progress, logs, events or result; nor the execution's keys.
    expect(text.includes(password)).toBe(false);
    expect(text.includes(Buffer.from(password).toString('base64'))).toBe(false);
    const keysOfRun = [secrets.mockingKey, secrets.artifactKey].filter((k): k is string => k !== undefined);
    for (const k of keysOfRun) expect(text.includes(k)).toBe(false);
    // Nor in what the worker or the CLI printed, nor in the stored configuration.
    expect(worker.output().includes(password)).toBe(false);
    expect(run.stderr.includes(password) || run.stdout.includes(password)).toBe(false);
  }, 600_000);
});
