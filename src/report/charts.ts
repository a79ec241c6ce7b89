/**
 * The report's charts: Vega-Lite specs rendered in Node to inline SVG (no network, no DOM).
 * Colours are the same everywhere: real = blue, synthetic = orange.
 */
import type * as vl from 'vega-lite';
import type { RelationshipReport, Distribution, Matrix } from './schema';
import type { Histogram } from './schema';

export const REAL_COLOR = '#3b6ea8';
export const SYN_COLOR = '#e4812f';
const FONT = 'Helvetica, Arial, sans-serif';

const config: vl.TopLevelSpec['config'] = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 9, titleFontSize: 10, labelColor: '#444', titleColor: '#333', gridColor: '#e6e6e6', domainColor: '#999', tickColor: '#999' },
  title: { fontSize: 11, anchor: 'start', color: '#222', fontWeight: 600, subtitleFontSize: 9, subtitleColor: '#666' },
  legend: { labelFontSize: 9, titleFontSize: 9 },
  header: { labelFontSize: 10, titleFontSize: 10 },
};

let chartCounter = 0;

/**
 * vega / vega-lite are loaded lazily with import(): they are ES modules with top-level await
 * (vega-canvas), which a CommonJS bundle of the worker could not `require`.
 */
let libs: Promise<[typeof import('vega'), typeof import('vega-lite')]> | null = null;
function loadVega(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]);
  return libs;
}

/** Compiles and renders a Vega-Lite spec to an SVG string with ids made unique in the page. */
export async function toSvg(spec: vl.TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await loadVega();
  const compiled = vegaLite.compile({ ...spec, config: { ...config, ...(spec.config ?? {}) } } as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    const prefix = `c${++chartCounter}-`;
    return svg
      .replace(/ id="([^"]+)"/g, (_m, id: string) => ` id="${prefix}${id}"`)
      .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
      .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
  } finally {
    view.finalize();
  }
}

const sourceScale = { domain: ['Real', 'Synthetic'], range: [REAL_COLOR, SYN_COLOR] };

function pctAxis(title: string): Record<string, unknown> {
  return { title, format: '.0%' };
}

/** Real vs synthetic distribution of one column: bars per category, or histogram + step line. */
export function distributionChart(d: Distribution, subtitle: string): Promise<string> {
  const title = { text: d.column, subtitle };
  if (d.kind === 'categorical') {
    const values = d.bins.flatMap((b, i) => [
      { label: b.label, order: i, source: 'Real', share: b.real },
      { label: b.label, order: i, source: 'Synthetic', share: b.synthetic },
    ]);
    return toSvg({
      title,
      width: 150,
      height: { step: 6 } as unknown as number,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'label', type: 'nominal', sort: { field: 'order' }, title: null, axis: { labelLimit: 80 } },
        yOffset: { field: 'source', sort: ['Real', 'Synthetic'] },
        x: { field: 'share', type: 'quantitative', axis: pctAxis('share of rows') },
        color: { field: 'source', type: 'nominal', scale: sourceScale, legend: null },
      },
    } as vl.TopLevelSpec);
  }
  const temporal = d.kind === 'datetime';
  const real = d.bins.map((b) => ({ from: b.from, to: b.to, share: b.real }));
  const syn = d.bins.map((b) => ({ mid: ((b.from ?? 0) + (b.to ?? 0)) / 2, share: b.synthetic }));
  const xType = temporal ? 'temporal' : 'quantitative';
  return toSvg({
    title,
    width: 200,
    height: 110,
    layer: [
      {
        data: { values: real },
        mark: { type: 'rect', color: REAL_COLOR, opacity: 0.55 },
        encoding: {
          x: { field: 'from', type: xType, title: null, axis: { labelOverlap: true, tickCount: 5 } },
          x2: { field: 'to' },
          y: { field: 'share', type: 'quantitative', axis: pctAxis('share of rows') },
          y2: { datum: 0 },
        },
      },
      {
        data: { values: syn },
        mark: { type: 'line', color: SYN_COLOR, interpolate: 'step', strokeWidth: 2 },
        encoding: { x: { field: 'mid', type: xType }, y: { field: 'share', type: 'quantitative' } },
      },
    ],
  } as vl.TopLevelSpec);
}

/** Real and synthetic matrices side by side as heatmaps. */
export function heatmapChart(m: Matrix, kind: 'correlation' | 'association'): Promise<string> {
  const values = (['Real', 'Synthetic'] as const).flatMap((side) =>
    m.columns.flatMap((row, i) => m.columns.map((col, j) => ({ side, row, col, value: (side === 'Real' ? m.real : m.synthetic)[i]![j] ?? null }))),
  );
  const cell = Math.max(9, Math.min(26, Math.floor(260 / m.columns.length)));
  const labels = m.columns.length <= 8;
  const domain = kind === 'correlation' ? [-1, 1] : [0, 1];
  const scheme = kind === 'correlation' ? 'blueorange' : 'blues';
  return toSvg({
    data: { values },
    facet: { column: { field: 'side', type: 'nominal', title: null, sort: ['Real', 'Synthetic'], header: { labelFontSize: 11, labelFontWeight: 600 } } },
    spec: {
      width: cell * m.columns.length,
      height: cell * m.columns.length,
      layer: [
        {
          mark: { type: 'rect' },
          encoding: {
            x: { field: 'col', type: 'nominal', sort: m.columns, title: null, axis: { labelAngle: -50, labelLimit: 90 } },
            y: { field: 'row', type: 'nominal', sort: m.columns, title: null, axis: { labelLimit: 90 } },
            color: {
              field: 'value',
              type: 'quantitative',
              scale: { domain, scheme },
              legend: { title: kind === 'correlation' ? 'Pearson ρ' : "Cramér's V", orient: 'right', gradientLength: 90 },
            },
          },
        },
        ...(labels
          ? [
              {
                mark: { type: 'text' as const, fontSize: 8 },
                encoding: {
                  x: { field: 'col', type: 'nominal' as const, sort: m.columns },
                  y: { field: 'row', type: 'nominal' as const, sort: m.columns },
                  text: { field: 'value', type: 'quantitative' as const, format: '.2f' },
                },
              },
            ]
          : []),
      ],
    },
  } as unknown as vl.TopLevelSpec);
}

/** A distance histogram: unseen real rows (holdout, blue bars) vs synthetic rows (orange step line). */
export function distanceChart(h: Histogram, title: string, subtitle: string, axisTitle = 'distance'): Promise<string> {
  const total = (a: number[]): number => a.reduce((s, v) => s + v, 0) || 1;
  const hs = total(h.holdout);
  const ss = total(h.synthetic);
  const hold = h.holdout.map((c, i) => ({ from: h.edges[i]!, to: h.edges[i + 1]!, share: c / hs }));
  const syn = h.synthetic.map((c, i) => ({ mid: (h.edges[i]! + h.edges[i + 1]!) / 2, share: c / ss }));
  return toSvg({
    title: { text: title, subtitle },
    width: 300,
    height: 130,
    layer: [
      ...(hold.length
        ? [
            {
              data: { values: hold },
              mark: { type: 'rect' as const, color: REAL_COLOR, opacity: 0.55 },
              encoding: {
                x: { field: 'from', type: 'quantitative' as const, title: axisTitle },
                x2: { field: 'to' },
                y: { field: 'share', type: 'quantitative' as const, axis: pctAxis('share of rows') },
                y2: { datum: 0 },
              },
            },
          ]
        : []),
      {
        data: { values: syn },
        mark: { type: 'line' as const, color: SYN_COLOR, interpolate: 'step' as const, strokeWidth: 2 },
        encoding: {
          x: { field: 'mid', type: 'quantitative' as const, title: axisTitle },
          y: { field: 'share', type: 'quantitative' as const, axis: pctAxis('share of rows') },
        },
      },
    ],
  } as vl.TopLevelSpec);
}

/** Share of parents by number of children, real vs synthetic. */
export function childCountChart(r: RelationshipReport): Promise<string> {
  const total = (a: number[]): number => a.reduce((s, v) => s + v, 0) || 1;
  const rt = total(r.childCounts.real);
  const st = total(r.childCounts.synthetic);
  const values = r.childCounts.labels.flatMap((label, k) => [
    { k: label, order: k, source: 'Real', share: (r.childCounts.real[k] ?? 0) / rt },
    { k: label, order: k, source: 'Synthetic', share: (r.childCounts.synthetic[k] ?? 0) / st },
  ]);
  return toSvg({
    title: { text: `${r.childTable} rows per ${r.parentTable} row`, subtitle: 'share of parent rows with k children' },
    width: Math.max(150, Math.min(260, 20 * r.childCounts.labels.length)),
    height: 120,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'k',
        type: 'ordinal',
        sort: { field: 'order' },
        title: 'children',
        axis: { labelAngle: r.childCounts.labels.some((l) => l.length > 3) ? -45 : 0 },
      },
      xOffset: { field: 'source', sort: ['Real', 'Synthetic'] },
      y: { field: 'share', type: 'quantitative', axis: pctAxis('share of parents') },
      color: { field: 'source', type: 'nominal', scale: sourceScale, legend: null },
    },
  } as vl.TopLevelSpec);
}
