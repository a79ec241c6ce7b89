import type { EffectiveColumn, EffectiveSettings, SynthesisConfig } from '../../../shared';

function outputSize(config: SynthesisConfig): string {
  const o = config.settings.outputSize;
  if (o.mode === 'same') return 'same as the source';
  if (o.mode === 'rows') return `${o.rows.toLocaleString('en-US')} rows`;
  return `× ${o.factor}`;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** Columns whose effective value differs from the synthesis-wide one, as "table.column: text". */
function exceptions(effective: EffectiveSettings, differs: (c: EffectiveColumn) => string | null): string[] {
  const out: string[] = [];
  for (const [table, t] of Object.entries(effective.tables)) {
    for (const [column, c] of Object.entries(t.columns)) {
      const text = differs(c);
      if (text !== null) out.push(`${table}.${column}: ${text}`);
    }
  }
  return out;
}

const withExceptions = (base: string, list: string[]): string => (list.length ? `${base}; ${list.join(', ')}` : base);

function trainingRows(config: SynthesisConfig, effective: EffectiveSettings): string {
  const max = config.settings.maxTrainingRows;
  if (max === undefined) return 'all';
  const how = config.settings.randomSample ? ' (random sample)' : ' (first rows)';
  const roots = Object.entries(effective.tables).filter(([name, t]) => t.tree === name && t.maxTrainingRows !== null);
  if (roots.length)
    return `${count(max)} per table${how}: ${roots.map(([name, t]) => `${count(t.maxTrainingRows!)} "${name}" rows with all their related rows`).join(', ')}`;
  const capped = Object.values(effective.tables).some((t) => t.maxTrainingRows !== null);
  return capped ? `${count(max)}${how}` : `${count(max)} (no table is larger)`;
}

/** The settings the engine applied, as label/value pairs for the report (never secrets); per-column exceptions are named. */
export function settingsList(config: SynthesisConfig, effective: EffectiveSettings): { label: string; value: string }[] {
  const s = config.settings;
  const p = s.privacy;
  const auto = (v: number | undefined): string => (v === undefined ? 'automatic' : String(v));
  const dp = p.differentialPrivacy;
  const rare = p.protectRareCategories
    ? withExceptions(
        `on (fewer than ${p.rareCategoryThreshold})`,
        exceptions(effective, (c) => (c.rareCategoryThreshold !== p.rareCategoryThreshold ? `fewer than ${c.rareCategoryThreshold}` : null)),
      )
    : 'off';
  const clipping = withExceptions(
    p.clipOutliers ? 'on' : 'off',
    exceptions(effective, (c) =>
      c.clip.lowerQuantile !== undefined || c.clip.upperQuantile !== undefined ? `quantiles ${c.clip.lowerQuantile ?? 0}–${c.clip.upperQuantile ?? 1}` : null,
    ),
  );
  const copies = Object.values(effective.tables);
  const copyFilter = copies.some((t) => t.copyFilter.enabled)
    ? `on (rows rare on all columns: fewer than ${copies[0]!.copyFilter.threshold} alike)`
    : p.filterCopies && dp.enabled
      ? 'off (differential privacy)'
      : 'off';
  return [
    { label: 'Quality preset', value: s.preset },
    { label: 'Output size', value: outputSize(config) },
    { label: 'Epochs', value: auto(s.epochs) },
    { label: 'Batch size', value: auto(s.batchSize) },
    { label: 'Learning rate', value: auto(s.learningRate) },
    { label: 'Model size', value: s.modelSize },
    { label: 'Max training rows', value: trainingRows(config, effective) },
    { label: 'Seed', value: String(s.seed) },
    { label: 'Compute device', value: s.device },
    { label: 'Time budget', value: s.timeBudgetSeconds > 0 ? `${s.timeBudgetSeconds} s` : 'none' },
    { label: 'Max execution time', value: s.maxExecutionSeconds > 0 ? `${s.maxExecutionSeconds} s` : 'none' },
    { label: 'Sampling temperature', value: String(s.temperature) },
    { label: 'Rare-category protection', value: rare },
    { label: 'Outlier clipping', value: clipping },
    { label: 'Copy filter', value: copyFilter },
    { label: 'Differential privacy', value: dp.enabled ? `on (ε = ${dp.epsilon}${dp.delta !== undefined ? `, δ = ${dp.delta}` : ''})` : 'off' },
  ];
}
