/** HTML of the report's detailed parts: fidelity per table, utility, relational, privacy. */
import { childCountChart, distanceChart, distributionChart, heatmapChart } from './charts';
import { esc, gapClass, int, metricName, num, pct, qualityWord, rowsTable } from './format';
import type { ColumnClipping, ModelChoiceReport, RelationshipReport, ReportJson, TableReport } from './schema';
import { describeDp } from './dp-text';
import { ATTACK_RISK_THRESHOLD, INFORMATIVE_MARGIN, MIA_AUC_ACCEPTABLE, MIA_AUC_AT_RISK } from './schema';

const WORST = 10;

/** The model's name as the report shows it. */
export function modelName(m: ModelChoiceReport): string {
  if (m.family === 'network') return `autoregressive network${m.epochs !== null ? ` (${m.epochs} epochs)` : ''}`;
  if (m.family === 'copula') return 'Gaussian copula';
  if (m.family === 'blend') return `blend: ${Math.round((1 - m.copulaShare) * 100)}% network, ${Math.round(m.copulaShare * 100)}% Gaussian copula`;
  return 'none';
}

export const legend = '<div class="legend"><span class="swatch real"></span>Real data<span class="swatch syn"></span>Synthetic data</div>';

function pairLabel(p: { column1: string; column2: string }): string {
  return `${esc(p.column1)} × ${esc(p.column2)}`;
}

function pairDetail(p: TableReport['pairs'][number]): string {
  if (p.metric === 'CorrelationSimilarity') return `ρ ${num(p.realCorrelation, 2)} → ${num(p.syntheticCorrelation, 2)}`;
  return 'contingency';
}

/** Awaited between charts: where a caller lets a cancel be heard (a report of many columns draws many charts). */
export type Pause = () => Promise<void>;

const noPause: Pause = () => Promise.resolve();

export async function fidelitySection(t: TableReport, pause: Pause = noPause): Promise<string> {
  if (t.treatment === 'original') {
    return `<section><h3>${esc(t.name)}</h3><p>Kept as original data (a lookup table copied unchanged, ${int(t.rows.real)} rows): not synthesized, so not scored.</p></section>`;
  }
  const qw = qualityWord(t.quality);
  const worstCols = t.columns.slice(0, WORST).map((c) => [esc(c.column), esc(c.sdtype), metricName(c.metric), pct(c.score)]);
  const worstPairs = t.pairs.slice(0, WORST).map((p) => [pairLabel(p), pairDetail(p), pct(p.score)]);
  const charts: string[] = [];
  const scoreOf = new Map(t.columns.map((c) => [c.column, c]));
  for (const d of t.distributions) {
    const s = scoreOf.get(d.column);
    const missing = d.missing.real > 0 || d.missing.synthetic > 0 ? ` · missing ${pct(d.missing.real, 0)} / ${pct(d.missing.synthetic, 0)}` : '';
    charts.push(`<div class="chart">${await distributionChart(d, `${s ? `${metricName(s.metric)} ${pct(s.score)}` : ''}${missing}`)}</div>`);
    await pause();
  }
  const heat: string[] = [];
  if (t.correlations)
    heat.push(
      `<h3>Correlations between numeric columns (Pearson), real vs synthetic</h3><div class="wide">${await heatmapChart(t.correlations, 'correlation')}</div>`,
    );
  if (t.associations)
    heat.push(
      `<h3>Association between all columns (Cramér's V, numbers binned), real vs synthetic</h3><div class="wide">${await heatmapChart(t.associations, 'association')}</div>`,
    );
  const other = t.otherTreatments.length
    ? `<p class="small">Not scored (not synthesized from the data): ${t.otherTreatments.map((o) => `${esc(o.column)} (${esc(o.treatment)})`).join(', ')}.</p>`
    : '';
  return `<section class="table-section">
<h3>Table ${esc(t.name)} — quality <span class="${qw.cls}">${pct(t.quality)}</span> (${qw.word})</h3>
<p>Column shapes ${pct(t.columnShapes)} · column pair trends ${pct(t.columnPairTrends)} · ${int(t.rows.train)} real training rows vs ${int(t.rows.synthetic)} synthetic rows.</p>
${t.accuracy ? `<p>Robust score ${pct(t.accuracy.score)}: 1-way ${pct(t.accuracy.univariate)} · 2-way ${pct(t.accuracy.bivariate)} · 3-way ${pct(t.accuracy.trivariate)} (bins of the real data on both sides).</p>` : ''}
${t.fidelityNote ? `<p class="small">${esc(t.fidelityNote)}</p>` : ''}
${t.model ? `<p class="small model-choice">Model: <b>${esc(modelName(t.model))}</b> — ${esc(t.model.reason)}.</p>` : ''}
${other}
<div class="two"><div><h3>Columns, worst first</h3>${rowsTable(['Column', 'Type', 'Metric', 'Score'], worstCols, [false, false, false, true])}</div>
<div><h3>Column pairs, worst first</h3>${worstPairs.length ? rowsTable(['Pair', 'Metric', 'Score'], worstPairs, [false, false, true]) : '<p class="small">Fewer than two scored columns.</p>'}</div></div>
<h3>Distributions, real vs synthetic (worst columns first)</h3>${legend}
<div class="charts">${charts.join('\n')}</div>
${heat.join('\n')}
</section>`;
}

export function utilitySection(r: ReportJson): string {
  const t = r.tables.find((x) => x.utility);
  if (!t || !t.utility) return '<p>Utility was not measured (no target column or no real holdout rows).</p>';
  const u = t.utility;
  const m = u.metric;
  const more = otherTargets(t.moreUtility);
  if (u.notMeasurable !== null)
    return `<p><b>Not measurable</b>: utility of predicting <b>${esc(u.target)}</b> (table ${esc(t.name)}) could not be measured because ${esc(u.notMeasurable)}. Choose another target in the report settings (wizard) or with <code>report.targetColumn</code> in the configuration.</p>${more}`;
  const rows =
    u.task === 'classification'
      ? [
          ['Trained on real data', num(u.real.accuracy), num(u.real.macroF1)],
          ['Trained on synthetic data', num(u.synthetic.accuracy), num(u.synthetic.macroF1)],
        ]
      : [
          ['Trained on real data', num(u.real.r2)],
          ['Trained on synthetic data', num(u.synthetic.r2)],
        ];
  const headers = u.task === 'classification' ? ['Model', 'Accuracy', 'Macro-F1'] : ['Model', 'R²'];
  const baseline = `Baseline that ignores the other columns (${u.task === 'classification' ? 'always the most common class' : 'always the mean'}): ${metricName(m)} ${num(u.baseline)}${u.majorityBaseline !== undefined ? `, accuracy ${num(u.majorityBaseline)}` : ''}.`;
  const intro = `<p>A ${u.task === 'classification' ? 'logistic-regression classifier' : 'ridge regression'} predicts <b>${esc(u.target)}</b> (table ${esc(t.name)}) from the other columns. One copy is trained on the real training rows, one on the synthetic rows; both are tested on ${int(u.rows.holdout)} real rows that neither saw. Choose another target in the report settings (wizard) or with <code>report.targetColumn</code> in the configuration.</p>
${rowsTable(
  headers,
  rows,
  headers.map((_, i) => i > 0),
)}`;
  return `${utilityHeadline(u, intro, baseline)}${more}`;
}

/** The table of the other targets: their scores and gap, or why they say nothing. */
function otherTargets(others: TableReport['moreUtility']): string {
  if (others.length === 0) return '';
  return `<h3>Other targets</h3>${rowsTable(
    ['Target', 'Metric', 'Real', 'Synthetic', 'Gap (real − synthetic)'],
    others.map((o) => [
      esc(o.target),
      metricName(o.metric),
      num(o.real[o.metric]),
      num(o.synthetic[o.metric]),
      o.notMeasurable !== null ? `not measurable: ${esc(o.notMeasurable)}` : o.informative ? num(o.gap) : `not informative (baseline ${num(o.baseline)})`,
    ]),
    [false, false, true, true, true],
  )}`;
}

function utilityHeadline(u: NonNullable<TableReport['utility']>, intro: string, baseline: string): string {
  const m = u.metric;
  const gap = u.gap;
  if (!u.informative) {
    return `${intro}
<p><b>Not informative</b>: neither model beats the baseline by ${INFORMATIVE_MARGIN} (${baseline.replace(/\.$/, '')}), so a gap between them would say nothing about the synthetic data. Pick a target that the other columns predict.</p>`;
  }
  const verdict =
    gapClass(gap) === 'good'
      ? 'The synthetic data is as useful as the real data for this task.'
      : gapClass(gap) === 'fair'
        ? 'The synthetic data keeps most of the real data’s predictive value.'
        : gap === null
          ? ''
          : 'The synthetic data loses a noticeable part of the real data’s predictive value for this task.';
  return `${intro}
<p><b class="${gapClass(gap)}">Gap (real − synthetic ${metricName(m)}): ${num(gap)}</b>. ${verdict} ${baseline}</p>`;
}

export async function relationalSection(rels: RelationshipReport[], pause: Pause = noPause): Promise<string> {
  if (rels.length === 0) return '';
  const sequences = rels.some((r) => r.sequence);
  const forests = rels.some((r) => r.forest);
  const rows = rels.map((r) => [
    esc(`${r.childTable} → ${r.parentTable}`),
    pct(r.integrity),
    pct(r.cardinality),
    `${num(r.meanChildren.real, 2)} / ${num(r.meanChildren.synthetic, 2)}`,
    pct(r.pairTrends),
    ...(sequences ? [r.sequence ? `${pct(r.sequence.gaps)} <span class="small">(${esc(r.sequence.column)})</span>` : '–'] : []),
    ...(forests
      ? [
          r.forest
            ? `${pct(r.forest.depth)} / ${pct(r.forest.fanout)} <span class="small">(deepest ${r.forest.maxDepth.real} / ${r.forest.maxDepth.synthetic})</span>`
            : '–',
        ]
      : []),
  ]);
  const parts: string[] = [];
  for (const r of rels) {
    const worst = r.pairs
      .slice(0, 3)
      .map((p) => `${pairLabel(p)} ${pct(p.score)}`)
      .join('; ');
    parts.push(`<div class="chart">${await childCountChart(r)}<p class="small">${worst ? `Weakest parent–child pairs: ${worst}.` : ''}</p></div>`);
    await pause();
  }
  return `<h2>Relationships</h2>
<p>Every foreign key in the synthetic data must point at an existing row (referential integrity 100%). Cardinality compares how many children each parent row has (KS complement); parent–child pair trends compare parent columns with child columns on the joined rows.${sequences ? ' Sequences compare, for children ordered by a date or step column, the gaps between consecutive children of the same parent (KS complement).' : ''}${forests ? ' For a table referencing itself (a manager link), depth and fan-out compare how deep each row sits in the hierarchy and how many rows each has under it (KS complement; deepest level real / synthetic).' : ''}</p>
${rowsTable(
  [
    'Relationship',
    'Integrity',
    'Cardinality',
    'Children per parent (real / synthetic)',
    'Parent–child trends',
    ...(sequences ? ['Sequences'] : []),
    ...(forests ? ['Depth / fan-out'] : []),
  ],
  rows,
  [false, true, true, true, true, ...(sequences ? [true] : []), ...(forests ? [true] : [])],
)}
${legend}<div class="charts">${parts.join('\n')}</div>`;
}

export async function privacyTableSection(t: TableReport): Promise<string> {
  const p = t.privacy;
  if (!p) return `<h3>${esc(t.name)}</h3><p class="small">Not measured: no real holdout rows for this table.</p>`;
  const dcr = await distanceChart(p.dcr.histogram, 'Distance to the closest training record', 'orange: synthetic rows · blue: unseen real rows (holdout)');
  const nndr = await distanceChart(p.nndr.histogram, 'Nearest / second-nearest distance ratio', 'near 0 = sits on one isolated training record', 'ratio');
  const rows = [
    ['DCR share (50% ideal)', p.dcrShare === null ? '— (no holdout rows)' : pct(p.dcrShare)],
    ['Median distance to closest training record', `${num(p.dcr.synthetic.median)} synthetic · ${num(p.dcr.holdout?.median)} unseen real`],
    ['5th percentile of that distance', `${num(p.dcr.synthetic.p5)} synthetic · ${num(p.dcr.holdout?.p5)} unseen real`],
    ['Median NNDR', `${num(p.nndr.synthetic.median)} synthetic · ${num(p.nndr.holdout?.median)} unseen real`],
    ['Synthetic rows equal to a training row', `${int(p.exactMatches)} (${pct(p.exactMatchRate, 2)}); unseen real rows: ${pct(p.holdoutExactMatchRate, 2)}`],
    [
      '… equal to a unique training row',
      `<b>${int(p.exactMatchesUnique)}</b>${p.holdoutUniqueMatchRate !== null ? `; unseen real rows: ${pct(p.holdoutUniqueMatchRate, 2)}` : ''}`,
    ],
    ['Rows compared', `${int(p.sampleSizes.synthetic)} synthetic vs ${int(p.sampleSizes.train)} training and ${int(p.sampleSizes.holdout)} holdout`],
  ];
  return `<h3>${esc(t.name)}</h3><div class="two"><div>${rowsTable(['Measure', 'Value'], rows)}</div><div><div class="chart">${dcr}</div><div class="chart">${nndr}</div></div></div>${attackSection(p.attacks)}`;
}

type Attacks = NonNullable<NonNullable<TableReport['privacy']>['attacks']>;

function attackRow(name: string, r: Attacks['singlingOut']): string[] {
  if (!r) return [name, '—', '—', '—', 'not run (too few columns or rows)'];
  const flagged = r.riskLow > ATTACK_RISK_THRESHOLD;
  return [
    name,
    pct(r.attackRate),
    pct(r.controlRate),
    `${pct(r.risk)} <span class="small">(${pct(r.riskLow)}–${pct(r.riskHigh)})</span>`,
    flagged ? '<b class="bad">at risk</b>' : '<span class="good">no measurable risk</span>',
  ];
}

/** The auditor's attacks, with their thresholds. */
function attackSection(a: Attacks | null): string {
  if (!a) return '';
  const rows = [
    attackRow('Singling-out (predicates of up to 4 columns)', a.singlingOut),
    attackRow('Linkability (two halves of the columns)', a.linkability),
    attackRow(`Attribute inference${a.inference ? ` (worst secret: ${esc(a.inference.column)})` : ''}`, a.inference),
  ];
  const auc = a.membershipAuc;
  const aucWord =
    auc === null
      ? ''
      : auc > MIA_AUC_AT_RISK
        ? '<b class="bad">at risk</b>'
        : auc > MIA_AUC_ACCEPTABLE
          ? '<span class="fair">a signal</span>'
          : '<span class="good">cannot tell</span>';
  return `<h4>Attacks an auditor runs</h4>
<p class="small">Each attack is run on ${int(a.sizes.targets)} training records and on as many real records the model never saw (the control set), using ${int(a.sizes.synthetic)} synthetic rows (the method of the anonymeter package). Risk = (attack success − control success) / (1 − control success), with its 95% interval; an attack is flagged when the interval's lower end is above ${pct(ATTACK_RISK_THRESHOLD, 0)}. Attribute inference tries ${a.inferenceColumns.length} secret column(s): ${a.inferenceColumns.map((c) => `${esc(c.column)} ${pct(c.risk)}`).join(', ') || 'none'}.</p>
${rowsTable(['Attack', 'Success on training records', 'Success on unseen records', 'Risk (95% interval)', 'Verdict'], rows, [false, true, true, true, false])}
<p>Membership inference (a row is called a member when it lies close to a synthetic row): AUC <b>${num(auc, 2)}</b> ${aucWord}. Thresholds: above ${MIA_AUC_ACCEPTABLE} is a signal, above ${MIA_AUC_AT_RISK} a risk; 0.50 means the attacker cannot tell training records from unseen ones.</p>`;
}

/** A column's own threshold, when it differs from the synthesis-wide one. */
function thresholdNote(threshold: number | undefined, global: number): string {
  return threshold !== undefined && threshold !== global ? `, fewer than ${threshold}` : '';
}

const TAIL_CLIP =
  'the few most extreme numeric and date values are kept out of the model; values beyond that bound are drawn from a smooth tail model capped inside the real extremes, so the tail keeps its shape and no real extreme is reproduced';

/** What the engine did to each learned numeric and date column's extremes (a report of an earlier version: the synthesis-wide switch). */
function clippingItems(p: ReportJson['protection']): string[] {
  const c = p.clipOutliers;
  if (typeof c === 'boolean') {
    return [
      c
        ? `Outliers: ${TAIL_CLIP}${p.clipped.length ? ` (${p.clipped.map((x) => `${esc(x.table)}.${esc(x.column)}`).join(', ')})` : ''}.`
        : 'Outlier clipping was <b>off</b>.',
    ];
  }
  if (c.length === 0) return ['Outliers: no numeric or date column is learned, so none is clipped.'];
  const name = (x: ColumnClipping): string => `${esc(x.table)}.${esc(x.column)}`;
  const quantiles = (x: ColumnClipping): string =>
    x.lowerQuantile === undefined && x.upperQuantile === undefined ? '' : ` at the ${x.lowerQuantile ?? 0}–${x.upperQuantile ?? 1} quantiles`;
  const auto = c.filter((x) => x.auto);
  const hard = c.filter((x) => !x.auto && quantiles(x) !== '');
  const off = c.filter((x) => !x.auto && quantiles(x) === '');
  const items: string[] = [];
  if (auto.length) items.push(`Outliers: ${TAIL_CLIP} (${auto.map((x) => `${name(x)}${quantiles(x) ? `, also clipped${quantiles(x)}` : ''}`).join(', ')}).`);
  if (hard.length)
    items.push(`Outliers clipped at set quantiles (values beyond them become the bound): ${hard.map((x) => `${name(x)}${quantiles(x)}`).join(', ')}.`);
  if (off.length) items.push(`Outlier clipping was <b>off</b> for ${off.map(name).join(', ')}: their real extremes can be reproduced.`);
  return items;
}

export function protectionSection(r: ReportJson): string {
  const p = r.protection;
  const items: string[] = [];
  items.push(
    p.protectRareCategories
      ? `Rare categories: values seen fewer than ${p.rareCategoryThreshold} times are never reproduced as themselves${p.rareCategories.length ? ` (${p.rareCategories.map((x) => `${esc(x.table)}.${esc(x.column)}: ${x.categories} categor${x.categories === 1 ? 'y' : 'ies'}${thresholdNote(x.threshold, p.rareCategoryThreshold)}`).join(', ')})` : ''}. Where the model drew a rare value, the output holds a frequent category of the column instead (drawn by how often each occurs), or a fake value from the column's mock generator when no category of the column is frequent.`
      : 'Rare-category protection was <b>off</b>.',
  );
  items.push(...clippingItems(p));
  const filtered = Object.entries(p.filteredCopies);
  items.push(
    p.filterCopies
      ? `Copy filter: synthetic rows equal to a unique training row are dropped${filtered.length ? ` (${filtered.map(([t, n]) => `${esc(t)}: ${int(n)} dropped`).join(', ')})` : ''}.`
      : 'The copy filter was <b>off</b>.',
  );
  items.push(p.differentialPrivacy ? describeDp(p.differentialPrivacy) : 'Differential privacy: not used.');
  for (const t of r.tables) {
    const c = t.checks;
    if (!c) continue;
    const name = r.tables.length > 1 ? `${esc(t.name)}: ` : '';
    const rareCats = c.rare.reduce((s, x) => s + x.categories, 0);
    const rareSyn = c.rare.reduce((s, x) => s + x.syntheticRows, 0);
    // Counted over the source table when the training rows were a sample of it.
    const where = c.rare.some((x) => x.wholeTable) || c.extremes.some((x) => x.wholeTable) ? 'the source table' : 'the training data';
    const rareText = rareCats
      ? `${int(rareCats)} categor${rareCats === 1 ? 'y is' : 'ies are'} rare in ${where} (fewer than ${p.rareCategoryThreshold} rows${c.rare.map((x) => (x.threshold !== undefined && x.threshold !== p.rareCategoryThreshold ? `; ${esc(x.column)}: fewer than ${x.threshold}` : '')).join('')}); ${rareSyn === 0 ? 'none appears' : `<b>${int(rareSyn)} synthetic row(s) carry one</b>`} in the synthetic data`
      : `no rare categories in ${where}`;
    const withRare = c.extremes.filter((e) => e.rareExtremes.min || e.rareExtremes.max);
    const reached = withRare.filter((e) => e.reachesExtreme);
    const extText = withRare.length
      ? reached.length === 0
        ? `the synthetic values stay inside every rare real minimum and maximum (${withRare.length} column${withRare.length === 1 ? '' : 's'})`
        : `<b>the synthetic values reach a rare real extreme in ${reached.map((e) => esc(e.column)).join(', ')}</b>`
      : 'no rare extreme values';
    items.push(`Measured on the data — ${name}${rareText}; ${extText}.`);
  }
  if (p.replacedColumns.length)
    items.push(`Columns never learned from the data: ${p.replacedColumns.map((c) => `${esc(c.table)}.${esc(c.column)} (${esc(c.treatment)})`).join(', ')}.`);
  return `<h3>Protection applied</h3><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
}

/** Where a database destination stores names differently, and the column types it changes. */
export function destinationSection(r: ReportJson): string {
  const d = r.destination;
  if (!d) return '';
  const renames = d.renames.length
    ? rowsTable(
        ['Table', 'Column', 'Stored as'],
        d.renames.map((x) => [esc(x.table), x.column === undefined ? '(the table)' : esc(x.column), esc(x.to)]),
        [false, false, false],
      )
    : '<p class="small">Every table and column keeps its name.</p>';
  const types = d.types.length
    ? rowsTable(
        ['Table', 'Column', 'Source type', 'Destination type'],
        d.types.map((t) => [esc(t.table), esc(t.column), esc(t.source), esc(t.destination)]),
        [false, false, false, false],
      )
    : '<p class="small">Every column keeps its source type.</p>';
  return `<h2>Destination</h2>
<p>Written to ${esc(d.target)}.</p>
<h3>Renamed names</h3>
<p class="small">Names the destination cannot hold as they are (too long, or equal but for case where it ignores case) are stored under these names; no column is dropped.</p>
${renames}
<h3>Column types</h3>
<p class="small">${int(d.types.length)} of ${int(d.columns)} columns get another type in the destination.</p>
${types}`;
}
