/**
 * The wizard's schema graph on large schemas, in real Chromium against `npm start`'s host: a
 * generated SQLite schema of 50 and of 200 related tables (about two foreign keys each). Each
 * interaction is timed in the page from the input event to the frame that shows its result, with
 * the longest main-thread task in that window (Long Tasks API). Targets: every interaction under
 * 100 ms, no long task over 50 ms; a readable first view (zoom, text size) and hittable dots.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startApp } from '../../test/e2e/harness';
import { dragBetween, installTimers, timeUntil, visibleEdge, type Timing } from '../../test/e2e/graph-timing';
import { writeWideSchema } from '../../test/helpers/wide-schema';

const SIZES = (process.env.DOPPEL_BENCH_GRAPH_SIZES ?? '50,200').split(',').map(Number);
const INTERACTION_MS = 100;
const LONG_TASK_MS = 50;

interface Result {
  tables: number;
  fks: number;
  steps: { name: string; t: Timing }[];
  zoom: number;
  dotPx: number;
  shown: number;
}

async function measure(page: Page, file: string, tables: number): Promise<Result> {
  const schema = writeWideSchema(file, tables);
  await page
    .getByRole('button', { name: /Add (your first )?source/ })
    .first()
    .click();
  const dialog = page.getByRole('dialog', { name: 'Add a source' });
  await dialog.locator('[aria-label="Source kind"]').getByText('SQLite', { exact: true }).click();
  await dialog.getByLabel('Name').fill(`Wide ${tables}`);
  await dialog.getByLabel('SQLite file path').fill(file);
  await dialog.getByRole('button', { name: 'Add source' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 120_000 });
  await page.getByRole('button', { name: 'New synthesis', exact: true }).last().click();
  await page.getByRole('button', { name: 'Next: Primary keys' }).waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Next: Primary keys' }).click();
  await installTimers(page);
  const steps: Result['steps'] = [];
  const timed = async (name: string, t: Promise<Timing>): Promise<void> => {
    try {
      steps.push({ name, t: await t });
    } catch (e) {
      throw new Error(`${name}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
    }
  };

  await timed(
    'open the graph (step change to a fitted view)',
    timeUntil(
      page,
      () => page.getByRole('button', { name: 'Next: Foreign keys' }).click(),
      () =>
        document.querySelector<HTMLElement>('[data-testid="schema-graph"]')?.dataset.ready === 'true' &&
        document.querySelectorAll('.react-flow__edge').length > 0
          ? performance.now()
          : false,
      null,
    ),
  );
  const graph = page.getByTestId('schema-graph');
  const view = await page.evaluate(() => {
    const vp = document.querySelector('.react-flow__viewport') as HTMLElement;
    const zoom = new DOMMatrix(getComputedStyle(vp).transform).a;
    const dot = document.querySelector('.table-node-row .react-flow__handle')!.getBoundingClientRect();
    return { zoom, dotPx: dot.width, shown: document.querySelectorAll('.react-flow__node').length };
  });

  // An edge whose both tables are on screen: select it, then delete it.
  const target = await visibleEdge(page);
  if (!target) throw new Error('no edge between two tables of the first view');
  await timed(
    'select an edge',
    timeUntil(
      page,
      () => page.mouse.click(target.x, target.y),
      () => ([...document.querySelectorAll('button')].some((b) => b.textContent === 'Delete selected') ? performance.now() : false),
      null,
    ),
  );
  // Overlapping edges into one key: the click picks whichever is on top.
  const label = (await graph.locator('.react-flow__edge.selected').first().getAttribute('aria-label')) ?? target.label;
  await timed(
    'delete it (Delete key)',
    timeUntil(
      page,
      () => page.keyboard.press('Delete'),
      (l: string | number | null) => (!document.querySelector(`.react-flow__edge[aria-label="${l}"]`) ? performance.now() : false),
      label,
    ),
  );
  // Draw it again from the child column's right dot to the parent key's left dot.
  const m = /^Foreign key (.+)\.(.+) to (.+)\.(.+?)(?: \(non-context\))?$/.exec(label)!;
  const from = graph.locator(`[data-column="${m[1]}.${m[2]}"] .react-flow__handle.source`);
  const to = graph.locator(`[data-column="${m[3]}.${m[4]}"] .react-flow__handle.target`);
  await timed(
    'add a foreign key by drag',
    timeUntil(
      page,
      () => dragBetween(page, from, to),
      (l: string | number | null) =>
        document.querySelector('[data-testid="fk-added"]') && document.querySelector(`.react-flow__edge[aria-label="${l}"]`) ? performance.now() : false,
      label,
    ),
  );
  const layouts = Number(await graph.getAttribute('data-layouts'));
  await timed(
    'auto-layout',
    timeUntil(
      page,
      () => page.getByRole('button', { name: 'Auto-layout' }).click(),
      (n: string | number | null) =>
        Number(document.querySelector<HTMLElement>('[data-testid="schema-graph"]')?.dataset.layouts) > Number(n) ? performance.now() : false,
      layouts,
    ),
  );
  // Jump to the last table with the search box (typing is not timed; picking the match is).
  const last = schema.tables[schema.tables.length - 1]!;
  await page.getByRole('combobox', { name: 'Find a table' }).fill(last);
  const option = page.getByRole('option', { name: last, exact: true });
  await option.waitFor();
  await timed(
    'jump to a table (search box)',
    timeUntil(
      page,
      () => option.click(),
      (t: string | number | null) => (document.querySelector(`.react-flow__node.selected [data-table="${t}"]`) ? performance.now() : false),
      last,
    ),
  );
  return { tables, fks: schema.foreignKeys, steps, ...view };
}

const ok = (t: Timing): string => (t.ms < INTERACTION_MS && t.longestTaskMs <= LONG_TASK_MS ? 'yes' : '**no**');

export async function run(): Promise<string> {
  const results: Result[] = [];
  for (const n of SIZES) {
    const app = await startApp();
    try {
      app.page.setDefaultTimeout(60_000);
      await app.page.goto(app.launched.host.url);
      try {
        results.push(await measure(app.page, path.join(app.dir, `wide-${n}.sqlite`), n));
      } finally {
        await app.shot(`bench-graph-${n}`);
      }
    } finally {
      await app.close();
    }
  }
  const lines = [
    '## Schema graph (50 and 200 tables, Chromium)',
    '',
    `Generated SQLite schemas (test/helpers/wide-schema.ts) opened in the wizard through \`npm start\`'s host in headless Chromium at 1280×800. Times run from the input event to the first frame showing the result; "longest task" is the longest main-thread task in that window. Targets: < ${INTERACTION_MS} ms per interaction, no task > ${LONG_TASK_MS} ms.`,
    '',
    '| Tables | FKs | Interaction | Time (ms) | Longest task (ms) | On target |',
    '|---:|---:|---|---:|---:|---|',
  ];
  for (const r of results)
    for (const s of r.steps) lines.push(`| ${r.tables} | ${r.fks} | ${s.name} | ${s.t.ms.toFixed(0)} | ${s.t.longestTaskMs.toFixed(0)} | ${ok(s.t)} |`);
  lines.push('', '| Tables | First-view zoom | Table text (px) | Tables drawn in the first view | Dot size (px) |', '|---:|---:|---:|---:|---:|');
  for (const r of results) lines.push(`| ${r.tables} | ${r.zoom.toFixed(2)} | ${(12 * r.zoom).toFixed(1)} | ${r.shown} | ${r.dotPx.toFixed(1)} |`);
  return lines.join('\n');
}
