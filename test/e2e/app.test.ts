import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { unzipSync, strFromU8 } from 'fflate';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { datasetPath } from '../helpers/datasets';
import { expectSynthetic, generatedColumns, qualityAgainstIndependent } from '../helpers/synthetic-checks';
import { openStore } from '../../src/data/store/index';
import type { ExecutionRecord } from '../../src/shared';
import type { SynthesisConfig } from '../../src/shared/config';
import type { RowBatch } from '../../src/shared/values';
import { startApp, type App } from './harness';
import { dragBetween } from './graph-timing';

// The whole wizard-to-results flow in real Chromium against `npm start`'s host with the real services:
// add the chinook SQLite source, walk the wizard, run, cancel, rename, delete, download.

let app: App;
let page: Page;
let chinook: string;
/** The first run's quality on all of Track's generated columns, which a generation from the same model should match. */
let firstQuality = NaN;

beforeAll(async () => {
  app = await startApp();
  page = app.page;
  chinook = path.join(app.dir, 'chinook.sqlite');
  copyFileSync(datasetPath('chinook', 'Chinook_Sqlite.sqlite'), chinook);
  page.setDefaultTimeout(15_000);
  await page.goto(app.launched.host.url);
});

// The steps build on each other: after a failure, screenshot it and skip the rest.
let broken = false;
function step(name: string, fn: () => Promise<void>): void {
  it(name, async (ctx) => {
    if (broken) return ctx.skip();
    try {
      await fn();
    } catch (e) {
      broken = true;
      await app.shot(`failed-${name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
      throw e;
    }
  });
}

afterAll(async () => {
  await app?.close();
});

const kept = ['Track', 'Genre', 'MediaType'];
/**
 * The synthetic tracks are compared with independent columns on the pair that depends most (track
 * length × price: the videos are long and cost more). Composer is left out: its hundreds of
 * composers are mostly rare, and rare categories are never emitted (privacy), while a sample of
 * real values keeps them. Track length is a near-unique whole number of milliseconds, so a
 * synthetic length can meet a real one by chance: the copy check counts rows equal to a unique
 * source row against an independent-columns sample of the same size (1,000 rows give both checks
 * a clear margin).
 */
const QUALITY = { quality: { dependentPairs: 1 }, copies: 'below-chance' } as const;

/** A Mantine SegmentedControl option, by the control's aria-label and the option's label. */
function segment(p: Page | Locator, control: string, option: string): Locator {
  return p.locator(`[aria-label="${control}"]`).getByText(option, { exact: true });
}

async function nextStep(label: string): Promise<void> {
  await page.getByRole('button', { name: `Next: ${label}` }).click();
}

const panel = () => page.getByTestId('problems-panel');
/** The errors the validation panel lists, each as its text and fix. */
const panelErrors = () => panel().locator('[data-severity="error"]').allTextContents();

describe('Doppel in the browser', () => {
  step('starts on an empty Sources page', async () => {
    await expect.poll(() => page.getByText('No source yet').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('wasm', { exact: true }).isVisible()).toBe(true);
    await app.shot('01-sources-empty');
  });

  step('adds the chinook SQLite source after testing the connection, and browses its tables', async () => {
    await page.getByRole('button', { name: 'Add your first source' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a source' });
    await segment(dialog, 'Source kind', 'SQLite').click();
    await dialog.getByLabel('Name').fill('Chinook');
    await dialog.getByLabel('SQLite file path').fill(path.join(app.dir, 'missing.sqlite'));
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => dialog.getByText('It did not work').isVisible(), { timeout: 20_000 }).toBe(true);
    await app.shot('02-add-source-error');
    await dialog.getByLabel('SQLite file path').fill(chinook);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => dialog.getByText('Connection works: 11 tables found.').isVisible(), { timeout: 20_000 }).toBe(true);
    await app.shot('03-add-source-connected');
    await dialog.getByRole('button', { name: 'Add source' }).click();
    await expect.poll(() => dialog.isVisible(), { timeout: 20_000 }).toBe(false);

    const tables = page.getByRole('table', { name: 'Tables of the source' });
    await expect.poll(() => tables.getByRole('row').count(), { timeout: 20_000 }).toBe(12);
    expect(await tables.getByRole('row', { name: /^Track 3,503 9/ }).count()).toBe(1);
    await tables.getByRole('button', { name: 'Track', exact: true }).click();
    const preview = page.getByRole('table', { name: 'Preview of Track' });
    await expect.poll(() => preview.getByRole('row').count()).toBe(26);
    expect(await preview.getByText('For Those About To Rock (We Salute You)', { exact: true }).count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByText('Rows 1–25 of 3,503').isVisible()).toBe(true);
    await app.shot('04-source-tables');
  });

  step('chooses three tables in step 1, with the validation errors shown live', async () => {
    await page.getByRole('button', { name: 'New synthesis', exact: true }).last().click();
    await expect.poll(() => page.getByRole('button', { name: 'Next: Primary keys' }).isVisible(), { timeout: 30_000 }).toBe(true);
    await app.shot('05-wizard-choose-data');
    for (const name of ['Album', 'Artist', 'Customer', 'Employee', 'Invoice', 'InvoiceLine', 'Playlist', 'PlaylistTrack']) {
      await page.getByLabel(`Include table ${name}`, { exact: true }).uncheck();
    }
    for (const name of kept) expect(await page.getByLabel(`Include table ${name}`, { exact: true }).isChecked()).toBe(true);
    // Genre (25 rows) and MediaType (5) are lookups too small to learn: original data by default.
    await expect.poll(() => panel().getByText('0 errors').isVisible()).toBe(true);
    expect(await panelErrors()).toEqual([]);
    // Excluding Track leaves nothing to synthesize and the lookups referenced by no table: the errors show at once, each with its fix.
    await page.getByLabel('Include table Track', { exact: true }).uncheck();
    await expect.poll(() => panel().getByText('3 errors', { exact: true }).isVisible()).toBe(true);
    expect((await panelErrors()).sort()).toEqual(
      [
        'No table is set to be synthesized.Fix: Include at least one table and set its treatment to "synthesize".',
        ...['Genre', 'MediaType'].map(
          (t) =>
            `"${t}" is marked as original data but no table references it with a foreign key.Fix: Add a foreign key from another table to "${t}", or set "${t}" to synthesize or exclude.`,
        ),
      ].sort(),
    );
    await page.getByLabel('Include table Track', { exact: true }).check();
    await expect.poll(() => panel().getByText('0 errors').isVisible()).toBe(true);
    expect(await panelErrors()).toEqual([]);
    await page.getByLabel('Search tables and columns').fill('genre');
    expect(await page.getByLabel('Include table Artist').count()).toBe(0);
    await app.shot('06-wizard-choose-data-filtered');
    await page.getByLabel('Search tables and columns').fill('');
  });

  step('shows the primary keys in step 2', async () => {
    await nextStep('Primary keys');
    const pks = page.getByRole('table', { name: 'Primary keys' });
    await expect.poll(() => pks.getByRole('row').count()).toBe(4);
    // Each table keeps its key from the source, shown as the chosen value.
    for (const [table, key] of [
      ['Track', 'TrackId'],
      ['Genre', 'GenreId'],
      ['MediaType', 'MediaTypeId'],
    ]) {
      const row = pks.getByRole('row').filter({ has: page.getByLabel(`Primary key of ${table}`, { exact: true }) });
      expect(await row.getByText(`in the source: ${key}`, { exact: true }).isVisible()).toBe(true);
      expect(await row.locator('.mantine-Pill-label').allTextContents(), table).toEqual([key]);
    }
    await app.shot('07-wizard-primary-keys');
  });

  step('deletes a foreign key on the schema graph and draws it again', async () => {
    await nextStep('Foreign keys');
    const graph = page.getByTestId('schema-graph');
    await expect.poll(() => graph.locator('.react-flow__node').count()).toBe(3);
    const fks = page.getByRole('table', { name: 'Foreign keys' });
    const genreFk = 'Track.GenreId → Genre.GenreId';
    await expect.poll(() => fks.getByText(genreFk).isVisible()).toBe(true);
    // Album is excluded: Track.AlbumId is a plain column, not an FK.
    expect(await graph.locator('[data-column="Track.AlbumId"] .badge-fk').count()).toBe(0);
    expect(await graph.locator('[data-column="Track.GenreId"] .badge-fk').count()).toBe(1);
    await app.shot('08-wizard-graph');

    // Select the edge on the graph, then press Delete.
    const edge = graph.locator('.react-flow__edge[aria-label="Foreign key Track.GenreId to Genre.GenreId"]');
    await edge.locator('.react-flow__edge-interaction').click({ force: true });
    await expect.poll(() => page.getByRole('button', { name: 'Delete selected' }).isVisible()).toBe(true);
    await app.shot('09-wizard-graph-edge-selected');
    await page.keyboard.press('Delete');
    await expect.poll(() => fks.getByText(genreFk).count()).toBe(0);
    await expect.poll(() => edge.count()).toBe(0);

    // Draw it again: from Track.GenreId's right dot to Genre.GenreId's left dot.
    const from = graph.locator('[data-column="Track.GenreId"] .react-flow__handle.source');
    const to = graph.locator('[data-column="Genre.GenreId"] .react-flow__handle.target');
    await dragBetween(page, from, to);
    await expect.poll(() => page.getByText(`Foreign key added: ${genreFk}`).isVisible()).toBe(true);
    await expect.poll(() => fks.getByText(genreFk).isVisible()).toBe(true);
    expect(await fks.getByRole('row', { name: new RegExp(`${genreFk} user`) }).count()).toBe(1);
    await expect.poll(() => edge.count()).toBe(1);
    await app.shot('10-wizard-graph-edge-drawn');
  });

  step('shows the lookup tables as original data (asterisk); learning one instead is refused live', async () => {
    await nextStep('Data treatment');
    await expect.poll(() => page.getByTestId('list-asterisk-Genre').isVisible()).toBe(true);
    expect(await page.getByTestId('list-asterisk-MediaType').isVisible()).toBe(true);
    await expect.poll(() => panel().getByText('0 errors').isVisible()).toBe(true);
    await app.shot('11-wizard-treatment');
    await segment(page, 'Treatment of Genre', 'Synthesize').click();
    // 25 rows are too few to learn Genre.
    await expect.poll(() => panel().getByText('1 error', { exact: true }).isVisible()).toBe(true);
    expect(
      await page
        .getByText(/"Genre" has 25 row\(s\)/)
        .first()
        .isVisible(),
    ).toBe(true);
    expect(await page.getByTestId('list-asterisk-Genre').count()).toBe(0);
    await segment(page, 'Treatment of Genre', 'Original data').click();
    await expect.poll(() => page.getByTestId('list-asterisk-Genre').isVisible()).toBe(true);
    await expect.poll(() => panel().getByText('0 errors').isVisible()).toBe(true);
    expect(await page.getByLabel('Synthesis steps').locator('[data-errors]:not([data-errors="0"])').count()).toBe(0);
  });

  step('marks columns sensitive: a green shield when synthesized, a gray shield and a warning when kept', async () => {
    await page.getByRole('button', { name: 'Show columns of Track' }).click();
    const composer = page.getByTestId('shield-toggle-Track.Composer');
    expect(await composer.getAttribute('data-shield')).toBe('none');
    await composer.click();
    await expect.poll(() => composer.getAttribute('data-shield')).toBe('green');
    const bytes = page.getByTestId('shield-toggle-Track.Bytes');
    await bytes.click();
    await expect.poll(() => bytes.getAttribute('data-shield')).toBe('green');
    expect(await page.getByTestId('gray-shield-warning').count()).toBe(0);
    await page.locator('input[aria-label="Treatment of Bytes"]').click();
    await page.getByRole('option', { name: 'Keep original' }).click();
    await expect.poll(() => bytes.getAttribute('data-shield')).toBe('gray');
    const warning = page.getByTestId('gray-shield-warning');
    await expect.poll(() => warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toContain('Bytes is marked sensitive');
    await expect.poll(() => panel().getByText('1 warning', { exact: true }).isVisible()).toBe(true);
    await app.shot('12-wizard-treatment-shields');

    // The graph shows the asterisks and shields too.
    await page.getByRole('button', { name: /^Foreign keys/ }).click();
    const graph = page.getByTestId('schema-graph');
    await expect.poll(() => graph.getByTestId('asterisk-Genre').isVisible()).toBe(true);
    expect(await graph.getByTestId('asterisk-MediaType').isVisible()).toBe(true);
    expect(await graph.getByTestId('shield-Track.Bytes').getAttribute('data-shield')).toBe('gray');
    expect(await graph.getByTestId('shield-Track.Composer').getAttribute('data-shield')).toBe('green');
    await app.shot('13-wizard-graph-original-and-shields');
  });

  step('keeps the unsaved wizard work over a reload and restores it on request', async () => {
    await expect.poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('doppel.wizard-draft.')).length)).toBe(1);
    await page.reload();
    const offer = page.getByTestId('draft-offer');
    await expect.poll(() => offer.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await offer.getByText('Restore draft?').isVisible()).toBe(true);
    await app.shot('13a-wizard-restore-draft');
    await offer.getByRole('button', { name: 'Restore draft' }).click();
    await expect.poll(() => offer.count()).toBe(0);
    // Back on the graph step, as it was: original data, shields, the redrawn FK, 0 errors.
    const graph = page.getByTestId('schema-graph');
    await expect.poll(() => graph.getByTestId('asterisk-Genre').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await graph.getByTestId('shield-Track.Bytes').getAttribute('data-shield')).toBe('gray');
    expect(
      await page
        .getByRole('table', { name: 'Foreign keys' })
        .getByRole('row', { name: /Track.GenreId → Genre.GenreId user/ })
        .count(),
    ).toBe(1);
    expect(await panel().getByText('0 errors').isVisible()).toBe(true);
  });

  step('sets fast settings, keeps the local destination and runs; the timeline completes', async () => {
    await page.getByRole('button', { name: /^Synth settings/ }).click();
    await segment(page, 'Quality preset', 'Fast').click();
    await segment(page, 'Output size', 'Number of rows').click();
    await page.getByLabel('Rows of the root table').fill('1000');
    await page.getByRole('button', { name: 'Advanced settings' }).click();
    await page.getByLabel('Epochs').fill('2');
    await page.getByLabel('Max training rows').fill('500');
    await expect.poll(() => page.getByText('Detected: wasm').isVisible()).toBe(true);
    await app.shot('14-wizard-settings');
    await nextStep('Destination');
    expect(await page.getByLabel('Doppel’s local store (recommended)').isChecked()).toBe(true);
    await app.shot('15-wizard-destination');
    await nextStep('Review and run');
    await expect.poll(() => page.getByText('fast preset, output 1000 rows, 2 epochs', { exact: false }).isVisible()).toBe(true);
    // Only the FKs between the chosen tables count.
    expect(await page.locator('[data-stat="Foreign keys"]').textContent()).toBe('Foreign keys2');
    expect(await page.locator('[data-stat="Original data"]').textContent()).toBe('Original data2');
    // "Back" sits on the same row as "Create and run", to its left.
    const back = (await page.getByRole('button', { name: 'Back', exact: true }).boundingBox())!;
    const run = (await page.getByRole('button', { name: 'Create and run' }).boundingBox())!;
    expect(Math.abs(back.y + back.height / 2 - (run.y + run.height / 2))).toBeLessThan(4);
    expect(back.x + back.width).toBeLessThan(run.x);
    expect(await page.getByRole('button', { name: 'Back', exact: true }).count()).toBe(1);
    await app.shot('16-wizard-review');

    await page.getByRole('button', { name: 'Create and run' }).click();
    const timeline = page.getByTestId('timeline');
    await expect.poll(() => timeline.isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => timeline.locator('[data-step="train"]').getAttribute('data-status'), { timeout: 60_000, interval: 200 }).not.toBe('pending');
    await app.shot('17-execution-running');
    await expect
      .poll(
        () =>
          page
            .locator('h2 + [data-status], h2 ~ * [data-status]')
            .first()
            .getAttribute('data-status')
            .catch(() => null),
        { timeout: 120_000 },
      )
      .toBe('succeeded');
    const statuses = await timeline.locator('[data-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses).toHaveLength(7);
    for (const s of statuses) expect(['done', 'skipped']).toContain(s);
    await expect.poll(() => page.getByRole('tab', { name: /Track/ }).isVisible(), { timeout: 20_000 }).toBe(true);
    // The synthesized table first, the original-data (lookup) tables after it, marked; the report last.
    const tabs = await page.getByRole('tab').evaluateAll((els) =>
      els.map((e) => [
        e
          .querySelector('.mantine-Tabs-tabLabel')
          ?.textContent?.replace(/\s*\(.*$/, '')
          .trim(),
        e.getAttribute('data-original') ?? '',
      ]),
    );
    expect(tabs).toEqual([
      ['Track', ''],
      ['Genre', 'true'],
      ['MediaType', 'true'],
      ['Report', ''],
    ]);
    expect(await page.getByRole('tab', { name: /Track/ }).getAttribute('aria-selected')).toBe('true');
    // The draft is gone once the synthesis ran.
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('doppel.wizard-draft.')).length)).toBe(0);
    await expect.poll(() => page.getByTestId('execution-audit').getByText('Audit record #1').isVisible(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('tab', { name: /Track/ }).click();
    const preview = page.getByRole('table', { name: 'Synthetic Track' });
    await expect.poll(() => preview.getByRole('row').count()).toBe(26);
    await expect.poll(() => page.getByText('Rows 1–25 of 1,000').isVisible()).toBe(true);
    await app.shot('18-execution-succeeded');

    // What was written is synthetic: no unique source track copied, and closer to the source than independent columns.
    const { record, config } = stored(shownExecutionId());
    expect(record.status).toBe('succeeded');
    const synthetic = readTable(record.outputPath!, 'Track');
    expect(synthetic.rows).toHaveLength(1000);
    expectSynthetic('Track', readTable(chinook, 'Track'), synthetic, generatedColumns(config, 'Track'), QUALITY);
    firstQuality = qualityAgainstIndependent(readTable(chinook, 'Track'), synthetic, generatedColumns(config, 'Track')).synthetic;
  });

  step('downloads the synthetic data as CSV and as XLSX', async () => {
    const csv = await download('CSV (zip of files)');
    const files = unzipSync(readFileSync(csv));
    expect(Object.keys(files).sort()).toEqual(['Genre.csv', 'MediaType.csv', 'Track.csv']);
    const track = parse(strFromU8(files['Track.csv']!), { columns: false }) as string[][];
    expect(track[0]).toEqual(['TrackId', 'Name', 'AlbumId', 'MediaTypeId', 'GenreId', 'Composer', 'Milliseconds', 'Bytes', 'UnitPrice']);
    expect(track).toHaveLength(1001);
    const genre = parse(strFromU8(files['Genre.csv']!), { columns: false }) as string[][];
    expect(genre).toHaveLength(26);
    expect(genre.map((r) => r[1])).toContain('Rock');
    // Every synthetic track points at a genre that exists in the output.
    const genreIds = new Set(genre.slice(1).map((r) => r[0]));
    for (const row of track.slice(1)) expect(genreIds.has(row[4]!)).toBe(true);

    const xlsx = await download('Excel workbook (.xlsx)');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    expect(workbook.worksheets.map((w) => w.name).sort()).toEqual(['Genre', 'MediaType', 'Track']);
    const sheet = workbook.getWorksheet('Track')!;
    expect(sheet.actualRowCount).toBe(1001);
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'TrackId',
      'Name',
      'AlbumId',
      'MediaTypeId',
      'GenreId',
      'Composer',
      'Milliseconds',
      'Bytes',
      'UnitPrice',
    ]);

    await page.getByRole('tab', { name: 'Report' }).click();
    await expect
      .poll(() => page.frameLocator('iframe[title="Quality and privacy report"]').locator('body').textContent(), { timeout: 20_000 })
      .toMatch(/quality/i);
    await page.locator('iframe[title="Quality and privacy report"]').scrollIntoViewIfNeeded();
    await app.shot('19-execution-report');
  });

  step('shows the run in the audit trail: chain intact, its record, the JSON export', async () => {
    const executionId = shownExecutionId();
    await page.getByTestId('execution-audit').getByRole('button', { name: 'Show record' }).click();
    const drawer = page.getByRole('dialog', { name: 'Audit record #1' });
    await expect.poll(() => drawer.getByTestId('audit-payload').isVisible()).toBe(true);
    expect(await drawer.getByText(executionId, { exact: true }).isVisible()).toBe(true);
    await app.shot('19a-execution-audit-record');
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);

    await page.getByRole('button', { name: 'Audit trail', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Audit trail' }).isVisible()).toBe(true);
    expect(page.url()).toMatch(/#\/audit$/);
    const records = page.getByRole('table', { name: 'Audit records' });
    await expect.poll(() => records.locator('[data-audit-seq]').count(), { timeout: 20_000 }).toBe(1);
    const row = records.locator(`[data-execution-id="${executionId}"]`);
    expect(await row.getAttribute('data-audit-seq')).toBe('1');
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('succeeded');
    expect(await row.getByRole('button', { name: 'Execution #1' }).isVisible()).toBe(true);
    expect(await row.textContent()).toMatch(/\d+\.\d %/);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const verdict = page.getByTestId('audit-verification');
    await expect.poll(() => verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.textContent()).toContain('intact: 1 record');
    await app.shot('19b-audit-trail');

    await row.getByRole('button', { name: 'Show audit record 1' }).click();
    const details = page.getByRole('dialog', { name: 'Audit record #1' });
    const json = await details.getByLabel('Payload of audit record 1').textContent();
    const payload = JSON.parse(json ?? '') as {
      status: string;
      config: { tables: Record<string, { treatment: string }> };
      source: { rows: Record<string, number> };
    };
    expect(payload.status).toBe('succeeded');
    expect(payload.config.tables['Genre']!.treatment).toBe('original');
    expect(payload.source.rows['Track']).toBe(3503);
    await app.shot('19c-audit-record-drawer');
    await page.keyboard.press('Escape');
    await expect.poll(() => details.count()).toBe(0);

    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByRole('button', { name: 'Export JSON' }).click()]);
    expect(await file.failure()).toBeNull();
    expect(file.suggestedFilename()).toMatch(/^doppel-audit-.*\.json$/);
    const target = path.join(app.dir, file.suggestedFilename());
    await file.saveAs(target);
    const exported = JSON.parse(readFileSync(target, 'utf8')) as {
      verification: { ok: boolean };
      records: { seq: number; executionId: string; hash: string; payload: unknown }[];
    };
    expect(exported.verification.ok).toBe(true);
    expect(exported.records.map((r) => [r.seq, r.executionId])).toEqual([[1, executionId]]);
    expect(exported.records[0]!.payload).toEqual(payload);

    // Back to the execution from its audit record.
    await row.getByRole('button', { name: 'Execution #1' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Execution #1' }).isVisible()).toBe(true);
  });

  step('cancels a second run', async () => {
    await page.getByText('← All runs of this synthesis').click();
    await page.getByRole('button', { name: 'Run again' }).click();
    const timeline = page.getByTestId('timeline');
    await expect.poll(() => page.getByRole('button', { name: 'Cancel' }).isVisible(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByRole('heading', { name: 'Execution #2' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog', { name: 'Cancel this execution?' }).getByRole('button', { name: 'Cancel execution' }).click();
    await expect.poll(() => page.getByText('This execution was canceled; nothing was written.').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await timeline.locator('[data-status="pending"], [data-status="canceled"]').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await app.shot('20-execution-canceled');

    // The store says canceled, and indeed nothing was written: no output, no partial file, no report.
    const { record } = stored(shownExecutionId());
    expect(record.status).toBe('canceled');
    expect(record.finishedAt).not.toBeNull();
    expect(record.outputPath).toBeNull();
    expect(record.quality).toBeNull();
    // The steps that ran are done, the one running when it stopped (if any) is canceled, the rest pending: never a written output.
    const statuses = record.steps.map((s) => s.status);
    expect(statuses.filter((s) => !['done', 'canceled', 'pending'].includes(s))).toEqual([]);
    expect(statuses.filter((s) => s === 'canceled').length).toBeLessThanOrEqual(1);
    for (const late of ['synthesize', 'report', 'store']) expect(record.steps.find((s) => s.step === late)?.status, late).not.toBe('done');
    const files = existsSync(record.workspace) ? readdirSync(record.workspace, { recursive: true }).map(String) : [];
    expect(files.filter((f) => /output|partial|report|export/i.test(f))).toEqual([]);
    // The first run's output is untouched.
    const first = storedExecutions().find((e) => e.name === 'Execution #1')!;
    expect(readTable(first.outputPath!, 'Track').rows).toHaveLength(1000);
  });

  step('renames one execution and deletes another, with confirmation', async () => {
    await page.getByText('← All runs of this synthesis').click();
    const list = page.getByRole('table', { name: 'Executions' });
    await expect.poll(() => list.locator('[data-execution]').count()).toBe(2);
    expect(await list.locator('[data-execution="Execution #1"] [data-status]').getAttribute('data-status')).toBe('succeeded');
    expect(await list.locator('[data-execution="Execution #2"] [data-status]').getAttribute('data-status')).toBe('canceled');
    await app.shot('21-executions-list');

    await page.getByRole('button', { name: 'Rename Execution #1' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename execution' });
    await rename.getByLabel('Name').fill('Fast draft');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => list.locator('[data-execution="Fast draft"]').count()).toBe(1);

    await page.getByRole('button', { name: 'Delete Execution #2' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete execution?' });
    await expect.poll(() => confirm.getByText('“Execution #2” and its synthetic data').isVisible()).toBe(true);
    await app.shot('22-execution-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => list.locator('[data-execution]').count()).toBe(1);
    // What the user sees survives a reload: it is in the project store.
    await page.reload();
    await expect.poll(() => page.getByRole('table', { name: 'Executions' }).locator('[data-execution]').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('[data-execution="Fast draft"]').count()).toBe(1);
    await app.shot('23-executions-after-rename-delete');
  });

  step('keeps the audit record of the deleted run, and the chain stays intact', async () => {
    await page.getByRole('button', { name: 'Audit trail', exact: true }).click();
    const records = page.getByRole('table', { name: 'Audit records' });
    await expect.poll(() => records.locator('[data-audit-seq]').count(), { timeout: 20_000 }).toBe(2);
    const seqs = await records.locator('[data-audit-seq]').evaluateAll((els) => els.map((e) => e.getAttribute('data-audit-seq')));
    expect(seqs).toEqual(['2', '1']);
    expect(await records.locator('[data-audit-seq="2"] [data-status]').getAttribute('data-status')).toBe('canceled');
    expect(await records.locator('[data-audit-seq="2"]').getByText('deleted', { exact: true }).isVisible()).toBe(true);
    expect(await records.locator('[data-audit-seq="1"]').getByRole('button', { name: 'Fast draft' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.getByTestId('audit-verification').textContent()).toContain('intact: 2 records');
    await app.shot('23a-audit-trail-after-delete');
    await page.getByRole('button', { name: 'Syntheses & runs' }).click();
    await expect.poll(() => page.locator('[data-execution="Fast draft"]').count(), { timeout: 20_000 }).toBe(1);
  });

  step('generates more rows from the trained model: no training runs, the asked rows arrive', async () => {
    await page.getByRole('button', { name: 'Fast draft', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Fast draft' }).isVisible(), { timeout: 20_000 }).toBe(true);
    const trained = stored(shownExecutionId()).record;
    await page.getByRole('button', { name: 'Generate more' }).click();
    await page.getByRole('textbox', { name: 'Rows', exact: true }).fill('350');
    await page.getByRole('textbox', { name: 'Seed (empty: random)' }).fill('5');
    await app.shot('23b-generate-more');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await expect.poll(() => shownExecutionId(), { timeout: 20_000 }).not.toBe(trained.id);
    const id = shownExecutionId();
    await expect
      .poll(
        () =>
          page
            .locator('h2 + [data-status], h2 ~ * [data-status]')
            .first()
            .getAttribute('data-status')
            .catch(() => null),
        { timeout: 120_000 },
      )
      .toBe('succeeded');
    // The training step was skipped: the model was read back, not trained again.
    const timeline = page.getByTestId('timeline');
    expect(await timeline.locator('[data-step="train"]').getAttribute('data-status')).toBe('skipped');
    await expect.poll(() => page.getByText('Reused the trained model of 1 table(s); no training.', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByText('Training loss', { exact: true }).count()).toBe(0);
    await page.getByRole('tab', { name: /Track/ }).click();
    await expect.poll(() => page.getByText('Rows 1–25 of 350').isVisible(), { timeout: 20_000 }).toBe(true);
    await app.shot('23c-generated-more');

    const { record, config } = stored(id);
    expect(record.status).toBe('succeeded');
    expect(record.steps.find((s) => s.step === 'train')?.status).toBe('skipped');
    expect(record.summary?.rows).toEqual({ Track: 350, Genre: 25, MediaType: 5 });
    // A new output beside the first one, which is kept; the new rows are synthetic too.
    expect(record.outputPath).not.toBe(trained.outputPath);
    expect(readTable(trained.outputPath!, 'Track').rows).toHaveLength(1000);
    const synthetic = readTable(record.outputPath!, 'Track');
    expect(synthetic.rows).toHaveLength(350);
    // Not a copy, and statistically the first run's model: its quality on the same columns within a
    // sampling margin of the first run's.
    expectSynthetic('Track, generated more', readTable(chinook, 'Track'), synthetic, generatedColumns(config, 'Track'), { quality: false });
    const again = qualityAgainstIndependent(readTable(chinook, 'Track'), synthetic, generatedColumns(config, 'Track'));
    expect(Math.abs(again.synthetic - firstQuality), `quality ${again.synthetic.toFixed(3)} vs the first run's ${firstQuality.toFixed(3)}`).toBeLessThan(0.05);
    const genres = new Set(readTable(record.outputPath!, 'Genre').rows.map((r) => r[0]));
    const genreAt = synthetic.columns.indexOf('GenreId');
    expect(synthetic.rows.filter((r) => !genres.has(r[genreAt]!))).toEqual([]);
    await page.getByText('← All runs of this synthesis').click();
    await expect.poll(() => page.getByRole('table', { name: 'Executions' }).locator('[data-execution]').count(), { timeout: 20_000 }).toBe(2);
  });

  step('switches to the dark theme and keeps it', async () => {
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await app.shot('24-dark-executions');
    await page.getByRole('button', { name: 'Fast draft', exact: true }).click();
    await expect.poll(() => page.getByRole('tab', { name: /Track/ }).isVisible(), { timeout: 20_000 }).toBe(true);
    await app.shot('25-dark-execution');
    // The saved synthesis opens in the wizard again, as it was configured.
    await page.getByText('← All runs of this synthesis').click();
    await page.getByRole('button', { name: 'Edit configuration' }).click();
    await page.getByRole('button', { name: /^Foreign keys/ }).click();
    await expect.poll(() => page.getByTestId('schema-graph').getByTestId('asterisk-Genre').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('schema-graph').locator('.react-flow__node').count()).toBe(3);
    await app.shot('26-dark-wizard-graph');
    await page.getByRole('button', { name: /^Data treatment/ }).click();
    await app.shot('27-dark-wizard-treatment');
    await page.getByRole('button', { name: 'Sources' }).click();
    await app.shot('28-dark-sources');
    await page.reload();
    await expect.poll(() => page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  step('can be used with the keyboard alone', async () => {
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'Sources' }).isVisible(), { timeout: 20_000 }).toBe(true);
    // Tab through the header and the main navigation, then open the runs with Enter.
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    for (let i = 0; i < 10 && (await focused()) !== 'Syntheses & runs'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('Syntheses & runs');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Syntheses & runs' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('[data-execution="Fast draft"]').count()).toBe(1);
  });

  step('names the broken record when the audit trail was edited behind Doppel’s back', async () => {
    // What someone with raw access to the store file could do: drop the guard and rewrite a figure.
    const db = new Database(path.join(app.dir, 'store', 'store.sqlite'));
    try {
      db.exec('DROP TRIGGER audit_no_update');
      db.prepare('UPDATE audit SET payload = replace(payload, \'"status":"canceled"\', \'"status":"succeeded"\') WHERE seq = 2').run();
    } finally {
      db.close();
    }
    await page.getByRole('button', { name: 'Audit trail', exact: true }).click();
    await page.getByRole('button', { name: 'Verify chain' }).click();
    const verdict = page.getByTestId('audit-verification');
    await expect.poll(() => verdict.getAttribute('data-ok')).toBe('false');
    expect(await verdict.textContent()).toMatch(/Chain broken at record #2.*edited after it was written/);
    expect(await page.locator('[data-audit-seq="2"]').getAttribute('data-broken')).toBe('true');
    await app.shot('30-audit-chain-broken');
  });
});

/** The id of the execution the page shows (#/execution/<id>). */
function shownExecutionId(): string {
  const id = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/execution\//, ''));
  expect(id).toMatch(/^[\w-]+$/);
  return id;
}

/** An execution as the project store holds it, with its configuration. */
function stored(id: string): { record: ExecutionRecord; config: SynthesisConfig } {
  const store = openStore(path.join(app.dir, 'store'));
  try {
    return { record: store.executions.get(id), config: store.executions.config(id) };
  } finally {
    store.close();
  }
}

function storedExecutions(): ExecutionRecord[] {
  const store = openStore(path.join(app.dir, 'store'));
  try {
    return store.executions.list();
  } finally {
    store.close();
  }
}

/** Every row of a table of a SQLite file. */
function readTable(file: string, table: string): RowBatch {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const stmt = db.prepare(`SELECT * FROM "${table}"`).raw();
    return { columns: stmt.columns().map((c) => c.name), rows: stmt.all() as RowBatch['rows'] };
  } finally {
    db.close();
  }
}

/** Picks a format in the Download menu and returns the path of the downloaded file. */
async function download(label: string): Promise<string> {
  await page.getByRole('button', { name: 'Download' }).click();
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('menuitem', { name: label }).click()]);
  const failure = await file.failure();
  if (failure) throw new Error(`download failed: ${failure}`);
  const target = path.join(app.dir, file.suggestedFilename());
  await file.saveAs(target);
  return target;
}
