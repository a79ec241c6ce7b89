/**
 * The report of a generation from a stored model, which reads no real row: the new output is
 * compared with the real side of the report of the run that trained the model (its binned column
 * distributions and its real correlation matrix, already in that report). Column shapes are
 * 1 − total variation distance on those bins (categories beyond the charted ones pooled), pair
 * trends are the correlation similarity of the numeric pairs; privacy distances and utility are
 * not measured (no real rows) and the report points to the first run's. Copies of protected rows
 * are still kept out by the copy filter's keyed hashes.
 */
import type { RowBatch } from '../../../shared';
import type { Distribution, Matrix, ReportJson, TableReport } from '../../../report/schema';
import { continuousValues, sharedCodes } from '../evaluate/columns';
import { nanMean, pearson } from '../evaluate/stats';

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const EMPTY: RowBatch = { columns: [], rows: [] };

/** The stored chart's bins with the synthetic shares of `batch`, and the column's score (1 − TVD over bins and missing). */
function rescore(d: Distribution, batch: RowBatch): { distribution: Distribution; score: number } {
  const counts = new Array<number>(d.bins.length).fill(0);
  let present = 0;
  let missing = 0;
  if (d.kind === 'categorical') {
    const { b, labels } = sharedCodes(EMPTY, batch, d.column, d.sdtype);
    const at = new Map(d.bins.map((bin, i) => [bin.label, i]));
    const others = d.bins.findIndex((bin) => /^\(\d+ others\)$/.test(bin.label));
    for (const code of b) {
      if (code === 0) {
        missing++;
        continue;
      }
      present++;
      const i = at.get(labels[code] ?? '') ?? others;
      if (i >= 0) counts[i]!++;
    }
  } else {
    const values = continuousValues(batch, d.column, d.sdtype);
    const lo = d.bins[0]?.from ?? 0;
    const width = (d.bins[0]?.to ?? 1) - lo || 1;
    for (const v of values) {
      if (Number.isNaN(v)) {
        missing++;
        continue;
      }
      present++;
      counts[Math.max(0, Math.min(d.bins.length - 1, Math.floor((v - lo) / width)))]!++;
    }
  }
  const bins = d.bins.map((bin, i) => ({ ...bin, synthetic: present ? counts[i]! / present : 0 }));
  const total = present + missing;
  const synMissing = total ? missing / total : 0;
  // Shares of all rows: present shares scaled by the present fraction, plus missing as its own bin.
  let tvd = Math.abs(synMissing - d.missing.real);
  let realMass = 0;
  let synMass = 0;
  bins.forEach((bin) => {
    const r = bin.real * (1 - d.missing.real);
    const s = bin.synthetic * (1 - synMissing);
    realMass += r;
    synMass += s;
    tvd += Math.abs(r - s);
  });
  // Values outside the charted categories (no pooled bin) count as one more bin.
  tvd += Math.abs(1 - d.missing.real - realMass - (1 - synMissing - synMass));
  return { distribution: { ...d, bins, missing: { real: d.missing.real, synthetic: synMissing } }, score: Math.max(0, 1 - tvd / 2) };
}

function rescoreCorrelations(m: Matrix, batch: RowBatch, sdtypes: Map<string, Distribution['sdtype']>): { matrix: Matrix; pairs: TableReport['pairs'] } {
  const values = m.columns.map((c) => {
    const v = continuousValues(batch, c, sdtypes.get(c) ?? 'numerical');
    return v.map((x) => (Number.isNaN(x) ? 0 : x));
  });
  const synthetic = m.columns.map((_, i) => m.columns.map((__, j) => (i === j ? 1 : finite(pearson(values[i]!, values[j]!)))));
  const pairs: TableReport['pairs'] = [];
  for (let i = 0; i < m.columns.length; i++)
    for (let j = i + 1; j < m.columns.length; j++) {
      const r = m.real[i]?.[j] ?? null;
      const s = synthetic[i]?.[j] ?? null;
      pairs.push({
        column1: m.columns[i]!,
        column2: m.columns[j]!,
        metric: 'CorrelationSimilarity',
        score: r !== null && s !== null ? 1 - Math.abs(r - s) / 2 : null,
        realCorrelation: r,
        syntheticCorrelation: s,
      });
    }
  return { matrix: { ...m, synthetic }, pairs };
}

/**
 * `report` (built from the new output with no real rows) completed from `first`, the report of
 * the run that trained the model: per synthesized table the new output against its real-side
 * summaries, the summary's scores recomputed, and a settings line saying what was compared.
 */
export function reportAgainstFirstRun(report: ReportJson, first: ReportJson, synthetic: Record<string, RowBatch>): ReportJson {
  const tables = report.tables.map((t): TableReport => {
    const was = first.tables.find((f) => f.name === t.name);
    if (t.treatment !== 'synthesize' || !was) return t;
    const batch = synthetic[t.name] ?? EMPTY;
    const rescored = was.distributions.map((d) => rescore(d, batch));
    const columns = rescored.map((r) => ({
      column: r.distribution.column,
      sdtype: r.distribution.sdtype,
      metric: 'TVComplement' as const,
      score: r.score,
    }));
    const sdtypes = new Map(was.distributions.map((d) => [d.column, d.sdtype]));
    const corr = was.correlations ? rescoreCorrelations(was.correlations, batch, sdtypes) : null;
    const columnShapes = finite(nanMean(columns.map((c) => c.score)));
    const columnPairTrends = corr ? finite(nanMean(corr.pairs.map((p) => p.score ?? NaN))) : null;
    return {
      ...t,
      rows: { ...was.rows, synthetic: batch.rows.length ? t.rows.synthetic : 0 },
      quality: finite(nanMean([columnShapes ?? NaN, columnPairTrends ?? NaN])),
      columnShapes,
      columnPairTrends,
      accuracy: null,
      fidelityNote: null,
      columns: [...columns].sort((a, b) => a.score - b.score),
      pairs: corr ? [...corr.pairs].sort((a, b) => (a.score ?? 1) - (b.score ?? 1)) : [],
      distributions: rescored.map((r) => r.distribution),
      correlations: corr?.matrix ?? null,
      associations: null,
      checks: null,
    };
  });
  const synth = tables.filter((t) => t.treatment === 'synthesize');
  const columnShapes = finite(nanMean(synth.map((t) => t.columnShapes ?? NaN)));
  const columnPairTrends = finite(nanMean(synth.map((t) => t.columnPairTrends ?? NaN)));
  const firstRun = first.executionId ? `execution ${first.executionId}` : 'the run that trained the model';
  return {
    ...report,
    summary: {
      ...report.summary,
      quality: finite(nanMean([columnShapes ?? NaN, columnPairTrends ?? NaN])),
      accuracy: null,
      columnShapes,
      columnPairTrends,
      privacy: {
        ...report.summary.privacy,
        details: [
          ...report.summary.privacy.details,
          `Generated from the stored model without reading the source: distances to real rows were measured in the report of ${firstRun}. Rows equal to a protected training row were kept out by the copy filter.`,
        ],
      },
      settings: [
        ...report.summary.settings,
        {
          label: 'Compared with',
          value: `the real side of the report of ${firstRun} (binned column distributions and correlations); the source was not read`,
        },
      ],
      tables: report.summary.tables.map((s) => {
        const was = first.summary.tables.find((f) => f.name === s.name);
        return was ? { ...s, real: was.real } : s;
      }),
    },
    tables,
  };
}
