import { Accordion, Group, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import type { OutputSize, QualityPreset, SynthSettings } from '../../../../shared';
import { useAppInfo } from '../../../app/info-store';
import { useWizard } from '../store';
import { setSettings } from '../config-edit';
import { UtilityTargetSelect } from './utility-target';

const presetHelp: Record<QualityPreset, string> = {
  fast: 'A quick draft: small model, few epochs.',
  balanced: 'Good quality in reasonable time (recommended).',
  accurate: 'Larger model, trains longer.',
};

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

  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <Text fw={600} mb="xs">Basic</Text>
        <Stack gap="sm">
          <div>
            <Text size="sm" fw={500} mb={4}>Quality preset</Text>
            <SegmentedControl value={s.preset} onChange={(v) => patch({ preset: v as QualityPreset })} data={['fast', 'balanced', 'accurate'].map((v) => ({ value: v, label: v[0]!.toUpperCase() + v.slice(1) }))} aria-label="Quality preset" />
            <Text size="xs" c="dimmed" mt={4}>{presetHelp[s.preset]}</Text>
          </div>
          <div>
            <Text size="sm" fw={500} mb={4}>Output size</Text>
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
              {size.mode === 'rows' ? <NumberInput aria-label="Rows of the root table" w={160} min={1} allowDecimal={false} value={size.rows} onChange={(v) => typeof v === 'number' && v > 0 && setSize({ mode: 'rows', rows: v })} /> : null}
              {size.mode === 'scale' ? <NumberInput aria-label="Scale factor" w={160} min={0.01} max={1000} step={0.1} decimalScale={2} value={size.factor} onChange={(v) => typeof v === 'number' && v > 0 && setSize({ mode: 'scale', factor: v })} /> : null}
            </Group>
          </div>
          <UtilityTargetSelect config={config} onChange={(report) => update((c) => ({ ...c, report }))} />
        </Stack>
      </Paper>
      <Accordion variant="separated" defaultValue={null}>
        <Accordion.Item value="advanced">
          <Accordion.Control>Advanced settings</Accordion.Control>
          <Accordion.Panel>
            <SimpleGrid cols={3} spacing="sm">
              <NumberInput label="Epochs" placeholder="auto" min={1} max={10000} allowDecimal={false} value={s.epochs ?? ''} onChange={(v) => patch({ epochs: num(v) })} />
              <NumberInput label="Batch size" placeholder="auto" min={1} allowDecimal={false} value={s.batchSize ?? ''} onChange={(v) => patch({ batchSize: num(v) })} />
              <NumberInput label="Learning rate" placeholder="auto" min={0.00001} max={1} step={0.0005} decimalScale={5} value={s.learningRate ?? ''} onChange={(v) => patch({ learningRate: num(v) })} />
              <Select label="Model size" data={['auto', 'small', 'medium', 'large']} value={s.modelSize} allowDeselect={false} onChange={(v) => v && patch({ modelSize: v as SynthSettings['modelSize'] })} />
              <NumberInput label="Max training rows" placeholder="all rows" min={1} allowDecimal={false} value={s.maxTrainingRows ?? ''} onChange={(v) => patch({ maxTrainingRows: num(v) })} />
              <NumberInput label="Seed" allowDecimal={false} value={s.seed} onChange={(v) => typeof v === 'number' && patch({ seed: v })} />
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
              <NumberInput label="Time budget (s)" description="0 = no limit" min={0} value={s.timeBudgetSeconds} onChange={(v) => typeof v === 'number' && patch({ timeBudgetSeconds: v })} />
              <NumberInput label="Max execution time (s)" description="Whole run; 0 = no limit" min={0} value={s.maxExecutionSeconds} onChange={(v) => typeof v === 'number' && patch({ maxExecutionSeconds: v })} />
              <NumberInput label="Temperature" min={0.1} max={5} step={0.1} decimalScale={2} value={s.temperature} onChange={(v) => typeof v === 'number' && v > 0 && patch({ temperature: v })} />
            </SimpleGrid>
            <Group mt="md" gap="xl">
              <Switch label="Random sample of training rows" checked={s.randomSample} onChange={(e) => patch({ randomSample: e.currentTarget.checked })} />
              <Switch label="Protect rare categories" checked={s.privacy.protectRareCategories} onChange={(e) => patch({ privacy: { ...s.privacy, protectRareCategories: e.currentTarget.checked } })} />
              <Switch label="Clip outliers" checked={s.privacy.clipOutliers} onChange={(e) => patch({ privacy: { ...s.privacy, clipOutliers: e.currentTarget.checked } })} />
              <Switch label="Filter copies of real rows" checked={s.privacy.filterCopies} onChange={(e) => patch({ privacy: { ...s.privacy, filterCopies: e.currentTarget.checked } })} />
            </Group>
            <Group mt="md" align="flex-end">
              <Switch
                label="Differential privacy (single table)"
                checked={s.privacy.differentialPrivacy.enabled}
                onChange={(e) => patch({ privacy: { ...s.privacy, differentialPrivacy: { ...s.privacy.differentialPrivacy, enabled: e.currentTarget.checked } } })}
              />
              {s.privacy.differentialPrivacy.enabled ? (
                <NumberInput
                  label="Privacy budget ε"
                  w={160}
                  min={0.1}
                  step={0.5}
                  decimalScale={2}
                  value={s.privacy.differentialPrivacy.epsilon}
                  onChange={(v) => typeof v === 'number' && v > 0 && patch({ privacy: { ...s.privacy, differentialPrivacy: { ...s.privacy.differentialPrivacy, epsilon: v } } })}
                />
              ) : null}
            </Group>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}
