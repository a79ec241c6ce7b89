import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import Database from 'better-sqlite3';
import { startApp, type App } from './harness';

// The wizard's utility-target control: the column the user picks is the one the report's
// train-on-synthetic, test-on-real score predicts (not the automatic choice).

let app: App;
let page: Page;
let source: string;

beforeAll(async () => {
  app = await startApp();
  page = app.page;
  page.setDefaultTimeout(15_000);
  source = path.join(app.dir, 'plans.sqlite');
  const db = new Database(source);
  // 600 rows: enough for the real holdout the utility score is tested on. 'outcome' is named like an outcome, so the automatic choice would take it; the user picks 'city'.
  db.exec('create table customer (id integer primary key, age integer, city text, plan text, outcome text)');
  const ins = db.prepare('insert into customer values (?, ?, ?, ?, ?)');
  const cities = ['Lyon', 'Oslo', 'Kyiv'];
  for (let i = 1; i <= 600; i++) {
    const city = cities[i % 3]!;
    ins.run(i, 20 + ((i * 7) % 50), city, city === 'Oslo' ? 'premium' : 'basic', i % 2 ? 'yes' : 'no');
  }
  db.close();
  await page.goto(app.launched.host.url);
}, 180_000);

afterAll(async () => {
  await app?.close();
});

const segment = (p: Page | Locator, control: string, option: string): Locator => p.locator(`[aria-label="${control}"]`).getByText(option, { exact: true });

describe('the utility target in the wizard', () => {
  it('offers the columns, keeps the pick through the run, and the report predicts it', async () => {
    await page.getByRole('button', { name: 'Add your first source' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a source' });
    await segment(dialog, 'Source kind', 'SQLite').click();
    await dialog.getByLabel('Name').fill('Plans');
    await dialog.getByLabel('SQLite file path').fill(source);
    await dialog.getByRole('button', { name: 'Add source' }).click();
    await expect.poll(() => dialog.isVisible(), { timeout: 30_000 }).toBe(false);

    await page.getByRole('button', { name: 'New synthesis', exact: true }).last().click();
    await expect.poll(() => page.getByRole('button', { name: 'Next: Primary keys' }).isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: /^Synth settings/ }).click();
    const target = page.getByLabel('Utility target', { exact: true }).first();
    expect(await target.inputValue()).toMatch(/^Automatic/);
    await target.click();
    // Every scored column is offered; the key is not.
    const options = await page.getByRole('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['age', 'city', 'plan', 'outcome']));
    expect(options).not.toContain('id');
    await page.getByRole('option', { name: 'city', exact: true }).click();
    await expect.poll(() => target.inputValue()).toBe('city');
    await segment(page, 'Quality preset', 'Fast').click();
    await page.getByRole('button', { name: 'Advanced settings' }).click();
    await page.getByLabel('Epochs').fill('2');
    await app.shot('utility-target-picked');

    await page.getByRole('button', { name: 'Next: Destination' }).click();
    await page.getByRole('button', { name: 'Next: Review and run' }).click();
    await page.getByRole('button', { name: 'Create and run' }).click();
    await expect
      .poll(
        () =>
          page
            .locator('h2 + [data-status], h2 ~ * [data-status]')
            .first()
            .getAttribute('data-status')
            .catch(() => null),
        { timeout: 150_000 },
      )
      .toBe('succeeded');
    await page.getByRole('tab', { name: 'Report' }).click();
    const report = page.frameLocator('iframe[title="Quality and privacy report"]').locator('body');
    await expect.poll(() => report.textContent(), { timeout: 30_000 }).toMatch(/predicts city \(table customer\)/);
    expect(await report.textContent()).not.toMatch(/predicts outcome/);
    await app.shot('utility-target-report');
  }, 300_000);
});
