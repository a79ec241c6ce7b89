import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specsFromTableConfig } from '../../src/worker/engine/evaluate/columns';
import { evaluateQuality } from '../../src/worker/engine/evaluate/quality';
import { buildReport, type ReportInput } from '../../src/worker/engine/report/build';
import { compareReports } from '../../src/report/compare';
import { renderReportHtml } from '../../src/report/html';
import { renderReportPdf } from '../../src/report/pdf';
import { parseReport, type ReportJson } from '../../src/report/schema';
import { adultInput, berkaInput, configOf, independentSample, metadataOf, readTable } from './fixtures';

/** Any attribute or CSS reference that would make the browser fetch something. */
function externalRefs(html: string): string[] {
  const refs = html.match(/(?:src|href|action|poster)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*/gi) ?? [];
  const css = html.match(/url\(\s*["']?\s*(?:https?:)?\/\/[^)]*\)/gi) ?? [];
  const imports = html.match(/@import/gi) ?? [];
  return [...refs, ...css, ...imports];
}

/** The words of a PDF page with their boxes (pdftotext -bbox), and the pairs of words whose boxes overlap. */
function overlappingWords(pdf: string, page: number): { words: string[]; overlaps: string[] } {
  const xhtml = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8' });
  const boxes = [...xhtml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    x0: Number(m[1]),
    y0: Number(m[2]),
    x1: Number(m[3]),
    y1: Number(m[4]),
    text: m[5]!,
  }));
  const overlaps: string[] = [];
  boxes.forEach((a, i) => {
    for (const b of boxes.slice(i + 1)) {
      // More than a point of overlap both ways: one word printed over the other.
      if (Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 1 && Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > 1) overlaps.push(`"${a.text}" over "${b.text}"`);
    }
  });
  return { words: boxes.map((b) => b.text), overlaps };
}

const countSvgs = (html: string): number => (html.match(/<svg[\s>]/g) ?? []).length;

describe('report on Adult (independent-columns synthetic sample)', () => {
  const a = adultInput(6000, 3000);
  const input: ReportInput = {
    executionId: 'exec-adult',
    config: a.config,
    metadata: a.metadata,
    realTrain: { adult_train: a.train },
    realHoldout: { adult_train: a.holdout },
    synthetic: { adult_train: a.synthetic },
    backend: 'wasm',
    stepSeconds: { load: 0.5, train: 12.25, report: 2 },
    privacyStats: { rareCategories: [{ table: 'adult_train', column: 'native_country', categories: 7 }], filteredCopies: { adult_train: 2 } },
    generatedAt: new Date('2026-01-02T03:04:05Z'),
  };
  let report: ReportJson;
  let html: string;
  let dir: string;

  beforeAll(async () => {
    report = buildReport(input);
    html = await renderReportHtml(report);
    dir = mkdtempSync(join(tmpdir(), 'doppel-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('summarises quality with the SDMetrics numbers of the evaluate module', () => {
    const q = evaluateQuality(a.train, a.synthetic, specsFromTableConfig(a.config.tables.adult_train!));
    expect(report.summary.quality).toBeCloseTo(q.score!, 12);
    expect(report.tables[0]!.columnShapes).toBeCloseTo(q.columnShapes!, 12);
    // independent columns keep the shapes but lose the pair trends
    expect(report.summary.columnShapes!).toBeGreaterThan(0.97);
    expect(report.summary.columnPairTrends!).toBeLessThan(report.summary.columnShapes! - 0.03);
    expect(report.summary.backend).toBe('wasm');
    expect(report.summary.totalSeconds).toBeCloseTo(14.75, 10);
    expect(report.summary.tables).toEqual([{ name: 'adult_train', treatment: 'synthesize', real: 9000, synthetic: 6000 }]);
  });

  it('lists worst columns and pairs first and has a chart data set per scored column', () => {
    const t = report.tables[0]!;
    const scores = t.pairs.map((p) => p.score ?? 1);
    expect(scores).toEqual([...scores].sort((x, y) => x - y));
    expect(t.pairs[0]!.score!).toBeLessThan(0.5);
    expect(t.distributions.map((d) => d.column).sort()).toEqual(t.columns.map((c) => c.column).sort());
    expect(t.correlations!.columns).toContain('age');
  });

  it('measures privacy and utility against the holdout, in plain language', () => {
    const s = report.summary;
    expect(s.privacy.dcrShare!).toBeGreaterThan(0.35);
    expect(s.privacy.dcrShare!).toBeLessThan(0.65);
    expect(s.privacy.headline.length).toBeGreaterThan(40);
    expect(s.utility).toMatchObject({ target: 'income', metric: 'macroF1' });
    // no relationship to income survives independent sampling: a real utility gap
    expect(s.utility!.gap!).toBeGreaterThan(0.1);
    expect(report.protection.filteredCopies).toEqual({ adult_train: 2 });
  });

  it('is valid against its schema after a JSON round trip', () => {
    const stored: unknown = JSON.parse(JSON.stringify(report));
    expect(parseReport(stored)).toEqual(stored);
  });

  it('renders one self-contained HTML file: no external references, no scripts, an SVG per chart', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(externalRefs(html)).toEqual([]);
    expect(html).not.toMatch(/<script|<link|<iframe|<img/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'`);
    const t = report.tables[0]!;
    // distributions + correlation + association heatmaps + DCR + NNDR
    expect(countSvgs(html)).toBe(t.distributions.length + 2 + 2);
    expect(html).toContain('Adult census');
    expect(html).toContain(`${(report.summary.quality! * 100).toFixed(1)}%`);
    expect(html).toContain('native_country: 7 categories');
  });

  it('prints to a PDF whose pages render to PNG', async () => {
    const pdf = join(dir, 'report.pdf');
    await renderReportPdf(html, pdf);
    expect(statSync(pdf).size).toBeGreaterThan(20_000);
    execFileSync('pdftoppm', ['-r', '40', '-png', pdf, join(dir, 'page')]);
    const pages = readdirSync(dir).filter((f) => f.startsWith('page') && f.endsWith('.png'));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const p of pages) expect(statSync(join(dir, p)).size).toBeGreaterThan(1000);
    // Page 1 (summary, data table, run block with its step times, settings): no text printed over other text.
    const first = overlappingWords(pdf, 1);
    for (const w of ['Compute', 'backend', 'STEP', 'Training', 'ROBUST', 'SCORE', 'Settings']) expect(first.words).toContain(w);
    expect(first.overlaps).toEqual([]);
  });

  it('compares two executions side by side', async () => {
    const better = buildReport({ ...input, executionId: 'exec-copy', synthetic: { adult_train: a.holdout } });
    const page = await compareReports(report, better);
    expect(externalRefs(page)).toEqual([]);
    expect(page).toContain('exec-adult');
    expect(page).toContain('exec-copy');
    expect(page).toContain(`${(better.summary.quality! * 100).toFixed(1)}%`);
    expect(page).toMatch(/class="good">\+\d+\.\d pt/);
    expect(countSvgs(page)).toBe(1);
    // Three runs: every run after A shows its change against A.
    const three = await compareReports(report, better, { ...better, executionId: 'exec-third' });
    expect(three).toContain('Comparison of three executions');
    expect(three).toContain('<b>C</b>: ');
    expect(three).toContain('Change (C vs A)');
    expect(countSvgs(three)).toBe(1);
  });
});

describe('report on berka (7 tables, naive relational baseline)', () => {
  it('reports integrity, cardinality and parent–child trends per relationship', async () => {
    const b = berkaInput();
    const report = buildReport({
      config: b.config,
      metadata: b.metadata,
      realTrain: b.train,
      realHoldout: b.holdout,
      synthetic: b.synthetic,
      backend: 'cpu',
      stepSeconds: {},
    });
    expect(report.relationships).toHaveLength(7);
    for (const r of report.relationships) expect(r.integrity).toBe(1);
    // district -> account: uniform parents lose the real skew (Prague has far more accounts)
    const acc = report.relationships.find((r) => r.childTable === 'account')!;
    expect(acc.cardinality!).toBeLessThan(0.7);
    expect(acc.meanChildren.real).toBeCloseTo(4500 / 77, 6);
    expect(report.summary.cardinality).not.toBeNull();
    expect(report.summary.utility).toMatchObject({ table: 'loan', target: 'status' });
    const html = await renderReportHtml(report);
    expect(externalRefs(html)).toEqual([]);
    expect(html).toContain('Relationships');
    expect(html).toContain('account → district');
    // Accounts are ordered by their opening date: the gaps between a district's accounts are compared.
    expect(acc.sequence).toMatchObject({ column: 'date' });
    expect(acc.sequence!.gaps).not.toBeNull();
    expect(html).toContain('Sequences');
    expect(report.relationships.find((r) => r.childTable === 'disp')!.sequence).toBeNull();
  });
});

describe('report on a small table without holdout (penguins, 344 rows)', () => {
  it('still checks copies, and says the distance comparison was not possible', async () => {
    const real = readTable('penguins', 'penguins');
    const metadata = metadataOf('penguins', { penguins: real });
    const config = configOf('penguins', metadata);
    const copies = { columns: real.columns, rows: real.rows.slice(0, 50) };
    const report = buildReport({
      config,
      metadata,
      realTrain: { penguins: real },
      realHoldout: {},
      synthetic: { penguins: copies },
      backend: 'cpu',
      stepSeconds: {},
    });
    expect(report.tables[0]!.privacy!.dcrShare).toBeNull();
    expect(report.summary.utility).toBeNull();
    // verbatim copies of unique penguins are caught even without a holdout
    expect(report.summary.privacy.level).toBe('at-risk');
    expect(report.summary.privacy.exactMatchesUnique).toBeGreaterThan(40);
    const fresh = independentSample(real, 300, 5);
    const r2 = buildReport({
      config,
      metadata,
      realTrain: { penguins: real },
      realHoldout: {},
      synthetic: { penguins: fresh },
      backend: 'cpu',
      stepSeconds: {},
    });
    expect(r2.summary.privacy.exactMatchesUnique).toBe(0);
    expect(r2.summary.privacy.level).toBe('not-measured');
    expect(r2.summary.privacy.details.join(' ')).toMatch(/not compared with a holdout/);
    const html = await renderReportHtml(r2);
    expect(html).toContain('no holdout rows');
  });
});
