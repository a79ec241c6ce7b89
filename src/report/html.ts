/**
 * renderReportHtml(report) → one self-contained HTML document (inline CSS and SVG charts, no
 * scripts, no network), readable on screen and printable to A4 (see pdf.ts).
 */
import { jobStepLabels, jobSteps } from '../shared';
import { reportCss, reportCspMeta } from './css';
import { esc, gapClass, int, levelWord, metricName, num, pct, qualityWord, rowsTable, seconds } from './format';
import { destinationSection, fidelitySection, privacyTableSection, protectionSection, relationalSection, utilitySection, type Pause } from './html-sections';
import type { ReportJson } from './schema';

function card(label: string, value: string, note: string, cls = ''): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value ${cls}">${value}</div><div class="note">${note}</div></div>`;
}

function headline(r: ReportJson): string {
  const s = r.summary;
  const qw = qualityWord(s.quality);
  const real = s.tables.reduce((a, t) => a + t.real, 0);
  const syn = s.tables.reduce((a, t) => a + t.synthetic, 0);
  const u = s.utility;
  const cards = [
    card(
      'Overall quality',
      pct(s.quality),
      `${qw.word} statistical fidelity (SDMetrics definitions)${s.accuracy !== null ? `; robust score ${pct(s.accuracy)} (bins of the real data)` : ''}`,
      qw.cls,
    ),
    card(
      'Privacy',
      s.privacy.level === 'not-measured' && s.privacy.exactMatches !== null ? 'Partly measured' : (levelWord[s.privacy.level] ?? s.privacy.level),
      s.privacy.dcrShare !== null ? `DCR share ${pct(s.privacy.dcrShare)} (50% ideal)` : 'no holdout to compare with',
      `lvl-${s.privacy.level}`,
    ),
    card(
      'ML utility gap',
      u ? (u.notMeasurable !== null ? 'Not measurable' : u.informative ? num(u.gap, 2) : 'Not informative') : '—',
      u
        ? u.notMeasurable !== null
          ? `predicting ${esc(u.target)}: ${esc(u.notMeasurable)}`
          : u.informative
            ? `${metricName(u.metric)} ${num(u.synthetic, 2)} when trained on synthetic vs ${num(u.real, 2)} on real (0 = no loss)`
            : `predicting ${esc(u.target)}: neither model beats always guessing the most common value`
        : 'not measured',
      u?.informative ? gapClass(u.gap) : '',
    ),
    card('Rows', int(syn), `synthetic, from ${int(real)} real rows in ${s.tables.length} table${s.tables.length === 1 ? '' : 's'}`),
  ];
  const verdict = `<div class="verdict ${s.privacy.level}"><strong>${esc(s.privacy.headline)}</strong><ul>${s.privacy.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul></div>`;
  return `<div class="cards">${cards.join('')}</div>${verdict}`;
}

function overview(r: ReportJson): string {
  const s = r.summary;
  const tables = rowsTable(
    ['Table', 'Treatment', 'Real rows', 'Synthetic rows', 'Quality (SDMetrics)', 'Robust score'],
    r.tables.map((t) => [
      esc(t.name),
      t.treatment === 'original' ? 'original data (copied)' : 'synthesized',
      int(t.rows.real),
      int(t.rows.synthetic),
      pct(t.quality),
      pct(t.accuracy?.score),
    ]),
    [false, false, true, true, true, true],
  );
  const props = rowsTable(
    ['Property', 'Score'],
    [
      ['Column shapes', pct(s.columnShapes)],
      ['Column pair trends', pct(s.columnPairTrends)],
      ...(s.accuracy !== null ? [['Robust score (1-, 2-, 3-way accuracy on bins of the real data)', pct(s.accuracy)]] : []),
      ...(s.cardinality !== null ? [['Cardinality (children per parent)', pct(s.cardinality)]] : []),
      ...(s.intertableTrends !== null ? [['Parent–child pair trends', pct(s.intertableTrends)]] : []),
    ],
    [false, true],
  );
  const steps = jobSteps.filter((k) => s.stepSeconds[k] !== undefined).map((k) => [esc(jobStepLabels[k]), seconds(s.stepSeconds[k]!)]);
  const settings = s.settings.map((x) => `<div>${esc(x.label)}</div><div>${esc(x.value)}</div>`).join('');
  // The data table spans the page: its six columns do not fit half of an A4 page (they ran into the Run block).
  return `<h2>Summary</h2>
<h3>Data</h3>${tables}
<div class="two"><div><h3>Fidelity</h3>${props}</div>
<div><h3>Run</h3><div class="kv"><div>Compute backend</div><div>${esc(s.backend)}</div><div>Total time</div><div>${seconds(s.totalSeconds)}</div></div>
${steps.length ? rowsTable(['Step', 'Time'], steps, [false, true]) : ''}</div></div>
<h3>Settings</h3><div class="kv settings">${settings}</div>`;
}

const method = `<h2>How to read this report</h2>
<ul class="small">
<li><b>Column shapes</b>: for each column, how closely the synthetic distribution follows the real one (1 − Kolmogorov–Smirnov distance for numbers and dates, 1 − total variation distance for categories). 100% = identical.</li>
<li><b>Column pair trends</b>: for each pair of columns, how well their relationship is kept (1 − half the difference of Pearson correlations for two numeric columns; 1 − total variation distance of the joint frequency table otherwise, numbers in 10 bins). Quality is the mean of the two.</li>
<li><b>Robust score</b>: the same comparison on bins fixed by the real data (its deciles for numbers and dates, its 10 most frequent categories plus "other"), applied to both sides: 1 − total variation distance for each column (1-way), each pair (2-way) and a sample of triples (3-way), averaged. Unlike the SDMetrics-compatible score, it does not move when the synthetic range stops short of the real extremes.</li>
<li><b>DCR share</b>: each synthetic row is compared with the training rows and with an equal number of real rows the model never saw. If the model had memorised its training data, synthetic rows would be closer to the training rows: the share would rise above 50%.</li>
<li><b>Distances</b> mix column types: numeric gaps scaled by the column's spread (capped at 1), categories 0 if equal and 1 otherwise, averaged over columns (0 = identical rows).</li>
<li><b>NNDR</b>: distance to the nearest training row divided by the distance to the second nearest. Values near 0 mean a synthetic row sits on one isolated real person.</li>
<li><b>ML utility</b>: train on synthetic, test on real. A small gap means analyses on the synthetic data lead to the same conclusions.</li>
</ul>`;

/** The report as HTML; `pause` is awaited between charts and sections. */
export async function renderReportHtml(report: ReportJson, pause: Pause = () => Promise.resolve()): Promise<string> {
  const when = new Date(report.generatedAt).toISOString().replace('T', ' ').slice(0, 16);
  const fidelity: string[] = [];
  for (const t of report.tables) fidelity.push(await fidelitySection(t, pause));
  const privacy: string[] = [];
  for (const t of report.tables.filter((x) => x.treatment === 'synthesize')) {
    privacy.push(await privacyTableSection(t));
    await pause();
  }
  const relational = await relationalSection(report.relationships, pause);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
${reportCspMeta}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(report.name)} — quality and privacy report</title>
<style>${reportCss}</style></head>
<body><main>
<h1>${esc(report.name)}: quality and privacy report</h1>
<div class="meta">Generated ${esc(when)} UTC${report.executionId ? ` · execution ${esc(report.executionId)}` : ''} · Doppel</div>
${headline(report)}
${overview(report)}
${destinationSection(report)}
<h2>Privacy</h2>
${privacy.join('\n')}
${protectionSection(report)}
<h2>ML utility</h2>
${utilitySection(report)}
${relational}
<h2>Fidelity per table</h2>
${fidelity.join('\n')}
${method}
</main></body></html>`;
}
