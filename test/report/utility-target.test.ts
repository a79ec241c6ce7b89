import { describe, expect, it } from 'vitest';
import type { CellValue, RowBatch } from '../../src/shared';
import { renderReportHtml } from '../../src/report/html';
import { chooseTarget, chooseTargets } from '../../src/worker/engine/evaluate/utility';
import { rng } from '../../src/worker/engine/evaluate/sample';
import { buildReport } from '../../src/worker/engine/report/build';
import { singleTableInput } from './report-builders';

/** `risk` follows `dose` and `age` closely; `region` is noise; `flag` is 98.5% one value, last. */
function table(n: number, seed: number): RowBatch {
  const r = rng(seed);
  const rows: CellValue[][] = [];
  for (let i = 0; i < n; i++) {
    const dose = Math.round(r() * 1000) / 10;
    const age = 20 + Math.floor(r() * 60);
    const risk = dose + age * 0.5 + (r() - 0.5) * 10 > 70 ? 'high' : dose > 30 ? 'medium' : 'low';
    rows.push([dose, age, ['north', 'south', 'east', 'west'][Math.floor(r() * 4)]!, risk, r() < 0.985 ? 'N' : 'Y']);
  }
  return { columns: ['dose', 'age', 'region', 'risk', 'flag'], rows };
}

const types = { dose: 'numerical', age: 'numerical', region: 'categorical', risk: 'categorical', flag: 'categorical' } as const;

function shuffled(b: RowBatch, column: number, seed: number): RowBatch {
  const r = rng(seed);
  const values = b.rows.map((row) => row[column]!);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return { columns: b.columns, rows: b.rows.map((row, i) => row.map((v, k) => (k === column ? values[i]! : v))) };
}

describe('report: a utility score that means something', () => {
  const train = table(2000, 1);
  const holdout = table(1000, 2);

  it('picks the column the others predict, not a 98.5% flag that happens to be last', () => {
    expect(
      chooseTarget(
        train,
        Object.entries(types).map(([name, sdtype]) => ({ name, sdtype })),
      ),
    ).toBe('risk');
    const renamed = { columns: ['dose', 'age', 'region', 'risk', 'outcome'], rows: train.rows };
    // A column named like an outcome wins, unless it is trivial (one value almost everywhere).
    expect(
      chooseTarget(renamed, [
        { name: 'region', sdtype: 'categorical' },
        { name: 'dose', sdtype: 'numerical' },
        { name: 'outcome', sdtype: 'categorical' },
      ]),
    ).not.toBe('outcome');
    expect(
      chooseTarget(
        renamed,
        [
          { name: 'risk', sdtype: 'categorical' },
          { name: 'region', sdtype: 'categorical' },
          { name: 'outcome', sdtype: 'categorical' },
        ],
        { report: { targetColumn: 'outcome' } },
      ),
    ).toBe('outcome');
  });

  it('shows a large gap when the synthetic data lost the signal of the target (its column shuffled)', async () => {
    const report = buildReport(singleTableInput('clinic', types, { train, holdout, synthetic: shuffled(table(2000, 3), 3, 4) }));
    const u = report.summary.utility!;
    expect(u).toMatchObject({ target: 'risk', informative: true });
    expect(u.gap!).toBeGreaterThan(0.3);
    const html = await renderReportHtml(report);
    expect(html).toContain('Gap (real − synthetic macro-F1)');
    expect(html).toContain('always the most common class');
  });

  it('scores several automatic targets: the predictable one first, each with its own gap or "not informative"', async () => {
    const specs = Object.entries(types).map(([name, sdtype]) => ({ name, sdtype }));
    const targets = chooseTargets(train, specs);
    expect(targets).toHaveLength(3);
    expect(targets[0]).toBe('risk');
    // The trivial flag is never a target; a chosen target stays alone.
    expect(targets).not.toContain('flag');
    expect(chooseTargets(train, specs, { report: { targetColumn: 'region' } })).toEqual(['region']);

    const report = buildReport(singleTableInput('clinic', types, { train, holdout, synthetic: table(2000, 3) }));
    const t = report.tables[0]!;
    expect(t.utility!.target).toBe('risk');
    expect(t.moreUtility.map((u) => u.target)).toEqual(targets.slice(1));
    // 'dose' and 'age' drive 'risk': predictable from the other columns, and a fresh sample keeps that (small gaps).
    const informative = t.moreUtility.filter((u) => u.informative);
    expect(informative.length).toBeGreaterThan(0);
    for (const u of informative) expect(Math.abs(u.gap!)).toBeLessThan(0.1);
    const html = await renderReportHtml(report);
    expect(html).toContain('Other targets');
    for (const u of t.moreUtility) expect(html).toContain(`<td>${u.target}</td>`);
  });

  it('says "not informative" for a majority-only target instead of a gap of 0', async () => {
    const input = singleTableInput('clinic', types, { train, holdout, synthetic: table(2000, 3) });
    input.config.report.targetColumn = 'flag';
    const report = buildReport(input);
    const u = report.tables[0]!.utility!;
    expect(u.target).toBe('flag');
    expect(u.informative).toBe(false);
    expect(u.gap).toBeNull();
    expect(report.summary.utility!.gap).toBeNull();
    const html = await renderReportHtml(report);
    expect(html).toContain('Not informative');
    expect(html).not.toContain('Gap (real − synthetic');
  });
});
