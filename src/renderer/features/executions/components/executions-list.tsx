import { useEffect, useState } from 'react';
import { ActionIcon, Alert, Button, Checkbox, Group, Modal, Paper, Table, Text, TextInput, Tooltip } from '@mantine/core';
import type { ExecutionRecord } from '../../../../shared';
import { errorText } from '../../../lib/api';
import { formatDate, formatQuality, formatSeconds } from '../../../lib/format';
import { IconColumns, IconPencil, IconPlay, IconTrash } from '../../../lib/icons';
import { useNav } from '../../../app/nav-store';
import { executionsOf, useExecutions } from '../store';
import { executionSeconds } from '../live';
import { StatusBadge } from './status-badge';
import { ConfirmModal } from '../../../components/confirm-modal';
import { HeadRow } from '../../../components/head-row';

/** The execution history of one synthesis: run again, open, compare, rename, delete. */
export function ExecutionsList({ synthesisId }: { synthesisId: string }) {
  const byId = useExecutions((s) => s.byId);
  const { load, start, rename, remove } = useExecutions();
  const go = useNav((s) => s.go);
  const [renaming, setRenaming] = useState<ExecutionRecord | null>(null);
  const [newName, setNewName] = useState('');
  const [deleting, setDeleting] = useState<ExecutionRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = executionsOf(byId, synthesisId);
  const [picked, setPicked] = useState<string[]>([]);
  // Oldest first, so A is the earliest run and the others show their change against it.
  const toCompare = list
    .filter((r) => r.status === 'succeeded' && picked.includes(r.id))
    .map((r) => r.id)
    .reverse();
  const comparable = list.filter((r) => r.status === 'succeeded').length;

  useEffect(() => {
    load(synthesisId).catch((e: unknown) => setError(errorText(e).message));
  }, [load, synthesisId]);

  const act = (p: Promise<unknown>) => p.catch((e: unknown) => setError(errorText(e).message));

  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="sm">
        <Text fw={600}>Executions</Text>
        <Group gap="xs">
          {comparable >= 2 ? (
            <Tooltip label={toCompare.length < 2 ? 'Tick two or more runs that succeeded' : `Compare ${toCompare.length} runs side by side`}>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconColumns size={14} />}
                data-disabled={toCompare.length < 2 || undefined}
                onClick={(e) => {
                  if (toCompare.length < 2) e.preventDefault();
                  else go({ name: 'compare', ids: toCompare });
                }}
              >
                Compare {toCompare.length >= 2 ? `${toCompare.length} runs` : 'runs'}
              </Button>
            </Tooltip>
          ) : null}
          <Button
            size="xs"
            leftSection={<IconPlay size={14} />}
            onClick={() =>
              act(
                start(synthesisId).then((r) => {
                  go({ name: 'execution', id: r.id });
                }),
              )
            }
          >
            Run again
          </Button>
        </Group>
      </Group>
      {error ? (
        <Alert color="red" mb="sm" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      ) : null}
      {list.length === 0 ? (
        <Text size="sm" c="dimmed">
          No execution yet.
        </Text>
      ) : (
        <Table highlightOnHover fz="sm" aria-label="Executions">
          <Table.Thead>
            <HeadRow cells={[{ label: null, w: 32, ariaLabel: 'Compare' }, 'Name', 'Status', 'Started', 'Duration', 'Quality', '']} />
          </Table.Thead>
          <Table.Tbody>
            {list.map((r) => (
              <Table.Tr key={r.id} data-execution={r.name}>
                <Table.Td>
                  {r.status === 'succeeded' ? (
                    <Checkbox
                      size="xs"
                      aria-label={`Compare ${r.name}`}
                      checked={picked.includes(r.id)}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        setPicked((p) => (on ? [...p, r.id] : p.filter((x) => x !== r.id)));
                      }}
                    />
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" onClick={() => go({ name: 'execution', id: r.id })}>
                    {r.name}
                  </Button>
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={r.status} />
                </Table.Td>
                <Table.Td>{formatDate(r.createdAt)}</Table.Td>
                <Table.Td>{formatSeconds(executionSeconds(r))}</Table.Td>
                <Table.Td>{formatQuality(r.quality)}</Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Tooltip label="Rename">
                      <ActionIcon
                        variant="subtle"
                        aria-label={`Rename ${r.name}`}
                        onClick={() => {
                          setRenaming(r);
                          setNewName(r.name);
                        }}
                      >
                        <IconPencil size={16} />
                      </ActionIcon>
                    </Tooltip>
                    <Tooltip label="Delete">
                      <ActionIcon variant="subtle" color="red" aria-label={`Delete ${r.name}`} onClick={() => setDeleting(r)}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={renaming !== null} onClose={() => setRenaming(null)} title="Rename execution">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (renaming && newName.trim()) void act(rename(renaming.id, newName.trim()));
            setRenaming(null);
          }}
        >
          <TextInput label="Name" value={newName} onChange={(e) => setNewName(e.currentTarget.value)} data-autofocus />
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={() => setRenaming(null)}>
              Cancel
            </Button>
            <Button type="submit" disabled={!newName.trim()}>
              Rename
            </Button>
          </Group>
        </form>
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title="Delete execution?"
        confirmLabel="Delete"
        onConfirm={() => deleting && void act(remove(deleting.id))}
      >
        “{deleting?.name}” and its synthetic data and report will be deleted from this computer. This cannot be undone. Its audit record stays.
      </ConfirmModal>
    </Paper>
  );
}
