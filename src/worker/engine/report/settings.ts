import type { SynthesisConfig } from '../../../shared';

function outputSize(config: SynthesisConfig): string {
  const o = config.settings.outputSize;
  if (o.mode === 'same') return 'same as the source';
  if (o.mode === 'rows') return `${o.rows.toLocaleString('en-US')} rows`;
  return `× ${o.factor}`;
}

/** The synthesis settings as label/value pairs for the report (never secrets). */
export function settingsList(config: SynthesisConfig): { label: string; value: string }[] {
  const s = config.settings;
  const p = s.privacy;
  const auto = (v: number | undefined): string => (v === undefined ? 'automatic' : String(v));
  const dp = p.differentialPrivacy;
  return [
    { label: 'Quality preset', value: s.preset },
    { label: 'Output size', value: outputSize(config) },
    { label: 'Epochs', value: auto(s.epochs) },
    { label: 'Batch size', value: auto(s.batchSize) },
    { label: 'Learning rate', value: auto(s.learningRate) },
    { label: 'Model size', value: s.modelSize },
    { label: 'Max training rows', value: s.maxTrainingRows === undefined ? 'all' : `${s.maxTrainingRows.toLocaleString('en-US')}${s.randomSample ? ' (random sample)' : ''}` },
    { label: 'Seed', value: String(s.seed) },
    { label: 'Compute device', value: s.device },
    { label: 'Time budget', value: s.timeBudgetSeconds > 0 ? `${s.timeBudgetSeconds} s` : 'none' },
    { label: 'Max execution time', value: s.maxExecutionSeconds > 0 ? `${s.maxExecutionSeconds} s` : 'none' },
    { label: 'Sampling temperature', value: String(s.temperature) },
    { label: 'Rare-category protection', value: p.protectRareCategories ? `on (fewer than ${p.rareCategoryThreshold})` : 'off' },
    { label: 'Outlier clipping', value: p.clipOutliers ? 'on' : 'off' },
    { label: 'Copy filter', value: p.filterCopies ? 'on' : 'off' },
    { label: 'Differential privacy', value: dp.enabled ? `on (ε = ${dp.epsilon}${dp.delta !== undefined ? `, δ = ${dp.delta}` : ''})` : 'off' },
  ];
}
