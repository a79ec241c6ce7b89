import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/worker/engine/report/build';
import { renderReportHtml } from '../../src/report/html';
import { people } from '../helpers/people';
import { singleTableInput } from './report-builders';

const types = { age: 'numerical', income: 'numerical', job: 'categorical', city: 'categorical', member: 'categorical', score: 'numerical' } as const;

describe('report: the attacks an auditor runs, with a holdout control set', () => {
  const train = people(700, 1);
  const holdout = people(700, 2);

  it('a synthetic set copied from the training rows is flagged by every attack and the verdict is at risk', async () => {
    const copied = { columns: train.columns, rows: train.rows.map((r) => [...r]) };
    const report = buildReport(singleTableInput('people', types, { train, holdout, synthetic: copied }));
    const a = report.tables[0]!.privacy!.attacks!;
    for (const r of [a.singlingOut, a.linkability, a.inference]) expect(r!.riskLow).toBeGreaterThan(0.1);
    expect(a.membershipAuc!).toBeGreaterThan(0.6);
    const v = report.summary.privacy;
    expect(v.level).toBe('at-risk');
    const text = v.details.join(' ');
    for (const name of ['singling-out', 'linkability', 'attribute inference', 'membership attacker']) expect(text).toContain(name);
    const html = await renderReportHtml(report);
    expect(html).toContain('Attacks an auditor runs');
    expect(html).toContain('lower end is above 10%');
    expect(html).toContain('above 0.55 is a signal, above 0.6 a risk');
  });

  it('a fresh sample from the same distribution is not flagged by the attacks', () => {
    const report = buildReport(singleTableInput('people', types, { train, holdout, synthetic: people(700, 3) }));
    const a = report.tables[0]!.privacy!.attacks!;
    for (const r of [a.singlingOut, a.linkability, a.inference]) expect(r!.riskLow).toBeLessThanOrEqual(0.1);
    expect(a.membershipAuc!).toBeLessThan(0.55);
    expect(report.summary.privacy.details.join(' ')).toContain('no measurably better on training records than on unseen ones');
    expect(report.summary.privacy.level).not.toBe('at-risk');
  });
});
