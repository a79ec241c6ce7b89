import { useEffect, useState } from 'react';
import { Alert, Anchor, Badge, Group, Loader, Stack, Text, Title } from '@mantine/core';
import type { ExecutionRecord } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { formatDate, formatQuality } from '../../../lib/format';
import { useNav } from '../../../app/nav-store';
import { ReportFrame } from '../../results/components/report-frame';

const letter = (i: number): string => String.fromCharCode(65 + i);

/** Two or more runs side by side: quality, privacy and fidelity figures, settings that differ, per-column scores. */
export function ComparePage({ ids }: { ids: string[] }) {
  const go = useNav((s) => s.go);
  const [runs, setRuns] = useState<ExecutionRecord[] | null>(null);
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; fix?: string } | null>(null);
  const key = ids.join(',');

  useEffect(() => {
    setHtml(null);
    setError(null);
    const list = key.split(',');
    Promise.all([Promise.all(list.map((id) => call('executions.get', { id }))), call('executions.compare', { ids: list })])
      .then(([records, r]) => {
        setRuns(records);
        setHtml(r.html);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [key]);

  const synthesisId = runs?.[0]?.synthesisId;
  return (
    <Stack gap="sm">
      <div>
        <Anchor size="sm" onClick={() => go(synthesisId ? { name: 'syntheses', synthesisId } : { name: 'syntheses' })}>
          ← All runs of this synthesis
        </Anchor>
        <Title order={2} mt={4}>
          Compare runs
        </Title>
        {runs ? (
          <Group gap="xs" mt={4} aria-label="Compared runs">
            {runs.map((r, i) => (
              <Badge key={r.id} variant="light" color={i === 0 ? 'gray' : 'teal'} tt="none" data-run={letter(i)}>
                {letter(i)}: {r.name} · {formatDate(r.createdAt)} · quality {formatQuality(r.quality)}
              </Badge>
            ))}
          </Group>
        ) : null}
        <Text size="sm" c="dimmed" mt={4}>
          A is the reference: every other run shows its change against A.
        </Text>
      </div>
      {error ? (
        <Alert color="red" title="Cannot compare these runs">
          {error.message}
          {error.fix ? <Text size="sm">{error.fix}</Text> : null}
        </Alert>
      ) : null}
      {html === null && !error ? <Loader size="sm" /> : null}
      {html !== null ? <ReportFrame html={html} executionIds={ids} title="Comparison of runs" scrollOnOpen={false} /> : null}
    </Stack>
  );
}
