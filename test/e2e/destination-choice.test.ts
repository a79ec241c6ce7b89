import path from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { startApp, type App } from './harness';

// A user picks an empty PostgreSQL database by its URL without saving it, leaves the foreign keys
// off, reads in the review which names and types the destination changes, and runs: the rows land
// there under the shown names, with no foreign key, and the database was never saved as a source.
// The review checks the destination again before it starts anything (a table filled since the
// check stops it, with the reason), and the GPU asked for but missing is named on the execution page.

let app: App;
let page: Page;
let source: string;
let target: ScratchDatabase;

const long = `reading_taken_by_the_sensor_on_the_north_side_of_the_greenhouse_at_noon`;

beforeAll(async () => {
  app = await startApp();
  page = app.page;
  page.setDefaultTimeout(20_000);
  target = await createPgDatabase('doppel_e2e_dest');
  source = path.join(app.dir, 'farm.sqlite');
  const db = new Database(source);
  db.exec(`create table plot (id integer primary key, area decimal(10,2), soil text);
    create table reading (id integer primary key, plot_id integer references plot (id), "${long}" real, price decimal(10,2))`);
  const plot = db.prepare('insert into plot values (?, ?, ?)');
  for (let i = 1; i <= 40; i++) plot.run(i, 10 + ((i * 7) % 90) + 0.25, ['clay', 'sand', 'loam'][i % 3]);
  const reading = db.prepare('insert into reading values (?, ?, ?, ?)');
  for (let i = 1; i <= 120; i++) reading.run(i, 1 + (i % 40), 15 + ((i * 13) % 20) / 2, 2 + (i % 9) + 0.5);
  db.close();
  await page.goto(app.launched.host.url);
}, 180_000);

afterAll(async () => {
  await app?.close();
  await target?.drop();
});

const segment = (p: Page | Locator, control: string, option: string): Locator => p.locator(`[aria-label="${control}"]`).getByText(option, { exact: true });

async function pgQuery(sql: string): Promise<Array<Record<string, unknown>>> {
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: target.name });
  await c.connect();
  try {
    return (await c.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await c.end();
  }
}

describe('an empty PostgreSQL database as destination, entered by URL', () => {
  it('is chosen without saving, with the constraints choice; the review shows renames and types and refuses a destination that changed', async () => {
    await page.getByRole('button', { name: 'Add your first source' }).click();
    const add = page.getByRole('dialog', { name: 'Add a source' });
    await segment(add, 'Source kind', 'SQLite').click();
    await add.getByLabel('Name').fill('Farm');
    await add.getByLabel('SQLite file path').fill(source);
    await add.getByRole('button', { name: 'Add source' }).click();
    await expect.poll(() => add.isVisible(), { timeout: 30_000 }).toBe(false);

    await page.getByRole('button', { name: 'New synthesis', exact: true }).last().click();
    await expect.poll(() => page.getByRole('button', { name: 'Next: Primary keys' }).isVisible(), { timeout: 30_000 }).toBe(true);
    await page
      .getByLabel('Synthesis steps')
      .getByRole('button', { name: /^Synth settings/ })
      .click();
    await page.getByRole('button', { name: 'Advanced settings' }).click();
    await page.getByLabel('Epochs').fill('2');
    // The GPU is asked for; this machine has none, so the run falls back and the execution page says so.
    const device = page.getByLabel('Compute device', { exact: true }).first();
    await device.click();
    await page.getByRole('option', { name: 'GPU (CUDA)', exact: true }).click();
    expect(await device.inputValue()).toBe('GPU (CUDA)');
    await page
      .getByLabel('Synthesis steps')
      .getByRole('button', { name: /^Destination/ })
      .click();

    // The only saved database is the source itself: the user enters another one.
    await page.getByRole('radio', { name: /An existing database/ }).check();
    await page.getByRole('button', { name: 'Enter a database…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Destination database' });
    await dialog.getByLabel('Connection URL').fill(target.url);
    expect(await dialog.getByRole('textbox', { name: /^Database/ }).inputValue()).toBe(target.name);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect
      .poll(() => dialog.getByRole('status').textContent(), { timeout: 20_000 })
      .toContain('0 tables found (an empty database is a fine destination)');
    await app.shot('destination-by-url');
    await dialog.getByRole('button', { name: 'Use without saving' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => page.getByRole('radio', { name: /An existing database/ }).isChecked()).toBe(true);
    expect(await page.getByTestId('entered-destination').textContent()).toContain(`postgres://postgres@127.0.0.1:5432/${target.name}`);

    const off = page.getByRole('radio', { name: /Left off/ });
    expect(await page.getByRole('radio', { name: /Added after the load/ }).isChecked()).toBe(true);
    await off.check();
    await expect.poll(() => off.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Check write access' }).click();
    await expect.poll(() => page.getByText('Ready to write').isVisible(), { timeout: 20_000 }).toBe(true);
    await app.shot('destination-constraints');

    await page.getByRole('button', { name: 'Next: Review and run' }).click();
    const mapping = page.getByTestId('destination-mapping');
    await expect.poll(() => mapping.isVisible(), { timeout: 20_000 }).toBe(true);
    const renames = mapping.getByRole('table', { name: 'Rename mapping' });
    const row = renames.getByRole('row').filter({ hasText: long });
    expect(await row.count()).toBe(1);
    const stored = (await row.getByRole('cell').nth(2).textContent()) ?? '';
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(63);
    expect(stored).toMatch(/^reading_taken_by_the_sensor.*_[0-9a-f]{6}$/);
    const types = mapping.getByRole('table', { name: 'Type mapping' });
    expect(await types.getByRole('row').filter({ hasText: 'price' }).textContent()).toBe('readingpricedecimal(10,2)numeric(38,2)');
    expect(await types.getByRole('row').filter({ hasText: 'area' }).textContent()).toBe('plotareadecimal(10,2)numeric(38,2)');
    expect(await page.getByText('foreign keys and indexes left off').isVisible()).toBe(true);
    await mapping.scrollIntoViewIfNeeded();
    await app.shot('review-destination-mapping');

    // The database changes after the check: a table of the output now has rows. The review checks
    // again when the run is asked for, shows why it cannot start, and starts nothing.
    await pgQuery('create table plot (id integer primary key); insert into plot values (1)');
    await page.getByRole('button', { name: 'Create and run' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'The synthesis could not start' });
    await expect.poll(() => refused.isVisible(), { timeout: 30_000 }).toBe(true);
    const refusal = (await refused.textContent()) ?? '';
    expect(refusal).toContain(`Table "plot" of`);
    expect(refusal).toContain('already has rows; Doppel never writes into a non-empty table.');
    expect(refusal).toContain('Empty the tables, pick another schema/database, or choose the truncate mode');
    await app.shot('review-destination-refused');
    const api = (channel: string): Promise<string> =>
      page.evaluate(
        async ([c, token]) =>
          (await fetch(`/api/${c}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-doppel-token': token! }, body: '{}' })).text(),
        [channel, app.launched.host.token],
      );
    expect(JSON.parse(await api('executions.list'))).toEqual({ ok: true, data: [] });
    expect(await page.getByRole('button', { name: 'Create and run' }).isVisible()).toBe(true);
    await pgQuery('drop table plot');

    await page.getByRole('button', { name: 'Create and run' }).click();
    const status = page.locator('h2 + [data-status], h2 ~ * [data-status]').first();
    await expect
      .poll(async () => ['succeeded', 'failed', 'canceled'].includes((await status.getAttribute('data-status').catch(() => null)) ?? ''), {
        timeout: 240_000,
        interval: 1000,
      })
      .toBe(true);
    await app.shot('destination-run-finished');
    expect(await status.getAttribute('data-status')).toBe('succeeded');
    expect(await refused.count()).toBe(0);
    const notice = page.getByTestId('execution-notice');
    expect(await notice.textContent()).toMatch(/^Not run on the device asked for.*The GPU was requested but is not available here/);
    const columns = await pgQuery("select column_name as c from information_schema.columns where table_schema = 'public' and table_name = 'reading'");
    expect(columns.map((r) => r.c)).toContain(stored);
    expect(Number((await pgQuery('select count(*) as n from plot'))[0]!.n)).toBe(40);
    expect(await pgQuery("select 1 from information_schema.table_constraints where table_schema = 'public' and constraint_type = 'FOREIGN KEY'")).toEqual([]);
    expect(await pgQuery('select 1 from reading r where not exists (select 1 from plot p where p.id = r.plot_id)')).toEqual([]);

    const sources = await api('sources.list');
    expect(sources).toContain('farm.sqlite');
    expect(sources).not.toContain(target.name);
  }, 400_000);
});
