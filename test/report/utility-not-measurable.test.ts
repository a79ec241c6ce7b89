/**
 * Utility on degenerate tasks, through the real CLI on generated CSV files: a target that is the
 * table's only column besides its key (nothing to predict it from), and a configured target with a
 * single value besides missing ones (numerical: R² is 0/0; categorical: one class, a "perfect"
 * score that says nothing). The run completes and its report says utility was not measurable, and
 * why, instead of failing on a NaN score or showing a gap of 0.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReport, type ReportJson } from '../../src/report/schema';
import { doppel, tempDir } from '../cli/helpers';

const dir = tempDir('utility-not-measurable');
const store = path.join(dir, 'store');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 640;

/** Writes `name.csv`, makes its configuration (few epochs, the given edits) and runs it; returns the stored report and its HTML. */
async function runOn(
  name: string,
  header: string[],
  row: (i: number) => (string | number)[],
  edit: (config: { tables: Record<string, { columns: Record<string, { sdtype: string }> }>; report: Record<string, string> }) => void = () => {},
): Promise<{ report: ReportJson; html: string; table: string }> {
  const file = path.join(dir, `${name}.csv`);
  const lines = [header.join(',')];
  for (let i = 1; i <= ROWS; i++) lines.push(row(i).join(','));
  writeFileSync(file, `${lines.join('\n')}\n`);
  const cfgFile = path.join(dir, `${name}.json`);
  const init = await doppel(['init', file, '-o', cfgFile], { store });
  expect(init.code, init.stderr).toBe(0);
  const config = JSON.parse(readFileSync(cfgFile, 'utf8'));
  config.settings.epochs = 2;
  edit(config);
  writeFileSync(cfgFile, JSON.stringify(config));
  const run = await doppel(['run', cfgFile, '--json'], { store });
  expect(run.code, run.stderr).toBe(0);
  const summary = JSON.parse(run.stdout) as { status: string; reportPath: string };
  expect(summary.status).toBe('succeeded');
  const report = parseReport(JSON.parse(readFileSync(summary.reportPath.replace(/\.html$/, '.json'), 'utf8')));
  return { report, html: readFileSync(summary.reportPath, 'utf8'), table: Object.keys(config.tables)[0] as string };
}

function expectNotMeasurable(report: ReportJson, html: string, table: string, target: string, reason: RegExp): void {
  expect(report.summary.utility).toMatchObject({ table, target, real: null, synthetic: null, gap: null, informative: false });
  expect(report.summary.utility!.notMeasurable).toMatch(reason);
  const t = report.tables.find((x) => x.name === table)!;
  expect(t.utility).toMatchObject({ target, gap: null, informative: false, real: {}, synthetic: {} });
  expect(t.utility!.notMeasurable).toMatch(reason);
  // The headline card and the utility section say so, with the reason; no gap is shown.
  expect(html).toContain('Not measurable');
  expect(html).toMatch(reason);
  expect(html).not.toContain('Gap (real − synthetic');
}

describe('report: utility on a degenerate task is "not measurable", and the run completes', () => {
  it('a table of a text key and an age that is a function of it: nothing else predicts the age', async () => {
    const { report, html, table } = await runOn('people.v2', ['person.id', 'age'], (i) => [`P-${String(i).padStart(5, '0')}`, 20 + (i % 50)]);
    expectNotMeasurable(report, html, table, 'age', /no other column/i);
  });

  it('a configured numerical target with a single value besides missing ones', async () => {
    const { report, html, table } = await runOn(
      'visits',
      ['id', 'ward', 'score'],
      (i) => [i, ['north', 'south', 'east'][i % 3]!, i % 4 === 0 ? '' : 7],
      (config) => {
        const t = Object.values(config.tables)[0]!;
        t.columns.score!.sdtype = 'numerical';
        config.report.targetColumn = 'score';
      },
    );
    expectNotMeasurable(report, html, table, 'score', /single value/i);
  });

  it('a configured categorical target with a single value besides missing ones (no gap of 0 claimed)', async () => {
    const { report, html, table } = await runOn(
      'members',
      ['id', 'ward', 'status'],
      (i) => [i, ['north', 'south', 'east'][i % 3]!, i % 5 === 0 ? '' : 'active'],
      (config) => {
        config.report.targetColumn = 'status';
      },
    );
    expectNotMeasurable(report, html, table, 'status', /single value/i);
  });
});
