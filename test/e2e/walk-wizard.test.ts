import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { startApp, type App } from './harness';
import { dragBetween } from './graph-timing';
import { addChinook, segment, waitFor, walker } from './walk';

// The wizard as a privacy officer walks it on chinook (Track with its Genre and MediaType lookups): a primary key
// unset shows its error on its own step, the side panel lists errors first with their fixes, a drawn foreign key is
// checked on the data (types, values with no parent), its notice goes with the key, original-data columns say they
// are kept, the rare-category threshold shows its default, and the settings say what they do and which table
// "Number of rows" sizes. No run: nothing is trained here.

let app: App;
let page: Page;
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

const panel = () => page.getByTestId('problems-panel');
const graph = () => page.getByTestId('schema-graph');

/** Drags from a column's right dot to another column's left dot on the schema graph. */
async function draw(from: string, to: string): Promise<void> {
  await dragBetween(
    page,
    graph().locator(`[data-column="${from}"] .react-flow__handle.source`),
    graph().locator(`[data-column="${to}"] .react-flow__handle.target`),
  );
}

/** Selects a drawn edge on the graph and deletes it with the Delete key. */
async function deleteEdge(from: string, to: string): Promise<void> {
  const edge = graph().locator(`.react-flow__edge[aria-label="Foreign key ${from} to ${to}"]`);
  await edge.locator('.react-flow__edge-interaction').click({ force: true });
  await waitFor(() => page.getByRole('button', { name: 'Delete selected' }).isVisible());
  await page.keyboard.press('Delete');
  await waitFor(async () => (await edge.count()) === 0);
}

describe('the wizard, walked', () => {
  step('starts a synthesis of Track with its lookups', async () => {
    await addChinook(app);
    await page.getByRole('button', { name: 'New synthesis', exact: true }).last().click();
    await waitFor(() => page.getByRole('button', { name: 'Next: Primary keys' }).isVisible(), 30_000);
    // Unticked one by one, so the lookups keep their default (original data).
    for (const t of ['Album', 'Artist', 'Customer', 'Employee', 'Invoice', 'InvoiceLine', 'Playlist', 'PlaylistTrack'])
      await page.getByLabel(`Include table ${t}`, { exact: true }).uncheck();
    await waitFor(() => panel().getByText('0 errors').isVisible());
  });

  step('shows an unset primary key’s error on the Primary keys step, and the panel lists errors first, each with its fix', async () => {
    await page.getByRole('button', { name: 'Next: Primary keys' }).click();
    const row = page.getByRole('table', { name: 'Primary keys' }).locator('tr', { has: page.getByLabel('Primary key of Genre').first() });
    await row.getByRole('button', { name: 'Unset' }).click();
    const onStep = page.getByTestId('step-problems');
    await waitFor(() => onStep.isVisible());
    expect(await onStep.textContent()).toContain('must reference the primary key of "Genre"');
    expect(await row.textContent()).toContain('Error: ');
    // The panel: the error under "Primary keys", errors before warnings, every problem with its fix.
    const severities = await panel()
      .locator('[data-severity]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')));
    expect(severities.length).toBeGreaterThan(0);
    const firstWarning = severities.indexOf('warning');
    if (firstWarning >= 0) expect(severities.slice(firstWarning)).not.toContain('error');
    const errorText = await panel().locator('[data-severity="error"]').first().textContent();
    expect(errorText).toMatch(/Genre.*Fix: Set \(GenreId\) as the primary key of "Genre"/);
    await app.shot('walk-wizard-01-pk-error-on-its-step');
    await page.getByLabel('Primary key of Genre').first().click();
    await page.getByRole('option', { name: 'GenreId', exact: true }).click();
    await page.keyboard.press('Escape');
    await waitFor(() => panel().getByText('0 errors').isVisible());
    expect(await onStep.count()).toBe(0);
  });

  step('checks a drawn foreign key on the data: types that do not match', async () => {
    await page.getByRole('button', { name: 'Next: Foreign keys' }).click();
    await waitFor(async () => (await graph().locator('.react-flow__node').count()) === 3);
    await draw('Track.Name', 'Genre.GenreId');
    const check = page.getByTestId('fk-check');
    await waitFor(async () => (await check.getAttribute('data-ok')) !== null);
    expect(await check.getAttribute('data-ok')).toBe('false');
    expect(await check.textContent()).toMatch(/^Track\.Name is .+ but Genre\.GenreId is .+: the types do not match\.$/);
    await app.shot('walk-wizard-02-drawn-fk-types');
    await deleteEdge('Track.Name', 'Genre.GenreId');
    // The notice was about a key that no longer exists.
    await waitFor(async () => (await page.getByTestId('fk-added').count()) === 0);
  });

  step('counts the child values with no parent, and clears the notice when the key is deleted', async () => {
    await draw('Track.Bytes', 'MediaType.MediaTypeId');
    const check = page.getByTestId('fk-check');
    await waitFor(async () => (await check.getAttribute('data-ok')) !== null, 30_000);
    expect(await check.getAttribute('data-ok')).toBe('false');
    const text = (await check.textContent())!;
    const m = /^([\d,]+) of ([\d,]+) values of Track\.Bytes checked have no parent in MediaType \(e\.g\. .+\)\.$/.exec(text);
    expect(m, text).not.toBeNull();
    expect(Number(m![1]!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await page.getByTestId('fk-added').textContent()).toContain('Foreign key added: Track.Bytes → MediaType.MediaTypeId');
    // The validation panel does not call the configuration valid: it warns of the values with no parent, with the fix.
    const orphanWarning = panel().locator('[data-severity="warning"]', { hasText: 'checked have no parent in "MediaType"' });
    await waitFor(async () => (await orphanWarning.count()) === 1);
    expect(await orphanWarning.textContent()).toMatch(/Foreign key Track\(Bytes\) → MediaType\(MediaTypeId\): .*values checked have no parent.*Fix: /);
    await app.shot('walk-wizard-03-drawn-fk-orphans');
    await deleteEdge('Track.Bytes', 'MediaType.MediaTypeId');
    await waitFor(async () => (await page.getByTestId('fk-added').count()) === 0);
    expect(await orphanWarning.count()).toBe(0);
    await app.shot('walk-wizard-04-notice-cleared');
  });

  step('says an original-data table’s sensitive columns are kept (original data), not a disabled "Mock" choice', async () => {
    await page.getByRole('button', { name: 'Next: Data treatment' }).click();
    await waitFor(() => page.getByTestId('list-asterisk-Genre').isVisible());
    await page.getByRole('button', { name: 'Show columns of Genre' }).click();
    const shield = page.getByTestId('shield-toggle-Genre.Name');
    await shield.click();
    await waitFor(async () => (await shield.getAttribute('data-shield')) === 'gray');
    expect(await page.getByTestId('column-fate-Genre.Name').textContent()).toBe('kept (original data)');
    expect(await page.getByRole('table', { name: 'Columns of Genre' }).getByRole('textbox', { name: 'Treatment of Name' }).count()).toBe(0);
    expect(await page.getByTestId('gray-shield-warning').textContent()).toContain('real values will appear in the output');
    await app.shot('walk-wizard-05-kept-original-data');
  });

  step('shows the default the rare-category threshold falls back to', async () => {
    await page.getByRole('button', { name: 'Show columns of Track' }).click();
    await page.getByRole('button', { name: 'Options of Composer' }).click();
    const threshold = page.getByLabel('Rare category threshold');
    // Composer reads as categorical; were it typed otherwise, the user would make it categorical here.
    await new Promise((r) => setTimeout(r, 500));
    if (!(await threshold.isVisible())) {
      await page.getByLabel('Type', { exact: true }).first().click();
      await page.getByRole('option', { name: 'categorical', exact: true }).click();
    }
    await waitFor(() => threshold.isVisible());
    expect(await threshold.inputValue()).toBe('');
    expect(await threshold.getAttribute('placeholder')).toMatch(/^\d+ \(default\)$/);
    const n = (await threshold.getAttribute('placeholder'))!.split(' ')[0]!;
    expect(await page.getByText(`Empty = the synthesis setting (${n}).`, { exact: false }).isVisible()).toBe(true);
    await app.shot('walk-wizard-06-rare-threshold-default');
    await page.keyboard.press('Escape');
  });

  step('explains the settings and names the table "Number of rows" sizes', async () => {
    await page.getByRole('button', { name: /^Synth settings/ }).click();
    await segment(page, 'Output size', 'Number of rows').click();
    expect(await page.getByTestId('output-size-help').textContent()).toContain('Rows of the root table "Track"');
    expect(await page.getByText('Rows of Track', { exact: true }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Advanced settings' }).click();
    for (const help of [
      'Passes over the training rows',
      'Rows per training step',
      'Same seed and settings give the same output',
      'Synthetic rows equal to a real row are dropped',
    ])
      expect(await page.getByText(help, { exact: false }).first().isVisible()).toBe(true);
    await app.shot('walk-wizard-07-settings-help');
  });
});
