import { useEffect, useState } from 'react';
import { Alert, Anchor, Badge, Button, Grid, Group, Loader, Paper, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { errorText } from '../../../lib/api';
import { formatDate, formatQuality, formatSeconds } from '../../../lib/format';
import { IconStop } from '../../../lib/icons';
import { useNav } from '../../../app/nav-store';
import { useExecutions } from '../store';
import { executionSeconds, isActive } from '../live';
import { StatusBadge } from './status-badge';
import { StepTimeline } from './step-timeline';
import { ExecutionNotice } from './execution-notice';
import { GenerateMore } from './generate-more';
import { LossChart } from './loss-chart';
import { ResultsPanel } from '../../results/components/results-panel';
import { AuditRecordCard } from '../../audit/components/audit-record-card';
import { ConfirmModal } from '../../../components/confirm-modal';

/** One execution: the timeline (live), the loss chart, cancel; the results once it succeeded. */
export function ExecutionPage({ id }: { id: string }) {
  const record = useExecutions((s) => s.byId[id]);
  const losses = useExecutions((s) => s.losses[id]) ?? [];
  const logs = useExecutions((s) => s.logs[id]) ?? [];
  const fetch = useExecutions((s) => s.fetch);
  const cancel = useExecutions((s) => s.cancel);
  const go = useNav((s) => s.go);
  const [error, setError] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [, tick] = useState(0);

  useEffect(() => {
    fetch(id).catch((e: unknown) => setError(errorText(e).message));
  }, [fetch, id]);
  const active = record ? isActive(record) : false;
  useEffect(() => {
    if (!active) return;
    // Elapsed time ticks, and a poll in case an event was missed.
    const t = setInterval(() => {
      tick((n) => n + 1);
      void fetch(id).catch(() => undefined);
    }, 2000);
    return () => clearInterval(t);
  }, [active, fetch, id]);

  if (error && !record) return <Alert color="red">{error}</Alert>;
  if (!record) return <Loader />;

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="nowrap">
        <div style={{ minWidth: 0 }}>
          <Anchor size="sm" onClick={() => go({ name: 'syntheses', synthesisId: record.synthesisId })}>
            ← All runs of this synthesis
          </Anchor>
          <Group gap="sm" mt={4}>
            <Title order={2}>{record.name}</Title>
            <StatusBadge status={record.status} />
          </Group>
          <Text size="sm" c="dimmed">
            Started {formatDate(record.createdAt)} · {formatSeconds(executionSeconds(record))}
            {record.backend ? ` · backend ${record.backend}` : ''}
          </Text>
        </div>
        {active ? (
          <Button color="red" variant="light" leftSection={<IconStop size={14} />} onClick={() => setConfirmCancel(true)}>
            Cancel
          </Button>
        ) : record.status === 'succeeded' ? (
          <GenerateMore execution={record} />
        ) : null}
      </Group>
      <ExecutionNotice record={record} />
      {record.status === 'failed' && record.error ? (
        <Alert color="red" title="The execution failed" role="alert">
          <Text size="sm">{record.error.message}</Text>
          {record.error.fix ? (
            <Text size="sm" fw={600} mt={4}>
              What to do: {record.error.fix}
            </Text>
          ) : null}
          <Text size="xs" c="dimmed" mt={4}>
            {record.error.code}
          </Text>
        </Alert>
      ) : null}
      {record.status === 'canceled' ? (
        <Alert color="orange" title="Canceled">
          This execution was canceled; nothing was written.
        </Alert>
      ) : null}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Paper withBorder p="md" data-testid="timeline">
            <Text fw={600} mb="sm">
              Timeline
            </Text>
            <StepTimeline steps={record.steps} />
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="md">
            {active || losses.length > 0 ? (
              <Paper withBorder p="md">
                <Text fw={600} mb="sm">
                  Training loss
                </Text>
                <LossChart points={losses} finished={!active} />
              </Paper>
            ) : null}
            {logs.length > 0 ? (
              <Paper withBorder p="md">
                <Text fw={600} mb="xs">
                  Messages
                </Text>
                <ScrollArea.Autosize mah={140} type="auto">
                  <Stack gap={2}>
                    {logs.map((l, i) => (
                      <Text key={i} size="xs" c={l.startsWith('error') ? 'red.7' : l.startsWith('warn') ? 'yellow.8' : 'dimmed'} ff="monospace">
                        {l}
                      </Text>
                    ))}
                  </Stack>
                </ScrollArea.Autosize>
              </Paper>
            ) : null}
            {record.status === 'succeeded' ? (
              <Paper withBorder p="md">
                <Group gap="lg">
                  <div>
                    <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                      Quality
                    </Text>
                    <Text fw={700} size="xl">
                      {formatQuality(record.quality)}
                    </Text>
                  </div>
                  {record.summary ? (
                    <div>
                      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                        Rows generated
                      </Text>
                      <Group gap={4}>
                        {Object.entries(record.summary.rows).map(([t, n]) => (
                          <Badge key={t} variant="light">
                            {t}: {n}
                          </Badge>
                        ))}
                      </Group>
                    </div>
                  ) : null}
                </Group>
              </Paper>
            ) : null}
            <AuditRecordCard executionId={record.id} finished={!active} />
          </Stack>
        </Grid.Col>
      </Grid>
      {record.status === 'succeeded' ? <ResultsPanel execution={record} /> : null}
      <ConfirmModal
        opened={confirmCancel}
        onClose={() => setConfirmCancel(false)}
        title="Cancel this execution?"
        confirmLabel="Cancel execution"
        cancelLabel="Keep running"
        onConfirm={() => void cancel(id).catch((e: unknown) => setError(errorText(e).message))}
      >
        Training stops and nothing is written. You can run the synthesis again later.
      </ConfirmModal>
    </Stack>
  );
}
