import { useState } from 'react';
import { Button, Group, NumberInput, Popover, Stack, Text } from '@mantine/core';
import type { ExecutionRecord } from '../../../../shared';
import { errorText } from '../../../lib/api';
import { useNav } from '../../../app/nav-store';
import { useExecutions } from '../store';

/** "Generate more": a new execution from this one's trained model (or the model it generated from), without training again. */
export function GenerateMore({ execution }: { execution: ExecutionRecord }) {
  const generate = useExecutions((s) => s.generate);
  const go = useNav((s) => s.go);
  const produced = Object.values(execution.summary?.rows ?? {})[0] ?? 1000;
  const [rows, setRows] = useState<number>(produced);
  const [seed, setSeed] = useState<number | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await generate(execution.id, rows, seed);
      go({ name: 'execution', id: next.id });
    } catch (e) {
      setError(errorText(e).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Popover width={300} position="bottom-end" withArrow>
      <Popover.Target>
        <Button variant="light">Generate more</Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text size="sm">
            {execution.trainedBy
              ? `New rows from the model this run generated from (trained by execution ${execution.trainedBy}), without training again.`
              : 'New rows from this run’s trained model, without training again.'}
          </Text>
          <NumberInput label="Rows" min={1} value={rows} onChange={(v) => setRows(typeof v === 'number' ? v : Number(v) || 1)} />
          <NumberInput label="Seed (empty: random)" value={seed ?? ''} onChange={(v) => setSeed(v === '' ? undefined : Number(v))} />
          {error ? (
            <Text size="sm" c="red" role="alert">
              {error}
            </Text>
          ) : null}
          <Group justify="flex-end">
            <Button loading={busy} onClick={() => void run()} disabled={rows < 1}>
              Generate
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
