import { afterAll, beforeAll, describe, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { screenshotDir, startApp, type App } from './harness';
import { addChinook, download, segment, waitFor, walker } from './walk';

// After the run, as a privacy officer reads it: the live loss chart, previews without protected tokens, download
// names, the report filling the page with its HTML/PDF/print buttons, two runs compared, the audit verdict, and
// "New synthesis" starting afresh. Tiny runs: Invoice and Track of chinook (two roots, each trained), 40 rows each, 2 epochs.

let app: App;
let page: Page;
let chinook: string;
const { step } = walker(() => app);

beforeAll(async () => {
  app = await startApp();
  page = app.page;
  page.setDefaultTimeout(20_000);
  await page.goto(app.launched.host.url);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const SYNTHESIS = 'Invoices walk';
const dateName = /\d{4}-\d{2}-\d{2}_\d{4}/;

async function runStatus(): Promise<string | null> {
  return page
    .locator('h2 + [data-status], h2 ~ * [data-status]')
    .first()
    .getAttribute('data-status')
    .catch(() => null);
}

describe('results, report, comparison and audit, walked', () => {
  step('runs Invoice and Track tiny (two tables, each trained), with the loss chart drawing one line per table while it trains', async () => {
    chinook = await addChinook(app);
    await page.getByRole('button', { name: 'New synthesis', exact: true }).last().click();
    await waitFor(() => page.getByRole('button', { name: 'Next: Primary keys' }).isVisible(), 30_000);
    await page.getByRole('button', { name: 'None', exact: true }).click();
    for (const t of ['Invoice', 'Track']) await page.getByLabel(`Include table ${t}`, { exact: true }).check();
    await page.getByRole('button', { name: /^Synth settings/ }).click();
    await segment(page, 'Quality preset', 'Fast').click();
    await segment(page, 'Output size', 'Number of rows').click();
    await page.getByLabel('Rows of the root table').fill('40');
    await page.getByRole('button', { name: 'Advanced settings' }).click();
    await page.getByLabel('Epochs').fill('2');
    // 600 rows of Track: enough to hold some out, so its privacy is measured.
    await page.getByLabel('Max training rows').fill('600');
    await page.getByRole('button', { name: /^Review and run/ }).click();
    await page.getByLabel('Name of the synthesis').fill(SYNTHESIS);
    await page.getByRole('button', { name: 'Create and run' }).click();

    // While training: the chart gets a line per table as their epochs arrive.
    const chart = page.getByRole('img', { name: 'Training loss chart' });
    const seenWhileRunning = new Set<string>();
    await waitFor(
      async () => {
        const tables = await chart.locator('[data-table]').evaluateAll((els) => els.map((e) => e.getAttribute('data-table') ?? ''));
        const status = await runStatus();
        if (status === 'running') for (const t of tables) seenWhileRunning.add(t);
        return status === 'succeeded' || status === 'failed';
      },
      300_000,
      100,
    );
    expect(await runStatus()).toBe('succeeded');
    expect(seenWhileRunning.size).toBeGreaterThan(0);
    const lines = await chart.locator('[data-table]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-table'), e.getAttribute('data-epochs')]));
    expect(lines.sort()).toEqual([
      ['Invoice', '2'],
      ['Track', '2'],
    ]);
    expect(await page.getByTestId('loss-legend').textContent()).toMatch(/Invoice: 2 epochs.*Track: 2 epochs|Track: 2 epochs.*Invoice: 2 epochs/);
    await page.getByRole('img', { name: 'Training loss chart' }).scrollIntoViewIfNeeded();
    await app.shot('walk-results-01-loss-chart');
  });

  step('previews and downloads usable values: no _RARE_ token, countries the source has, named by synthesis and date', async () => {
    await waitFor(() => page.getByRole('tab', { name: /^Invoice / }).isVisible());
    await page.getByRole('tab', { name: /^Invoice / }).click();
    const preview = page.getByRole('table', { name: 'Synthetic Invoice' });
    await waitFor(async () => (await preview.getByRole('row').count()) > 10);
    expect(await preview.textContent()).not.toContain('_RARE_');
    await app.shot('walk-results-02-preview');

    const { file, name } = await download(app, async () => {
      await page.getByRole('button', { name: 'Download', exact: true }).click();
      await page.getByRole('menuitem', { name: 'CSV (zip of files)' }).click();
    });
    expect(name).toMatch(new RegExp(`^Invoices_walk-${dateName.source}-csv\\.zip$`));
    const files = unzipSync(readFileSync(file));
    const invoices = parse(strFromU8(files['Invoice.csv']!), { columns: true }) as Record<string, string>[];
    expect(invoices).toHaveLength(40);
    const db = new Database(chinook, { readonly: true });
    const countries = new Set((db.prepare('SELECT DISTINCT BillingCountry AS c FROM Invoice').all() as { c: string }[]).map((r) => r.c));
    db.close();
    for (const f of Object.values(files)) expect(strFromU8(f)).not.toContain('_RARE_');
    for (const r of invoices) expect(countries.has(r['BillingCountry']!)).toBe(true);
  });

  step(
    'shows the report filling the page, with Download HTML, Download PDF and Print',
    async () => {
      await page.getByRole('tab', { name: 'Report' }).click();
      const frame = page.locator('iframe[title="Quality and privacy report"]');
      await waitFor(async () => /privacy/i.test((await page.frameLocator('iframe[title="Quality and privacy report"]').locator('body').textContent()) ?? ''));
      const box = (await frame.boundingBox())!;
      const viewport = page.viewportSize()!;
      // Larger than the old 640 px box: the frame takes the window's height below the header and the toolbar.
      expect(box.height).toBeGreaterThan(viewport.height - 160);
      expect(box.width).toBeGreaterThan(900);
      expect(box.y).toBeGreaterThanOrEqual(56);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height + 1);
      await app.shot('walk-results-03-report-frame');

      const html = await download(app, () => page.getByRole('button', { name: 'Download HTML' }).click());
      expect(html.name).toMatch(new RegExp(`^Invoices_walk-${dateName.source}-report\\.html$`));
      const htmlText = readFileSync(html.file, 'utf8');
      expect(htmlText).toMatch(/^<!doctype html>/i);
      expect(htmlText).toContain('Content-Security-Policy');

      const pdf = await download(app, () => page.getByRole('button', { name: 'Download PDF' }).click(), 120_000);
      expect(pdf.name).toMatch(new RegExp(`^Invoices_walk-${dateName.source}-report\\.pdf$`));
      expect(readFileSync(pdf.file).subarray(0, 5).toString()).toBe('%PDF-');
      execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', pdf.file, path.join(app.dir, 'report-page')]);
      copyFileSync(path.join(app.dir, 'report-page-1.png'), path.join(screenshotDir, 'walk-results-04-report-pdf-page-1.png'));

      // Print reaches the report's own page (a print of the frame, not of the app around it).
      const printed = await page.evaluate(async () => {
        const w = (document.querySelector('iframe[title="Quality and privacy report"]') as HTMLIFrameElement).contentWindow!;
        const seen = new Promise<boolean>((resolve) => {
          w.addEventListener('beforeprint', () => resolve(true));
          setTimeout(() => resolve(false), 5000);
        });
        (Array.from(document.querySelectorAll('button')).find((b) => b.textContent?.trim() === 'Print') as HTMLButtonElement).click();
        return seen;
      });
      expect(printed).toBe(true);
    },
    240_000,
  );

  step(
    'compares two runs side by side from the runs page',
    async () => {
      await page.getByText('← All runs of this synthesis').click();
      await page.getByRole('button', { name: 'Run again' }).click();
      await waitFor(() => page.getByRole('heading', { name: 'Execution #2' }).isVisible());
      await waitFor(async () => ['succeeded', 'failed'].includes((await runStatus()) ?? ''), 300_000);
      expect(await runStatus()).toBe('succeeded');
      await page.getByText('← All runs of this synthesis').click();
      const list = page.getByRole('table', { name: 'Executions' });
      await waitFor(async () => (await list.locator('[data-execution]').count()) === 2);
      const compare = page.getByRole('button', { name: /^Compare/ });
      expect(await compare.getAttribute('data-disabled')).toBe('true');
      await page.getByLabel('Compare Execution #1').check();
      await page.getByLabel('Compare Execution #2').check();
      await waitFor(async () => (await compare.textContent()) === 'Compare 2 runs');
      await app.shot('walk-results-05-runs-picked');
      await compare.click();
      await waitFor(() => page.getByRole('heading', { name: 'Compare runs' }).isVisible());
      expect(page.url()).toMatch(/#\/compare\/[^,]+,[^,]+$/);
      const body = page.frameLocator('iframe[title="Comparison of runs"]').locator('body');
      await waitFor(async () => ((await body.textContent()) ?? '').includes('Comparison of two executions'));
      const textOf = (await body.textContent()) ?? '';
      // A is the earlier run; B shows its change against it, for quality, privacy and fidelity figures.
      expect(await page.locator('[data-run="A"]').textContent()).toContain('Execution #1');
      expect(await page.locator('[data-run="B"]').textContent()).toContain('Execution #2');
      for (const measure of [
        'Overall quality',
        'Robust score',
        'Column shapes',
        'Column pair trends',
        'Privacy verdict',
        'DCR share',
        'Copies of unique training rows',
      ])
        expect(textOf).toContain(measure);
      expect(textOf).toContain('Table Invoice');
      expect(textOf).toContain('Table Track');
      await app.shot('walk-results-06-compare');
      const cmp = await download(app, () => page.getByRole('button', { name: 'Download HTML' }).click());
      expect(cmp.name).toMatch(new RegExp(`^Invoices_walk-${dateName.source}-comparison-of-2-runs\\.html$`));
      expect(readFileSync(cmp.file, 'utf8')).toContain('Comparison of two executions');
    },
    400_000,
  );

  step('shows the report’s privacy verdict in the audit trail and says what the exact matches count', async () => {
    await page.getByRole('button', { name: 'Audit trail', exact: true }).click();
    const records = page.getByRole('table', { name: 'Audit records' });
    await waitFor(async () => (await records.locator('[data-audit-seq]').count()) === 2);
    expect(await page.getByTestId('audit-privacy-legend').textContent()).toContain('Exact matches count synthetic rows identical');
    for (const seq of ['1', '2']) {
      const row = records.locator(`[data-audit-seq="${seq}"]`);
      const level = await row.locator('[data-level]').getAttribute('data-level');
      expect(['strong', 'acceptable', 'at-risk', 'not-measured']).toContain(level);
      expect(await row.getByTestId('audit-exact-matches').textContent()).toMatch(
        /^(\d[\d,]*|None) of [\d,]+ synthetic rows equals? a training row on every compared column \(checked against [\d,]+ rows the model was trained on\)\./,
      );
    }
    // The verdict is the report's own.
    await records.locator('[data-audit-seq="1"]').getByRole('button', { name: 'Execution #1' }).click();
    await page.getByRole('tab', { name: 'Report' }).click();
    const body = page.frameLocator('iframe[title="Quality and privacy report"]').locator('body');
    await waitFor(async () => /privacy/i.test((await body.textContent()) ?? ''));
    const reportText = (await body.textContent()) ?? '';
    await page.getByRole('button', { name: 'Audit trail', exact: true }).click();
    const badge = records.locator('[data-audit-seq="1"] [data-level]');
    await waitFor(() => badge.isVisible());
    const level = await badge.getAttribute('data-level');
    if (level !== 'not-measured') expect(reportText).toContain(`${(await badge.textContent())!}:`);
    await records.locator('[data-audit-seq="1"]').scrollIntoViewIfNeeded();
    await app.shot('walk-results-07-audit-verdict');
  });

  step('"New synthesis" after a run starts a fresh wizard, not the last one on Review', async () => {
    await page.getByRole('button', { name: 'New synthesis', exact: true }).first().click();
    await waitFor(() => page.getByText('Which source do you want to synthesize?').isVisible());
    expect(await page.getByRole('button', { name: 'Create and run' }).count()).toBe(0);
    expect(await page.getByLabel('Name of the synthesis').count()).toBe(0);
    await app.shot('walk-results-08-fresh-wizard');
  });
});
