import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import type { SourceRecord } from '../../../../shared';
import { call } from '../../../lib/api';
import { formatCount } from '../../../lib/format';
import { IconRefresh } from '../../../lib/icons';
import { DataPreview } from '../../../components/data-preview';
import { useSources } from '../store';

/** The tables of a source with row counts, and a paged preview of the selected one. */
export function TableBrowser({ source }: { source: SourceRecord }) {
  const inspection = useSources((s) => s.inspections[source.id]);
  const inspecting = useSources((s) => s.inspecting[source.id] ?? false);
  const error = useSources((s) => s.inspectErrors[source.id]);
  const inspect = useSources((s) => s.inspect);
  const [table, setTable] = useState<string | null>(null);

  useEffect(() => {
    void inspect(source.id);
    setTable(null);
  }, [source.id, inspect]);

  const tables = inspection?.metadata.tables ?? [];
  const current = table ?? tables[0]?.name ?? null;

  if (error) {
    return (
      <Alert color="red" title="The source could not be read">
        <Text size="sm">{error}</Text>
        <Button mt="sm" size="xs" variant="default" leftSection={<IconRefresh />} onClick={() => void inspect(source.id, true)}>
          Try again
        </Button>
      </Alert>
    );
  }
  if (!inspection || inspecting) return <Loader size="sm" aria-label="Reading the source" />;

  return (
    <Stack gap="md">
      <Table withTableBorder highlightOnHover aria-label="Tables of the source" fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Table</Table.Th>
            <Table.Th ta="right">Rows</Table.Th>
            <Table.Th ta="right">Columns</Table.Th>
            <Table.Th>Primary key</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tables.map((t) => (
            <Table.Tr
              key={t.name}
              bg={t.name === current ? 'var(--mantine-primary-color-light)' : undefined}
              onClick={() => setTable(t.name)}
              style={{ cursor: 'pointer' }}
              data-table-row={t.name}
            >
              <Table.Td>
                <UnstyledButton onClick={() => setTable(t.name)} fw={t.name === current ? 600 : 400} aria-pressed={t.name === current}>
                  {t.name}
                </UnstyledButton>
              </Table.Td>
              <Table.Td ta="right">{formatCount(t.rowCount)}</Table.Td>
              <Table.Td ta="right">{t.columns.length}</Table.Td>
              <Table.Td>
                {t.primaryKey.length ? (
                  <Badge size="sm" variant="light" color="yellow">
                    {t.primaryKey.join(', ')}
                  </Badge>
                ) : (
                  <Text size="xs" c="dimmed">
                    none
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {current ? (
        <div>
          <Group justify="space-between" mb={4}>
            <Text fw={600}>Preview of {current}</Text>
          </Group>
          <DataPreview
            resetKey={`${source.id}/${current}`}
            label={`Preview of ${current}`}
            load={(offset, limit) => call('sources.preview', { id: source.id, table: current, offset, limit })}
          />
        </div>
      ) : null}
    </Stack>
  );
}
