/**
 * The site queue in the app's settings, in real Chromium over the real host and the local Redis:
 * a Redis URL with a password is stored with the password sealed (never in clear in the store or
 * on the page), the page shows whether site workers are connected, and once the queue is set a
 * run started in the app goes to it and is run by a `doppel worker`.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type ApiEvent } from '../../src/shared';
import { dropQueue, startWorker, stopWorkers, writeOrders, type SiteWorkerProcess } from '../site/helpers';
import { Redis } from 'ioredis';
import { startApp, type App } from './harness';

const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const queueName = `doppel-shards-ui-${randomBytes(4).toString('hex')}`;
let app: App;
let page: Page;
const workers: SiteWorkerProcess[] = [];
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });

/** The store's rows as they are on disk (read-only, beside the running app). */
function storeRows(sql: string): Array<Record<string, unknown>> {
  const db = new Database(path.join(app.dir, 'store', 'store.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  app = await startApp();
  page = app.page;
  page.setDefaultTimeout(30_000);
  // The site key the app seals with, copied to the worker as a site would.
  writeFileSync(path.join(app.dir, 'store', 'site.key'), randomBytes(32), { mode: 0o600 });
  await page.goto(`${app.launched.host.url}#/settings`);
}, 300_000);

afterAll(async () => {
  await stopWorkers(workers);
  await dropQueue(redis, queueName);
  redis.disconnect();
  await app?.close();
});

describe('the site queue setting', () => {
  it('stores the Redis URL with its password sealed, shows connected workers, and sends runs to the queue', async () => {
    const section = page.getByRole('region', { name: 'Site queue' });
    await expect.poll(() => section.getByTestId('queue-status').textContent()).toContain('No site queue is set: executions run on this machine.');
    await expect.poll(() => section.getByText('Runs on this machine').isVisible()).toBe(true);

    // A URL with a password: stored without it, the password sealed apart.
    await section.getByLabel('Redis URL').fill(`redis://:${PASSWORD}@127.0.0.1:6379`);
    await section.getByLabel('Queue name').fill(queueName);
    await section.getByRole('button', { name: 'Use this queue' }).click();
    await expect.poll(() => section.getByLabel('Redis URL').inputValue()).toBe('redis://127.0.0.1:6379');
    await expect.poll(() => section.getByText('A password is stored, sealed.').isVisible()).toBe(true);
    await app.shot('settings-site-queue-sealed');
    const meta = storeRows("select value from store_meta where name = 'site-queue'");
    expect(JSON.parse(String(meta[0]!.value))).toEqual({ url: 'redis://127.0.0.1:6379', name: queueName, shardRows: 50_000 });
    const sealed = storeRows("select value from secrets where name = 'site-queue-password'");
    expect(sealed).toHaveLength(1);
    expect(Buffer.from(sealed[0]!.value as Buffer).includes(PASSWORD)).toBe(false);
    expect(JSON.stringify(storeRows('select * from store_meta'))).not.toContain(PASSWORD);
    expect(await page.content()).not.toContain(PASSWORD);

    // Back to this machine: the sealed password goes too. Then the queue again, without a password.
    await section.getByRole('button', { name: 'Run on this machine' }).click();
    await expect.poll(() => section.getByTestId('queue-status').textContent()).toContain('No site queue is set');
    expect(storeRows("select name from secrets where name = 'site-queue-password'")).toEqual([]);
    await section.getByLabel('Redis URL').fill('redis://127.0.0.1:6379');
    await section.getByLabel('Queue name').fill(queueName);
    await section.getByRole('button', { name: 'Use this queue' }).click();
    await expect.poll(() => section.getByTestId('queue-status').textContent()).toContain(`No site worker is connected to the queue "${queueName}"`);
    expect(await section.getByText('Queue unreachable').count()).toBe(0);

    // A worker starts: the page shows it connected.
    const worker = startWorker({ queueName, store: path.join(app.dir, 'worker-store'), env: { DOPPEL_SITE_KEY: path.join(app.dir, 'store', 'site.key') } });
    workers.push(worker);
    const workerPid = await worker.pid;
    await section.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => section.getByText('1 worker connected').isVisible(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => section.getByTestId('queue-status').textContent()).toContain(`1 site worker connected to the queue "${queueName}"`);
    await app.shot('settings-site-queue-worker');

    // A run started in the app now goes to the queue and is run by that worker.
    const csv = path.join(app.dir, 'orders.csv');
    writeOrders(csv);
    const { services } = app.launched;
    const source = { kind: 'files' as const, path: csv };
    const { metadata } = await services.sources.inspect(source);
    const config = defaultConfig(metadata, source, { name: 'queued orders' });
    config.settings.epochs = 2;
    config.settings.outputSize = { mode: 'rows', rows: 500 };
    const synthesis = services.store.syntheses.save({ name: config.name, sourceId: null, config });
    const logs: string[] = [];
    const off = services.jobs.subscribe((e: ApiEvent) => {
      if (e.event.type === 'log') logs.push(e.event.message);
    });
    const started = await services.executions.start(synthesis.id);
    const done = await services.jobs.wait(started.id);
    off();
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(logs.join('\n')).toContain(`Submitted to the site queue "${queueName}" at redis://127.0.0.1:6379`);
    expect(logs.join('\n')).toMatch(new RegExp(`Running on site worker [^\\s:]+:${workerPid}\\.`));
    // The worker's own line comes through its CLI's stderr, maybe after the queue said the job completed.
    await expect.poll(() => worker.output(), { timeout: 30_000 }).toContain(`execution ${started.id} done`);
  }, 600_000);
});
