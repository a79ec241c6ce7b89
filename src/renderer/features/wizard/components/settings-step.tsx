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
              <NumberInput
                label="Epochs"
                description="Passes over the training rows; auto picks from the preset and the row count"
                placeholder="auto"
                min={1}
                max={10000}
                allowDecimal={false}
                value={s.epochs ?? ''}
                onChange={(v) => patch({ epochs: num(v) })}
              />
              <NumberInput
                label="Batch size"
                description="Rows per training step; larger is faster, uses more memory"
                placeholder="auto"
                min={1}
                allowDecimal={false}
                value={s.batchSize ?? ''}
                onChange={(v) => patch({ batchSize: num(v) })}
              />
              <NumberInput
                label="Learning rate"
                description="Step size of training; lower is slower and steadier"
                placeholder="auto"
                min={0.00001}
                max={1}
                step={0.0005}
                decimalScale={5}
                value={s.learningRate ?? ''}
                onChange={(v) => patch({ learningRate: num(v) })}
              />
              <Select
                label="Model size"
                description="Capacity of the network; auto follows the preset"
                data={['auto', 'small', 'medium', 'large']}
                value={s.modelSize}
                allowDeselect={false}
                onChange={(v) => v && patch({ modelSize: v as SynthSettings['modelSize'] })}
              />
              <NumberInput
                label="Max training rows"
                description="Train on at most this many rows per table (faster on big tables)"
                placeholder="all rows"
                min={1}
                allowDecimal={false}
                value={s.maxTrainingRows ?? ''}
                onChange={(v) => patch({ maxTrainingRows: num(v) })}
              />
              <NumberInput
                label="Seed"
                description="Same seed and settings give the same output"
                allowDecimal={false}
                value={s.seed}
                onChange={(v) => typeof v === 'number' && patch({ seed: v })}
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
              <NumberInput
                label="Time budget (s)"
                description="Training stops after this many seconds; 0 = no limit"
                min={0}
                value={s.timeBudgetSeconds}
                onChange={(v) => typeof v === 'number' && patch({ timeBudgetSeconds: v })}
              />
              <NumberInput
                label="Max execution time (s)"
                description="Whole run; 0 = no limit"
                min={0}
                value={s.maxExecutionSeconds}
                onChange={(v) => typeof v === 'number' && patch({ maxExecutionSeconds: v })}
              />
              <NumberInput
                label="Temperature"
                description="Above 1 samples more varied values, below 1 more typical ones"
                min={0.1}
                max={5}
                step={0.1}
                decimalScale={2}
                value={s.temperature}
                onChange={(v) => typeof v === 'number' && v > 0 && patch({ temperature: v })}
              />
            </SimpleGrid>
            <Group mt="md" gap="xl" align="flex-start">
              <Switch
                label="Random sample of training rows"
                description="With a row limit: a random sample instead of the first rows"
                checked={s.randomSample}
                onChange={(e) => patch({ randomSample: e.currentTarget.checked })}
              />
              <Switch
                label="Protect rare categories"
                description={`Values seen fewer than ${s.privacy.rareCategoryThreshold} times are replaced by frequent ones`}
                checked={s.privacy.protectRareCategories}
                onChange={(e) => patch({ privacy: { ...s.privacy, protectRareCategories: e.currentTarget.checked } })}
              />
              <Switch
                label="Clip outliers"
                description="Extreme numbers and dates are kept within the usual range"
                checked={s.privacy.clipOutliers}
                onChange={(e) => patch({ privacy: { ...s.privacy, clipOutliers: e.currentTarget.checked } })}
              />
              <Switch
                label="Filter copies of real rows"
                description="Synthetic rows equal to a real row are dropped"
                checked={s.privacy.filterCopies}
                onChange={(e) => patch({ privacy: { ...s.privacy, filterCopies: e.currentTarget.checked } })}
              />
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
