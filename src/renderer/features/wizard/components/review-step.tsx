import { useState } from 'react';
import { Alert, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { activeForeignKeys, describeSource, hasErrors, outputTables, synthesizedTables } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { IconAsterisk, IconPlay } from '../../../lib/icons';
import { useNav } from '../../../app/nav-store';
import { useExecutions } from '../../executions/store';
import { useWizard } from '../store';
import { withPassword } from './destination-step';
import { DestinationMappingPanel } from './destination-mapping';

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <Paper withBorder p="sm" data-stat={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fw={700} size="lg">
        {value}
      </Text>
    </Paper>
  );
}

/** Step 7: a summary, the name, then save and run. */
export function ReviewStep() {
  const { config, problems, name, setName, sourceId, synthesisId, step, setStep, ran, destinationPassword } = useWizard();
  const start = useExecutions((s) => s.start);
  const go = useNav((s) => s.go);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; fix?: string } | null>(null);
  if (!config) return null;
  const synth = synthesizedTables(config);
  const original = Object.entries(config.tables)
    .filter(([, t]) => t.treatment === 'original')
    .map(([n]) => n);
  const blocked = hasErrors(problems);
  const s = config.settings;

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const found = await call('syntheses.validate', { config });
      if (hasErrors(found)) {
        setError({
          message: found
            .filter((p) => p.severity === 'error')
            .map((p) => p.message)
            .join(' '),
          fix: found.find((p) => p.severity === 'error')?.fix,
        });
        return;
      }
      if (config.destination.kind === 'database') {
        const check = await call('destinations.check', { destination: withPassword(config.destination, destinationPassword), config });
        if (!check.ok) {
          setError({ message: check.message, fix: check.fix ?? 'Change the destination or its table mode in step 6.' });
          return;
        }
      }
      const saved = await call('syntheses.save', {
        id: synthesisId ?? undefined,
        name: name.trim() || config.name,
        sourceId,
        config: { ...config, name: name.trim() || config.name },
      });
      useWizard.setState({ synthesisId: saved.id });
      const exec = await start(saved.id, destinationPassword ?? undefined);
      ran();
      go({ name: 'execution', id: exec.id });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <TextInput label="Name of the synthesis" value={name} onChange={(e) => setName(e.currentTarget.value)} w={420} />
      <SimpleGrid cols={4} spacing="sm">
        <Stat label="Synthesized tables" value={synth.length} />
        <Stat label="Original data" value={original.length} />
        <Stat label="Output tables" value={outputTables(config).length} />
        <Stat label="Foreign keys" value={activeForeignKeys(config).length} />
      </SimpleGrid>
      <Paper withBorder p="md">
        <Stack gap={6}>
          <Text size="sm">
            <b>Source:</b> {describeSource(config.source)}
          </Text>
          <Text size="sm">
            <b>Synthesized:</b> {synth.join(', ') || '—'}
          </Text>
          {original.length > 0 ? (
            <Group gap={4}>
              <Text size="sm">
                <b>Original data:</b>
              </Text>
              {original.map((t) => (
                <Badge key={t} variant="light" color="yellow" leftSection={<IconAsterisk size={10} />}>
                  {t}
                </Badge>
              ))}
            </Group>
          ) : null}
          <Text size="sm">
            <b>Settings:</b> {s.preset} preset, output{' '}
            {s.outputSize.mode === 'same' ? 'same size as the source' : s.outputSize.mode === 'rows' ? `${s.outputSize.rows} rows` : `×${s.outputSize.factor}`}
            {s.epochs ? `, ${s.epochs} epochs` : ''}, seed {s.seed}, device {s.device}
          </Text>
          <Text size="sm">
            <b>Destination:</b>{' '}
            {config.destination.kind === 'local'
              ? 'Doppel’s local store'
              : `${describeSource(config.destination.target)} (${config.destination.tableMode}; foreign keys and indexes ${
                  { 'during-load': 'enforced while writing', 'after-load': 'added after the load', off: 'left off' }[
                    config.destination.constraints ?? 'after-load'
                  ]
                })`}
          </Text>
        </Stack>
      </Paper>
      <DestinationMappingPanel config={config} />
      {blocked ? (
        <Alert color="red" title="Fix the errors first">
          The validation panel lists what is still wrong; click a step name there to go to it.
        </Alert>
      ) : null}
      {error ? (
        <Alert color="red" title="The synthesis could not start" role="alert">
          {error.message}
          {error.fix ? (
            <Text size="sm" fw={500} mt={4}>
              {error.fix}
            </Text>
          ) : null}
        </Alert>
      ) : null}
      <Group justify="space-between" mt="xs">
        <Button variant="default" onClick={() => setStep(step - 1)}>
          Back
        </Button>
        <Button size="md" leftSection={<IconPlay />} onClick={run} loading={busy} disabled={blocked}>
          Create and run
        </Button>
      </Group>
    </Stack>
  );
}
