import { afterAll, beforeAll, describe, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { Page } from 'playwright-core';
import { createMysqlDatabase, createPgDatabase, type ScratchDatabase } from '../helpers/db';
import { startApp, type App } from './harness';
import { addChinook, segment, waitFor, walker } from './walk';

// Sources as a privacy officer adds them: a PostgreSQL URL pasted into the dialog, a wrong MariaDB password, the
// tables of a source picked by their whole row, date-only values shown as the source has them, badges readable in
// full, and a long unnamed path that stays clear of the "New synthesis" button.

let app: App;
let page: Page;
let pgDb: ScratchDatabase;
let myDb: ScratchDatabase;
const myUser = `walk_${randomBytes(4).toString('hex')}`;
const { step } = walker(() => app);

beforeAll(async () => {
  pgDb = await createPgDatabase('doppel_walk');
  const client = new pg.Client({ connectionString: pgDb.url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE "Account" ("AccountId" integer PRIMARY KEY, "District" text NOT NULL, "Opened" date NOT NULL)`);
    await client.query(`INSERT INTO "Account" SELECT i, 'district ' || (i % 7), DATE '1993-01-01' + (i * 11) FROM generate_series(1, 60) AS i`);
    await client.query(`CREATE TABLE "Loan" ("LoanId" integer PRIMARY KEY, "AccountId" integer NOT NULL REFERENCES "Account", "Amount" integer NOT NULL)`);
    await client.query(`INSERT INTO "Loan" SELECT i, 1 + (i % 60), 1000 * i FROM generate_series(1, 80) AS i`);
  } finally {
    await client.end();
  }
  myDb = await createMysqlDatabase('doppel_walk');
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    await conn.query(`CREATE USER '${myUser}'@'%' IDENTIFIED BY 'Right-Secret-1'`);
    await conn.query(`CREATE USER '${myUser}'@'localhost' IDENTIFIED BY 'Right-Secret-1'`);
  } finally {
    await conn.end();
  }
  app = await startApp();
  page = app.page;
  page.setDefaultTimeout(20_000);
  await page.goto(app.launched.host.url);
}, 180_000);

afterAll(async () => {
  await app?.close();
  await pgDb?.drop().catch(() => undefined);
  await myDb?.drop().catch(() => undefined);
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' }).catch(() => null);
  if (conn) {
    await conn.query(`DROP USER IF EXISTS '${myUser}'@'%'`).catch(() => undefined);
    await conn.query(`DROP USER IF EXISTS '${myUser}'@'localhost'`).catch(() => undefined);
    await conn.end();
  }
});

const dialog = () => page.getByRole('dialog', { name: 'Add a source' });

describe('sources, walked', () => {
  step('splits a PostgreSQL URL pasted into Host into the connection fields, and connects', async () => {
    await page.getByRole('button', { name: 'Add your first source' }).click();
    await segment(dialog(), 'Source kind', 'PostgreSQL').click();
    await dialog().getByLabel('Name').fill('Bank');
    await dialog().getByRole('textbox', { name: 'Host' }).fill(`postgres://postgres@127.0.0.1:5432/${pgDb.name}`);
    await waitFor(async () => (await dialog().getByRole('textbox', { name: 'Database' }).inputValue()) === pgDb.name);
    expect(await dialog().getByRole('textbox', { name: 'Host' }).inputValue()).toBe('127.0.0.1');
    expect(await dialog().getByRole('textbox', { name: 'User' }).inputValue()).toBe('postgres');
    expect(await dialog().getByRole('textbox', { name: 'Port' }).inputValue()).toBe('5432');
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    await waitFor(() => dialog().getByText('Connection works: 2 tables found.').isVisible(), 30_000);
    expect(await dialog().textContent()).not.toContain('postgres://postgres@postgres://');
    await app.shot('walk-sources-01-url-split');
    await dialog().getByRole('button', { name: 'Add source' }).click();
    await waitFor(
      () =>
        dialog()
          .isVisible()
          .then((v) => !v),
      30_000,
    );
  });

  step('opens a table from anywhere on its row and shows a date-only column as the source has it', async () => {
    const tables = page.getByRole('table', { name: 'Tables of the source' });
    await waitFor(async () => (await tables.locator('[data-table-row]').count()) === 2);
    // The row count cell, not the name: the whole row picks the table.
    await tables.locator('[data-table-row="Account"] td').nth(1).click();
    const preview = page.getByRole('table', { name: 'Preview of Account' });
    await waitFor(async () => (await preview.getByRole('row').count()) > 5);
    const text = (await preview.textContent())!;
    expect(text).toContain('1993-01-12');
    expect(text).not.toMatch(/T00:00:00/);
    // Key badges read as the source spells them.
    const badge = tables.locator('[data-table-row="Account"] .mantine-Badge-root');
    expect(await badge.innerText()).toBe('AccountId');
    await app.shot('walk-sources-02-row-and-dates');
  });

  step('shows kind badges in full', async () => {
    const kind = page.getByRole('navigation', { name: 'Sources' }).locator('[data-kind-badge]').first();
    expect(await kind.innerText()).toBe('PostgreSQL');
    const clipped = await kind.evaluate((el) => {
      const label = el.querySelector('.mantine-Badge-label') ?? el;
      return label.scrollWidth > label.clientWidth + 1;
    });
    expect(clipped).toBe(false);
  });

  step('says what to do about a wrong MariaDB password, in the app’s words', async () => {
    await page.getByRole('button', { name: 'Add source', exact: true }).click();
    await segment(dialog(), 'Source kind', 'MySQL / MariaDB').click();
    await dialog().getByRole('textbox', { name: 'Host' }).fill('127.0.0.1');
    await dialog().getByRole('textbox', { name: 'Port' }).fill('3306');
    await dialog().getByRole('textbox', { name: 'User' }).fill(myUser);
    await dialog().locator('input[type="password"]').fill('wrong-password');
    await dialog().getByRole('textbox', { name: 'Database' }).fill(myDb.name);
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    await waitFor(() => dialog().getByText('It did not work').isVisible(), 30_000);
    const said = (await dialog().getByRole('status').textContent())!;
    expect(said).toContain('The server refused the user name or password');
    expect(said).toContain('Check the user name, then enter the password again (it is case-sensitive).');
    expect(said).not.toMatch(/PGPASSWORD|MYSQL_PWD|wrong-password/);
    await app.shot('walk-sources-03-wrong-password');
    await dialog().getByRole('button', { name: 'Cancel' }).click();
  });

  step('keeps a long unnamed path clear of the "New synthesis" button', async () => {
    const deep = path.join(app.dir, 'a-very-long-folder-name-for-exports-of-the-finance-department-2026', 'nested');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(deep, { recursive: true });
    const file = await addChinook(app, 'tmp');
    const long = path.join(deep, 'quarterly_customer_invoices_snapshot_with_a_long_name.sqlite');
    copyFileSync(file, long);
    await page.getByRole('button', { name: 'Add source', exact: true }).click();
    await segment(dialog(), 'Source kind', 'SQLite').click();
    await dialog().getByLabel('SQLite file path').fill(long);
    await dialog().getByRole('button', { name: 'Add source' }).click();
    await waitFor(
      () =>
        dialog()
          .isVisible()
          .then((v) => !v),
      30_000,
    );
    const title = page.getByTestId('source-title');
    await waitFor(async () => ((await title.textContent()) ?? '').includes('quarterly'));
    const t = (await title.boundingBox())!;
    const b = (await page.getByRole('main').getByRole('button', { name: 'New synthesis', exact: true }).boundingBox())!;
    expect(t.x + t.width).toBeLessThanOrEqual(b.x);
    await app.shot('walk-sources-04-long-path');
  });
});
