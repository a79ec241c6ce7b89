import { describe, expect, it } from 'vitest';
import type { CellValue, RowBatch } from '../../src/shared';
import { rng } from '../../src/worker/engine/evaluate/sample';
import { buildReport } from '../../src/worker/engine/report/build';
import { renderReportHtml } from '../../src/report/html';
import { singleTableInput } from './report-builders';

/** Heavy-tailed price and carat-like size, correlated, with a cut grade. */
function table(n: number, seed: number): RowBatch {
  const r = rng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const rows: CellValue[][] = [];
  for (let i = 0; i < n; i++) {
    const z = normal();
    rows.push([
      Math.round(Math.exp(7 + 1.1 * z + 0.2 * normal())),
      Math.round(Math.exp(-0.4 + 0.6 * z) * 100) / 100,
      z > 0.5 ? 'Ideal' : z > -0.7 ? 'Good' : 'Fair',
    ]);
  }
  return { columns: ['price', 'size', 'cut'], rows };
}

function clipAt7th(b: RowBatch): RowBatch {
  const bounds = [0, 1].map((j) => {
    const s = b.rows.map((row) => row[j] as number).sort((x, y) => x - y);
    return [s[7]!, s[s.length - 8]!] as const;
  });
  return { columns: b.columns, rows: b.rows.map((row) => [...[0, 1].map((j) => Math.min(bounds[j]![1], Math.max(bounds[j]![0], row[j] as number))), row[2]!]) };
}

describe('report: SDMetrics-compatible and robust fidelity side by side', () => {
  const types = { price: 'numerical', size: 'numerical', cut: 'categorical' } as const;

  it('shows both scores and explains the gap when the synthetic range stops short of the real one', async () => {
    const input = singleTableInput('gems', types, { train: table(3000, 1), holdout: table(1000, 2), synthetic: clipAt7th(table(3000, 3)) });
    const report = buildReport(input);
    const t = report.tables[0]!;
    expect(t.accuracy!.score!).toBeGreaterThan(t.quality! + 0.02);
    expect(report.summary.accuracy).toBeCloseTo(t.accuracy!.score!, 12);
    expect(t.fidelityNote).toMatch(/price.*narrower than the real one \(privacy clipping/);
    const html = await renderReportHtml(report);
    expect(html).toContain('Robust score');
    expect(html).toContain('3-way');
    expect(html).toContain('SDMetrics bins each side on its own minimum and maximum');
  });

  it("names clipping from the column's effective settings, not the global switch", () => {
    const parts = { train: table(3000, 1), holdout: table(1000, 2), synthetic: clipAt7th(table(3000, 3)) };
    // Automatic clipping off and no quantiles: the narrow range is not put down to clipping.
    const off = singleTableInput('gems', types, parts);
    off.config.settings.privacy.clipOutliers = false;
    const plain = buildReport(off).tables[0]!.fidelityNote;
    expect(plain).toMatch(/price.*narrower than the real one/);
    expect(plain).not.toMatch(/privacy clipping/);
    // Automatic clipping off, but price clipped at configured quantiles: the engine clipped it.
    const quantiles = singleTableInput('gems', types, parts);
    quantiles.config.settings.privacy.clipOutliers = false;
    quantiles.config.tables.gems!.columns.price!.options.clipUpperQuantile = 0.995;
    expect(buildReport(quantiles).tables[0]!.fidelityNote).toMatch(/\(privacy clipping keeps real extremes out\)/);
  });

  it('says nothing when both scores agree', () => {
    const input = singleTableInput('gems', types, { train: table(3000, 1), holdout: table(1000, 2), synthetic: table(3000, 3) });
    const t = buildReport(input).tables[0]!;
    expect(Math.abs(t.accuracy!.score! - t.quality!)).toBeLessThan(0.05);
    expect(t.fidelityNote).toBeNull();
  });
});
