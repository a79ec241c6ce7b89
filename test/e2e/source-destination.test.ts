import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import Database from 'better-sqlite3';
import { startApp, type App } from './harness';

// In the app, the source database chosen as its own destination is refused in every table mode
// (live in the destination step, by the write check, and "Create and run" stays disabled); the
// source keeps its rows.

let app: App;
let page: Page;
let source: string;

const rows = (): unknown[] => {
  const db = new Database(source, { readonly: true });
  try {
    return db.prepare('select * from person order by id').all();
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  app = await startApp();
  page = app.page;
  page.setDefaultTimeout(15_000);
  source = path.join(app.dir, 'shop.sqlite');
  const db = new Database(source);
  db.exec('create table person (id integer primary key, age integer, city text)');
  const ins = db.prepare('insert into person values (?, ?, ?)');
  for (let i = 1; i <= 120; i++) ins.run(i, 20 + (i % 50), ['Lyon', 'Oslo', 'Kyiv'][i % 3]);
  db.close();
  await page.goto(app.launched.host.url);
}, 180_000);

afterAll(async () => {
  await app?.close();
});

const segment = (p: Page | Locator, control: string, option: string): Locator => p.locator(`[aria-label="${control}"]`).getByText(option, { exact: true });

describe('the source as its own destination', () => {
  it('is refused in the wizard in every table mode', async () => {
    await page.getByRole('button', { name: 'Add your first source' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a source' });
    await segment(dialog, 'Source kind', 'SQLite').click();
    await dialog.getByLabel('Name').fill('Shop');
    await dialog.getByLabel('SQLite file path').fill(source);
    await dialog.getByRole('button', { name: 'Add source' }).click();
    await expect.poll(() => dialog.isVisible(), { timeout: 30_000 }).toBe(false);

    await page.getByRole('button', { name: 'New synthesis', exact: true }).last().click();
    await expect.poll(() => page.getByRole('button', { name: 'Next: Primary keys' }).isVisible(), { timeout: 30_000 }).toBe(true);
    await page
      .getByLabel('Synthesis steps')
      .getByRole('button', { name: /^Destination/ })
      .click();
    await page.getByRole('radio', { name: /An existing database/ }).check();
    const problems = page.getByTestId('step-problems');
    await expect.poll(() => problems.textContent()).toContain('is the source itself');
    expect(await problems.textContent()).toContain('Pick another SQLite file');
    expect(
      await page
        .getByLabel('Synthesis steps')
        .getByRole('button', { name: /^Destination, 1 errors/ })
        .count(),
    ).toBe(1);
    await app.shot('source-as-destination-refused');

    for (const mode of ['Write into empty tables', 'Truncate existing tables']) {
      await page.getByText(mode, { exact: true }).click();
      if (mode.startsWith('Truncate')) await page.getByRole('button', { name: 'Yes, truncate' }).click();
      await expect.poll(() => page.getByRole('radio', { name: new RegExp(mode) }).isChecked()).toBe(true);
      await expect.poll(() => problems.textContent()).toContain(mode.startsWith('Truncate') ? 'table mode "truncate"' : 'table mode "write-into-empty"');
      await page.getByRole('button', { name: 'Check write access' }).click();
      await expect.poll(() => page.getByText('Cannot write there').isVisible(), { timeout: 20_000 }).toBe(true);
    }
    await page.getByRole('button', { name: 'Next: Review and run' }).click();
    expect(await page.getByRole('button', { name: 'Create and run' }).isDisabled()).toBe(true);
    expect(rows()).toHaveLength(120);
  }, 180_000);
});
