import { useEffect, useState } from 'react';
import { ActionIcon, Alert, Badge, Button, Card, Grid, Group, Loader, NavLink, Paper, ScrollArea, Stack, Text, Title, Tooltip } from '@mantine/core';
import { describeSource, type SourceRecord } from '../../../../shared';
import { errorText } from '../../../lib/api';
import { IconDatabase, IconFile, IconFolder, IconPlus, IconSparkles, IconTrash } from '../../../lib/icons';
import { useSources } from '../store';
import { AddSourceModal } from './add-source-modal';
import { TableBrowser } from './table-browser';
import { ConfirmModal } from '../../../components/confirm-modal';
import { useNav } from '../../../app/nav-store';
import { useWizard } from '../../wizard/store';

function kindIcon(s: SourceRecord) {
  if (s.spec.kind === 'files') return /\.[a-z0-9]+$/i.test(s.spec.path) ? <IconFile /> : <IconFolder />;
  return <IconDatabase />;
}

const kindLabel: Record<SourceRecord['spec']['kind'], string> = { files: 'Files', sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL' };

export function SourcesPage() {
  const { sources, loaded, selectedId, load, select, remove } = useSources();
  const go = useNav((s) => s.go);
  const openSource = useWizard((s) => s.openSource);
  const [adding, setAdding] = useState(false);
  const [confirm, setConfirm] = useState<SourceRecord | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    load().catch((e: unknown) => setError(errorText(e).message));
  }, [load]);

  const selected = sources.find((s) => s.id === selectedId) ?? null;
  const startSynthesis = (s: SourceRecord) => {
    void openSource(s.id, s.name);
    go({ name: 'wizard' });
  };

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <div>
          <Title order={2}>Sources</Title>
          <Text c="dimmed" size="sm">
            Files, folders and databases to synthesize. Nothing leaves this computer.
          </Text>
        </div>
        <Button leftSection={<IconPlus />} onClick={() => setAdding(true)}>
          Add source
        </Button>
      </Group>
      {error ? <Alert color="red">{error}</Alert> : null}
      {!loaded && !error ? <Loader /> : null}
      {loaded && sources.length === 0 ? (
        <Paper withBorder p="xl">
          <Stack align="center" gap="xs">
            <IconDatabase size={32} />
            <Text fw={600}>No source yet</Text>
            <Text c="dimmed" size="sm">
              Add a CSV/XLSX/Parquet file, a folder of files, a SQLite file or a database connection.
            </Text>
            <Button mt="sm" leftSection={<IconPlus />} onClick={() => setAdding(true)}>
              Add your first source
            </Button>
          </Stack>
        </Paper>
      ) : null}
      {sources.length > 0 ? (
        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Card withBorder padding="xs">
              <ScrollArea.Autosize mah={640}>
                <nav aria-label="Sources">
                  {sources.map((s) => (
                    <NavLink
                      key={s.id}
                      component="button"
                      active={s.id === selectedId}
                      onClick={() => select(s.id)}
                      leftSection={kindIcon(s)}
                      label={s.name}
                      description={describeSource(s.spec)}
                      rightSection={
                        <Badge size="xs" variant="light" style={{ flexShrink: 0, overflow: 'visible' }} data-kind-badge>
                          {kindLabel[s.spec.kind]}
                        </Badge>
                      }
                      styles={{ body: { minWidth: 0 }, section: { flexShrink: 0 } }}
                    />
                  ))}
                </nav>
              </ScrollArea.Autosize>
            </Card>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8 }}>
            {selected ? (
              <Card withBorder>
                <Group justify="space-between" mb="sm" wrap="nowrap">
                  <div style={{ minWidth: 0, flex: 1 }}>
                    <Title
                      order={3}
                      title={selected.name}
                      style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}
                      data-testid="source-title"
                    >
                      {selected.name}
                    </Title>
                    <Text size="sm" c="dimmed" truncate>
                      {describeSource(selected.spec)}
                      {selected.hasPassword ? ' · password stored encrypted' : ''}
                    </Text>
                  </div>
                  <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
                    <Button leftSection={<IconSparkles />} onClick={() => startSynthesis(selected)}>
                      New synthesis
                    </Button>
                    <Tooltip label="Remove source">
                      <ActionIcon variant="subtle" color="red" size="lg" aria-label={`Remove source ${selected.name}`} onClick={() => setConfirm(selected)}>
                        <IconTrash />
                      </ActionIcon>
                    </Tooltip>
                  </Group>
                </Group>
                <TableBrowser source={selected} />
              </Card>
            ) : null}
          </Grid.Col>
        </Grid>
      ) : null}
      <AddSourceModal opened={adding} onClose={() => setAdding(false)} />
      <ConfirmModal
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        title="Remove source?"
        confirmLabel="Remove"
        onConfirm={() => confirm && void remove(confirm.id).catch((e: unknown) => setError(errorText(e).message))}
      >
        “{confirm?.name}” will be removed from Doppel. The data itself is not touched. Syntheses made from it stay, but cannot be run again.
      </ConfirmModal>
    </Stack>
  );
}
