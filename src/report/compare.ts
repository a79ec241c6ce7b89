/**
 * compareReports(a, b) → a self-contained HTML page putting two executions' reports side by side:
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

function headlineRows(a: ReportJson, b: ReportJson): string[][] {
  const sa = a.summary;
  const sb = b.summary;
  const rows = (r: ReportJson): number => r.summary.tables.reduce((s, t) => s + t.synthetic, 0);
  return [
    ['Overall quality', pct(sa.quality), pct(sb.quality), delta(sa.quality, sb.quality)],
    ['Robust score', pct(sa.accuracy), pct(sb.accuracy), delta(sa.accuracy, sb.accuracy)],
    ['Column shapes', pct(sa.columnShapes), pct(sb.columnShapes), delta(sa.columnShapes, sb.columnShapes)],
    ['Column pair trends', pct(sa.columnPairTrends), pct(sb.columnPairTrends), delta(sa.columnPairTrends, sb.columnPairTrends)],
    ...(sa.cardinality !== null || sb.cardinality !== null
      ? [['Cardinality', pct(sa.cardinality), pct(sb.cardinality), delta(sa.cardinality, sb.cardinality)]]
      : []),
    ['Privacy verdict', levelWord[sa.privacy.level] ?? '', levelWord[sb.privacy.level] ?? '', ''],
    [
      'DCR share (50% ideal)',
      pct(sa.privacy.dcrShare),
      pct(sb.privacy.dcrShare),
      delta(dcrDistance(sa.privacy.dcrShare), dcrDistance(sb.privacy.dcrShare), false),
    ],
    ['Copies of unique training rows', String(sa.privacy.exactMatchesUnique ?? '—'), String(sb.privacy.exactMatchesUnique ?? '—'), ''],
    ['ML utility gap', num(sa.utility?.gap), num(sb.utility?.gap), delta(sa.utility?.gap ?? null, sb.utility?.gap ?? null, false, false)],
    ['Synthetic rows', int(rows(a)), int(rows(b)), ''],
    ['Backend', esc(sa.backend), esc(sb.backend), ''],
    ['Total time', seconds(sa.totalSeconds), seconds(sb.totalSeconds), ''],
  ];
}

async function tableComparison(name: string, a: ReportJson, b: ReportJson): Promise<string> {
  const ta = a.tables.find((t) => t.name === name);
  const tb = b.tables.find((t) => t.name === name);
  if (!ta || !tb || ta.treatment !== 'synthesize' || tb.treatment !== 'synthesize') return '';
  const scoreB = new Map(tb.columns.map((c) => [c.column, c.score]));
  const cols = ta.columns.filter((c) => scoreB.has(c.column));
  const rows = cols.map((c) => [esc(c.column), pct(c.score), pct(scoreB.get(c.column) ?? null), delta(c.score, scoreB.get(c.column) ?? null)]);
  const values = cols.flatMap((c, order) => [
    { column: c.column, order, run: 'A', score: c.score },
    { column: c.column, order, run: 'B', score: scoreB.get(c.column) ?? null },
  ]);
  const chart = values.length
    ? await toSvg({
        title: 'Column shape score per column',
        width: 300,
        height: { step: 6 } as unknown as number,
        data: { values },
        mark: 'bar',
        encoding: {
          y: { field: 'column', type: 'nominal', sort: { field: 'order' }, title: null },
          yOffset: { field: 'run' },
          x: { field: 'score', type: 'quantitative', scale: { zero: false }, axis: { format: '.0%', title: 'score' } },
          color: { field: 'run', type: 'nominal', scale: { domain: ['A', 'B'], range: [A_COLOR, B_COLOR] }, legend: { orient: 'top', title: null } },
        },
      } as vl.TopLevelSpec)
    : '';
  return `<h3>Table ${esc(name)}: quality ${pct(ta.quality)} → ${pct(tb.quality)} ${delta(ta.quality, tb.quality)}</h3>
<div class="two"><div>${rowsTable(['Column (A worst first)', 'A', 'B', 'Change'], rows, [false, true, true, true])}</div><div class="chart">${chart}</div></div>`;
}

function settingsDiff(a: ReportJson, b: ReportJson): string {
  const mb = new Map(b.summary.settings.map((s) => [s.label, s.value]));
  const diff = a.summary.settings.filter((s) => mb.get(s.label) !== s.value).map((s) => [esc(s.label), esc(s.value), esc(mb.get(s.label) ?? '—'), '']);
  return diff.length ? rowsTable(['Setting', 'A', 'B', ''], diff) : '<p class="small">Both executions used the same settings.</p>';
}

export async function compareReports(a: ReportJson, b: ReportJson): Promise<string> {
  const label = (r: ReportJson): string =>
    `${esc(r.name)}${r.executionId ? ` (${esc(r.executionId)})` : ''}, ${esc(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC`;
  const names = a.tables.map((t) => t.name).filter((n) => b.tables.some((t) => t.name === n));
  const tables: string[] = [];
  for (const n of names) tables.push(await tableComparison(n, a, b));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${reportCspMeta}<title>Comparison: ${esc(a.name)} vs ${esc(b.name)}</title><style>${reportCss}</style></head>
<body><main>
<h1>Comparison of two executions</h1>
<div class="meta"><b>A</b>: ${label(a)}<br><b>B</b>: ${label(b)}</div>
<h2>Headline figures</h2>
${rowsTable(['Measure', 'A', 'B', 'Change (B vs A)'], headlineRows(a, b), [false, true, true, true])}
<h2>Settings that differ</h2>
${settingsDiff(a, b)}
<h2>Per table</h2>
${tables.join('\n')}
</main></body></html>`;
}
