import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { datasetPath } from '../helpers/datasets';
import type { App } from './harness';

/**
 * Helpers of the walk-through tests: steps that build on each other (after a failure, a screenshot and the rest
 * skipped), the controls a user reaches for, and downloads saved where the test can read them.
 */
export function walker(getApp: () => App): { step(name: string, fn: () => Promise<void>, timeout?: number): void } {
  let broken = false;
  return {
    step(name, fn, timeout) {
      it(
        name,
        async (ctx) => {
          if (broken) return ctx.skip();
          try {
            await fn();
          } catch (e) {
            broken = true;
            await getApp()
              .shot(`failed-${name.slice(0, 40).replace(/\W+/g, '-')}`)
              .catch(() => undefined);
            throw e;
          }
        },
        timeout,
      );
    },
  };
}

/** A Mantine SegmentedControl option, by the control's aria-label and the option's label. */
export function segment(p: Page | Locator, control: string, option: string): Locator {
  return p.locator(`[aria-label="${control}"]`).getByText(option, { exact: true });
}

/** Copies chinook into the app's temp folder and adds it as a SQLite source named `name` through the dialog. */
export async function addChinook(app: App, name = 'Chinook'): Promise<string> {
  const file = path.join(app.dir, `${name.replace(/\W+/g, '_')}.sqlite`);
  copyFileSync(datasetPath('chinook', 'Chinook_Sqlite.sqlite'), file);
  const page = app.page;
  await page
    .getByRole('button', { name: /^Add (your first )?source$/ })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: 'Add a source' });
  await segment(dialog, 'Source kind', 'SQLite').click();
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('SQLite file path').fill(file);
  await dialog.getByRole('button', { name: 'Add source' }).click();
  await waitFor(() => dialog.isVisible().then((v) => !v), 30_000);
  return file;
}

/** Polls `check` until it is true (or throws after `timeout` ms). */
export async function waitFor(check: () => Promise<boolean>, timeout = 15_000, interval = 200): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`Timed out after ${timeout} ms waiting for ${check.toString().slice(0, 160)}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Clicks `trigger`, waits for the download it starts and saves it in the app's temp folder; returns path and suggested name. */
export async function download(app: App, trigger: () => Promise<void>, timeout = 90_000): Promise<{ file: string; name: string }> {
  const [d] = await Promise.all([app.page.waitForEvent('download', { timeout }), trigger()]);
  const failure = await d.failure();
  if (failure) throw new Error(`download failed: ${failure}`);
  const file = path.join(app.dir, d.suggestedFilename());
  await d.saveAs(file);
  return { file, name: d.suggestedFilename() };
}

export function text(file: string): string {
  return readFileSync(file, 'utf8');
}
