import { useEffect, useState } from 'react';
import { Alert, Button, Grid, Group, NavLink, Paper, Stack, Text, Title } from '@mantine/core';
import type { SynthesisRecord } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { formatDate } from '../../../lib/format';
import { IconPencil, IconSparkles } from '../../../lib/icons';
import { useNav } from '../../../app/nav-store';
import { useWizard } from '../../wizard/store';
import { ExecutionsList } from './executions-list';

/** The saved syntheses and, for the selected one, its executions. */
export function SynthesesPage({ synthesisId }: { synthesisId?: string }) {
  const go = useNav((s) => s.go);
  const openSynthesis = useWizard((s) => s.openSynthesis);
  const [list, setList] = useState<SynthesisRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call('syntheses.list', {})
      .then(setList)
      .catch((e: unknown) => setError(errorText(e).message));
  }, []);

  const selected = list?.find((s) => s.id === synthesisId) ?? list?.[0] ?? null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <div>
          <Title order={2}>Syntheses & runs</Title>
          <Text size="sm" c="dimmed">
            Run a synthesis again, compare runs, rename or delete them.
          </Text>
        </div>
        <Button leftSection={<IconSparkles />} onClick={() => go({ name: 'wizard' })}>
          New synthesis
        </Button>
      </Group>
      {error ? <Alert color="red">{error}</Alert> : null}
      {list && list.length === 0 ? (
        <Paper withBorder p="xl">
          <Text c="dimmed">No synthesis yet. Start one from a source.</Text>
        </Paper>
      ) : null}
      {list && selected ? (
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Paper withBorder p="xs">
              <nav aria-label="Syntheses">
                {list.map((s) => (
                  <NavLink
                    key={s.id}
                    component="button"
                    active={s.id === selected.id}
                    label={s.name}
                    description={`updated ${formatDate(s.updatedAt)}`}
                    onClick={() => go({ name: 'syntheses', synthesisId: s.id })}
                  />
                ))}
              </nav>
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8 }}>
            <Stack gap="sm">
              <Group justify="space-between">
                <Title order={3}>{selected.name}</Title>
                <Button
                  variant="default"
                  size="xs"
                  leftSection={<IconPencil size={14} />}
                  onClick={() => {
                    void openSynthesis(selected);
                    go({ name: 'wizard' });
                  }}
                >
                  Edit configuration
                </Button>
              </Group>
              <ExecutionsList synthesisId={selected.id} />
            </Stack>
          </Grid.Col>
        </Grid>
      ) : null}
    </Stack>
  );
}
