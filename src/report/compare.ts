/**
 * compareReports(a, b, …) → a self-contained HTML page putting executions' reports side by side:
 * headline figures, per-table scores, per-column scores (with a chart) and the run settings
 * that differ.
 */
import type * as vl from 'vega-lite';
import { toSvg } from './charts';
import { reportCss, reportCspMeta } from './css';
import { esc, int, levelWord, num, pct, rowsTable, seconds } from './format';
import type { ReportJson } from './schema';

const A_COLOR = '#6b7b8c';
const B_COLOR = '#2a9d8f';

function delta(a: number | null, b: number | null, higherIsBetter = true, asPct = true): string {
  if (a === null || b === null) return '';
  const d = b - a;
  if (Math.abs(d) < 1e-9) return '<span class="small">=</span>';
  const better = higherIsBetter ? d > 0 : d < 0;
  const text = asPct ? `${d > 0 ? '+' : '−'}${Math.abs(d * 100).toFixed(1)} pt` : `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}`;
  return `<span class="${better ? 'good' : 'bad'}">${text}</span>`;
}

/** |DCR share − 0.5|: lower is better. */
function dcrDistance(x: number | null): number | null {
  return x === null ? null : Math.abs(x - 0.5);
}

/** Run letters: A, B, C… */
const letter = (i: number): string => String.fromCharCode(65 + i);

/** A header row: the label, then each run's letter, with a "Change vs A" column after every run but the first. */
function header(label: string, n: number): string[] {
  const h = [label, 'A'];
  for (let i = 1; i < n; i++) h.push(letter(i), n === 2 ? 'Change (B vs A)' : `Change (${letter(i)} vs A)`);
  return h;
}

/** Cells of one measure for every run, with each run's change against A. */
function cells(values: (number | null)[], show: (x: number | null) => string, change?: (a: number | null, b: number | null) => string): string[] {
  const out = [show(values[0] ?? null)];
  for (let i = 1; i < values.length; i++) out.push(show(values[i] ?? null), change ? change(values[0] ?? null, values[i] ?? null) : '');
  return out;
}

function textCells(values: string[]): string[] {
  const out = [values[0] ?? ''];
  for (let i = 1; i < values.length; i++) out.push(values[i] ?? '', '');
  return out;
}

const numericCols = (n: number): boolean[] => [false, ...Array.from({ length: 2 * n - 1 }, () => true)];

function headlineRows(reports: ReportJson[]): string[][] {
  const s = reports.map((r) => r.summary);
  const rows = (r: ReportJson): number => r.summary.tables.reduce((sum, t) => sum + t.synthetic, 0);
  const score = (label: string, get: (x: ReportJson['summary']) => number | null): string[] => [label, ...cells(s.map(get), pct, delta)];
  return [
    score('Overall quality', (x) => x.quality),
    score('Robust score', (x) => x.accuracy),
    score('Column shapes', (x) => x.columnShapes),
    score('Column pair trends', (x) => x.columnPairTrends),
    ...(s.some((x) => x.cardinality !== null) ? [score('Cardinality', (x) => x.cardinality)] : []),
    ['Privacy verdict', ...textCells(s.map((x) => levelWord[x.privacy.level] ?? ''))],
    [
      'DCR share (50% ideal)',
      ...cells(
        s.map((x) => x.privacy.dcrShare),
        pct,
        (a, b) => delta(dcrDistance(a), dcrDistance(b), false),
      ),
    ],
    ['Copies of unique training rows', ...textCells(s.map((x) => String(x.privacy.exactMatchesUnique ?? '—')))],
    [
      'ML utility gap',
      ...cells(
        s.map((x) => x.utility?.gap ?? null),
        (x) => num(x),
        (a, b) => delta(a, b, false, false),
      ),
    ],
    ['Synthetic rows', ...textCells(reports.map((r) => int(rows(r))))],
    ['Backend', ...textCells(s.map((x) => esc(x.backend)))],
    ['Total time', ...textCells(s.map((x) => seconds(x.totalSeconds)))],
  ];
}

const RUN_COLORS = [A_COLOR, B_COLOR, '#e76f51', '#8e6bbf', '#e9c46a', '#3a86ff', '#c1121f', '#588157'];

async function tableComparison(name: string, reports: ReportJson[]): Promise<string> {
  const ts = reports.map((r) => r.tables.find((t) => t.name === name));
  if (ts.some((t) => !t || t.treatment !== 'synthesize')) return '';
  const tables = ts as NonNullable<(typeof ts)[number]>[];
  const scores = tables.map((t) => new Map(t.columns.map((c) => [c.column, c.score])));
  const cols = tables[0]!.columns.filter((c) => scores.every((m) => m.has(c.column)));
  const rows = cols.map((c) => [
    esc(c.column),
    ...cells(
      scores.map((m) => m.get(c.column) ?? null),
      pct,
      delta,
    ),
  ]);
  const runs = reports.map((_, i) => letter(i));
  const values = cols.flatMap((c, order) => scores.map((m, i) => ({ column: c.column, order, run: runs[i], score: m.get(c.column) ?? null })));
  const chart = values.length
    ? await toSvg({
        title: 'Column shape score per column',
        width: 300,
        height: { step: reports.length > 2 ? 4 : 6 } as unknown as number,
        data: { values },
        mark: 'bar',
        encoding: {
          y: { field: 'column', type: 'nominal', sort: { field: 'order' }, title: null },
          yOffset: { field: 'run' },
          x: { field: 'score', type: 'quantitative', scale: { zero: false }, axis: { format: '.0%', title: 'score' } },
          color: {
            field: 'run',
            type: 'nominal',
            scale: { domain: runs, range: runs.map((_, i) => RUN_COLORS[i % RUN_COLORS.length]) },
            legend: { orient: 'top', title: null },
          },
        },
      } as vl.TopLevelSpec)
    : '';
  const qualities = tables.map((t, i) => `${i === 0 ? '' : ' → '}${pct(t.quality)}${i === 0 ? '' : ` ${delta(tables[0]!.quality, t.quality)}`}`).join('');
  return `<h3>Table ${esc(name)}: quality ${qualities}</h3>
<div class="two"><div>${rowsTable(header('Column (A worst first)', reports.length), rows, numericCols(reports.length))}</div><div class="chart">${chart}</div></div>`;
}

function settingsDiff(reports: ReportJson[]): string {
  const maps = reports.map((r) => new Map(r.summary.settings.map((s) => [s.label, s.value])));
  const labels = [...new Set(reports.flatMap((r) => r.summary.settings.map((s) => s.label)))];
  const diff = labels.filter((l) => maps.some((m) => m.get(l) !== maps[0]!.get(l))).map((l) => [esc(l), ...maps.map((m) => esc(m.get(l) ?? '—'))]);
  return diff.length
    ? rowsTable(['Setting', ...reports.map((_, i) => letter(i))], diff)
    : `<p class="small">${reports.length === 2 ? 'Both' : 'All'} executions used the same settings.</p>`;
}

const COUNT_WORDS = ['', '', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];

/**
 * The side-by-side comparison of two or more executions' reports (A is the reference: every other
 * run's figures come with their change against A). The CLI's `report --compare` and the app's
 * compare view both render it.
 */
export async function compareReports(...reports: ReportJson[]): Promise<string> {
  if (reports.length < 2) throw new Error('A comparison needs at least two reports.');
  const label = (r: ReportJson): string =>
    `${esc(r.name)}${r.executionId ? ` (${esc(r.executionId)})` : ''}, ${esc(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC`;
  const names = reports[0]!.tables.map((t) => t.name).filter((n) => reports.every((r) => r.tables.some((t) => t.name === n)));
  const tables: string[] = [];
  for (const n of names) tables.push(await tableComparison(n, reports));
  const count = COUNT_WORDS[reports.length] ?? String(reports.length);
  const title = reports.map((r) => esc(r.name)).join(' vs ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${reportCspMeta}<title>Comparison: ${title}</title><style>${reportCss}</style></head>
<body><main>
<h1>Comparison of ${count} executions</h1>
<div class="meta">${reports.map((r, i) => `<b>${letter(i)}</b>: ${label(r)}`).join('<br>')}</div>
<h2>Headline figures</h2>
${rowsTable(header('Measure', reports.length), headlineRows(reports), numericCols(reports.length))}
<h2>Settings that differ</h2>
${settingsDiff(reports)}
<h2>Per table</h2>
${tables.join('\n')}
</main></body></html>`;
}
