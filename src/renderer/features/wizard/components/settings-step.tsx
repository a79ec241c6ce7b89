import { Accordion, Group, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import { activeForeignKeys, synthesizedTables, type OutputSize, type QualityPreset, type SynthesisConfig, type SynthSettings } from '../../../../shared';
import { useAppInfo } from '../../../app/info-store';
import { useWizard } from '../store';
import { setSettings } from '../config-edit';
import { UtilityTargetSelect } from './utility-target';

const presetHelp: Record<QualityPreset, string> = {
  fast: 'A quick draft: small model, few epochs.',
  balanced: 'Good quality in reasonable time (recommended).',
  accurate: 'Larger model, trains longer.',
};

type NumberField<K> = { key: K; label: string; description: string; min: number; max?: number; step?: number; decimalScale?: number; allowDecimal?: boolean };

/** Settings left out ("auto" or "all rows") until a number is typed. */
const optionalNumbers: (NumberField<'epochs' | 'batchSize' | 'learningRate' | 'maxTrainingRows'> & { placeholder: string })[] = [
  {
    key: 'epochs',
    label: 'Epochs',
    description: 'Passes over the training rows; auto picks from the preset and the row count',
    placeholder: 'auto',
    min: 1,
    max: 10000,
    allowDecimal: false,
  },
  {
    key: 'batchSize',
    label: 'Batch size',
    description: 'Rows per training step; larger is faster, uses more memory',
    placeholder: 'auto',
    min: 1,
    allowDecimal: false,
  },
  {
    key: 'learningRate',
    label: 'Learning rate',
    description: 'Step size of training; lower is slower and steadier',
    placeholder: 'auto',
    min: 0.00001,
    max: 1,
    step: 0.0005,
    decimalScale: 5,
  },
  {
    key: 'maxTrainingRows',
    label: 'Max training rows',
    description: 'Train on at most this many rows per table (faster on big tables)',
    placeholder: 'all rows',
    min: 1,
    allowDecimal: false,
  },
];

/** Settings that always hold a number; `accepts` says which typed numbers are taken. */
const requiredNumbers: (Omit<NumberField<'seed' | 'timeBudgetSeconds' | 'maxExecutionSeconds' | 'temperature'>, 'min'> & {
  min?: number;
  accepts: (v: number) => boolean;
})[] = [
  { key: 'seed', label: 'Seed', description: 'Same seed and settings give the same output', allowDecimal: false, accepts: () => true },
  { key: 'timeBudgetSeconds', label: 'Time budget (s)', description: 'Training stops after this many seconds; 0 = no limit', min: 0, accepts: () => true },
  { key: 'maxExecutionSeconds', label: 'Max execution time (s)', description: 'Whole run; 0 = no limit', min: 0, accepts: () => true },
  {
    key: 'temperature',
    label: 'Temperature',
    description: 'Above 1 samples more varied values, below 1 more typical ones',
    min: 0.1,
    max: 5,
    step: 0.1,
    decimalScale: 2,
    accepts: (v) => v > 0,
  },
];

/** The switches of the privacy protections. */
const privacySwitches = (rareThreshold: number): { key: 'protectRareCategories' | 'clipOutliers' | 'filterCopies'; label: string; description: string }[] => [
  {
    key: 'protectRareCategories',
    label: 'Protect rare categories',
    description: `Values seen fewer than ${rareThreshold} times are replaced by frequent ones`,
  },
  { key: 'clipOutliers', label: 'Clip outliers', description: 'Extreme numbers and dates are kept within the usual range' },
  { key: 'filterCopies', label: 'Filter copies of real rows', description: 'Synthetic rows equal to a real row are dropped' },
];

/** The synthesized tables with no synthesized parent: the ones "Number of rows" sizes. */
function rootTables(config: SynthesisConfig): string[] {
  const synthesized = new Set(synthesizedTables(config));
  const children = new Set(
    activeForeignKeys(config)
      .filter((fk) => fk.childTable !== fk.parentTable && synthesized.has(fk.parentTable))
      .map((fk) => fk.childTable),
  );
  return [...synthesized].filter((t) => !children.has(t));
}

/** Step 5: basic (preset, output size) and advanced settings, with the detected backend. */
export function SettingsStep() {
  const config = useWizard((s) => s.config);
  const update = useWizard((s) => s.update);
  const backend = useAppInfo((s) => s.info?.backend);
  if (!config) return null;
  const s = config.settings;
  const patch = (p: Partial<SynthSettings>) => update((c) => setSettings(c, p));
  const num = (v: string | number) => (typeof v === 'number' ? v : undefined);
  const size = s.outputSize;
  const setSize = (o: OutputSize) => patch({ outputSize: o });
  const roots = rootTables(config);
  const sizeHelp =
    size.mode === 'rows'
      ? `Rows of ${roots.length === 1 ? `the root table "${roots[0]}"` : 'each root table'}; ${roots.length === 1 ? 'the tables under it get' : 'child tables get'} as many rows as the learned relationships give.`
      : size.mode === 'scale'
        ? 'Every synthesized table gets its source row count times this factor.'
        : 'Every synthesized table gets as many rows as in the source.';

  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <Text fw={600} mb="xs">
          Basic
        </Text>
        <Stack gap="sm">
          <div>
            <Text size="sm" fw={500} mb={4}>
              Quality preset
            </Text>
            <SegmentedControl
              value={s.preset}
              onChange={(v) => patch({ preset: v as QualityPreset })}
              data={['fast', 'balanced', 'accurate'].map((v) => ({ value: v, label: v[0]!.toUpperCase() + v.slice(1) }))}
              aria-label="Quality preset"
            />
            <Text size="xs" c="dimmed" mt={4}>
              {presetHelp[s.preset]}
            </Text>
          </div>
          <div>
            <Text size="sm" fw={500} mb={4}>
              Output size
            </Text>
            <Group align="flex-end">
              <SegmentedControl
                value={size.mode}
                aria-label="Output size"
                onChange={(v) => setSize(v === 'rows' ? { mode: 'rows', rows: 1000 } : v === 'scale' ? { mode: 'scale', factor: 1 } : { mode: 'same' })}
                data={[
                  { value: 'same', label: 'Same as source' },
                  { value: 'rows', label: 'Number of rows' },
                  { value: 'scale', label: 'Scale factor' },
                ]}
              />
              {size.mode === 'rows' ? (
                <NumberInput
                  aria-label="Rows of the root table"
                  label={roots.length === 1 ? `Rows of ${roots[0]}` : 'Rows per root table'}
                  w={180}
                  min={1}
                  allowDecimal={false}
                  value={size.rows}
                  onChange={(v) => typeof v === 'number' && v > 0 && setSize({ mode: 'rows', rows: v })}
                />
              ) : null}
              {size.mode === 'scale' ? (
                <NumberInput
                  aria-label="Scale factor"
                  w={160}
                  min={0.01}
                  max={1000}
                  step={0.1}
                  decimalScale={2}
                  value={size.factor}
                  onChange={(v) => typeof v === 'number' && v > 0 && setSize({ mode: 'scale', factor: v })}
                />
              ) : null}
            </Group>
            <Text size="xs" c="dimmed" mt={4} data-testid="output-size-help">
              {sizeHelp}
            </Text>
          </div>
          <UtilityTargetSelect config={config} onChange={(report) => update((c) => ({ ...c, report }))} />
        </Stack>
      </Paper>
      <Accordion variant="separated" defaultValue={null}>
        <Accordion.Item value="advanced">
          <Accordion.Control>Advanced settings</Accordion.Control>
          <Accordion.Panel>
            <SimpleGrid cols={3} spacing="sm">
              {optionalNumbers.map(({ key, ...field }) => (
                <NumberInput key={key} {...field} value={s[key] ?? ''} onChange={(v) => patch({ [key]: num(v) })} />
              ))}
              <Select
                label="Model size"
                description="Capacity of the network; auto follows the preset"
                data={['auto', 'small', 'medium', 'large']}
                value={s.modelSize}
                allowDeselect={false}
                onChange={(v) => v && patch({ modelSize: v as SynthSettings['modelSize'] })}
              />
              <Select
                label="Compute device"
                description={backend ? `Detected: ${backend}` : undefined}
                data={[
                  { value: 'auto', label: `Auto${backend ? ` (${backend})` : ''}` },
                  { value: 'gpu', label: 'GPU (CUDA)' },
                  { value: 'cpu', label: 'CPU (native)' },
                  { value: 'wasm', label: 'WebAssembly' },
                ]}
                value={s.device}
                allowDeselect={false}
                onChange={(v) => v && patch({ device: v as SynthSettings['device'] })}
              />
              {requiredNumbers.map(({ key, accepts, ...field }) => (
                <NumberInput key={key} {...field} value={s[key]} onChange={(v) => typeof v === 'number' && accepts(v) && patch({ [key]: v })} />
              ))}
            </SimpleGrid>
            <Group mt="md" gap="xl" align="flex-start">
              <Switch
                label="Random sample of training rows"
                description="With a row limit: a random sample instead of the first rows"
                checked={s.randomSample}
                onChange={(e) => patch({ randomSample: e.currentTarget.checked })}
              />
              {privacySwitches(s.privacy.rareCategoryThreshold).map(({ key, ...field }) => (
                <Switch key={key} {...field} checked={s.privacy[key]} onChange={(e) => patch({ privacy: { ...s.privacy, [key]: e.currentTarget.checked } })} />
              ))}
            </Group>
            <Group mt="md" align="flex-end">
              <Switch
                label="Differential privacy (single table)"
                description="A mathematical privacy guarantee; lower ε is more private and less accurate"
                checked={s.privacy.differentialPrivacy.enabled}
                onChange={(e) =>
                  patch({ privacy: { ...s.privacy, differentialPrivacy: { ...s.privacy.differentialPrivacy, enabled: e.currentTarget.checked } } })
                }
              />
              {s.privacy.differentialPrivacy.enabled ? (
                <NumberInput
                  label="Privacy budget ε"
                  w={160}
                  min={0.1}
                  step={0.5}
                  decimalScale={2}
                  value={s.privacy.differentialPrivacy.epsilon}
                  onChange={(v) =>
                    typeof v === 'number' &&
                    v > 0 &&
                    patch({ privacy: { ...s.privacy, differentialPrivacy: { ...s.privacy.differentialPrivacy, epsilon: v } } })
                  }
                />
              ) : null}
            </Group>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}
