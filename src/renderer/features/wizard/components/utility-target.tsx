import { Select } from '@mantine/core';
import type { SynthesisConfig } from '../../../../shared';

const EVALUATED = new Set(['numerical', 'categorical', 'boolean', 'datetime']);

/** The column the report's ML-utility score predicts: automatic, or one the user picks. */
export function UtilityTargetSelect({ config, onChange }: { config: SynthesisConfig; onChange: (report: SynthesisConfig['report']) => void }) {
  const options = Object.entries(config.tables)
    .filter(([, t]) => t.treatment === 'synthesize')
    .flatMap(([table, t]) =>
      Object.entries(t.columns)
        .filter(([name, c]) => c.included && c.treatment === 'synthesize' && EVALUATED.has(c.sdtype) && !t.primaryKey.includes(name))
        .map(([name]) => ({ value: JSON.stringify([table, name]), label: Object.keys(config.tables).length > 1 ? `${table}.${name}` : name })),
    );
  const { targetTable, targetColumn } = config.report;
  const value = targetColumn ? JSON.stringify([targetTable ?? Object.keys(config.tables)[0], targetColumn]) : 'auto';
  return (
    <Select
      label="Utility target"
      description="The column the report's train-on-synthetic, test-on-real score predicts"
      searchable
      allowDeselect={false}
      w={320}
      data={[{ value: 'auto', label: 'Automatic (an outcome-like or the most predictable column)' }, ...options]}
      value={options.some((o) => o.value === value) ? value : 'auto'}
      onChange={(v) => {
        if (!v || v === 'auto') return onChange({});
        const [table, column] = JSON.parse(v) as [string, string];
        onChange({ targetTable: table, targetColumn: column });
      }}
    />
  );
}
