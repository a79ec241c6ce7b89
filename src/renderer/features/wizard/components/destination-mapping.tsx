import { useEffect, useState } from 'react';
import { Alert, Paper, Stack, Table, Text } from '@mantine/core';
import { describeRename, type DestinationMapping, type SynthesisConfig } from '../../../../shared';
import { call, errorText } from '../../../lib/api';

/** The review's view of a database destination: names it stores differently and column types it changes. */
export function DestinationMappingPanel({ config }: { config: SynthesisConfig }) {
  const [mapping, setMapping] = useState<DestinationMapping | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify([config.destination, config.tables, config.foreignKeys, config.source]);
  useEffect(() => {
    let live = true;
    setError(null);
    if (config.destination.kind !== 'database') {
      setMapping(null);
      return;
    }
    call('destinations.mapping', { config })
      .then((m) => live && setMapping(m))
      .catch((e: unknown) => live && setError(errorText(e).message));
    return () => {
      live = false;
    };
    // The config object changes on every edit; the parts that matter are in `key`.
  }, [key]);
  if (config.destination.kind !== 'database') return null;
  if (error) return <Alert color="red">{error}</Alert>;
  if (!mapping) return null;
  return (
    <Paper withBorder p="md" data-testid="destination-mapping">
      <Stack gap="sm">
        <Text fw={700}>In the destination</Text>
        <section aria-label="Renamed names">
          <Text size="sm" fw={600}>
            Renamed names
          </Text>
          {mapping.renames.length === 0 ? (
            <Text size="sm" c="dimmed">
              Every table and column keeps its name.
            </Text>
          ) : (
            <>
              <Text size="xs" c="dimmed">
                {mapping.target} cannot hold these names as they are (too long, or equal but for case); they are stored as shown. No column is dropped.
              </Text>
              <Table withTableBorder striped mt={4} aria-label="Rename mapping" style={{ tableLayout: 'fixed', overflowWrap: 'anywhere' }}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Table</Table.Th>
                    <Table.Th>Column</Table.Th>
                    <Table.Th>Stored as</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {mapping.renames.map((r) => (
                    <Table.Tr key={describeRename(r)}>
                      <Table.Td>{r.table}</Table.Td>
                      <Table.Td>{r.column ?? '(the table)'}</Table.Td>
                      <Table.Td>{r.to}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </section>
        <section aria-label="Column types">
          <Text size="sm" fw={600}>
            Column types
          </Text>
          {mapping.types.length === 0 ? (
            <Text size="sm" c="dimmed">
              Every column keeps its source type.
            </Text>
          ) : (
            <>
              <Text size="xs" c="dimmed">
                {mapping.types.length} of {mapping.columns} columns get the closest type the destination has.
              </Text>
              <Table withTableBorder striped mt={4} aria-label="Type mapping" style={{ tableLayout: 'fixed', overflowWrap: 'anywhere' }}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Table</Table.Th>
                    <Table.Th>Column</Table.Th>
                    <Table.Th>Source type</Table.Th>
                    <Table.Th>Destination type</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {mapping.types.map((t) => (
                    <Table.Tr key={`${t.table}\u0000${t.column}`}>
                      <Table.Td>{t.table}</Table.Td>
                      <Table.Td>{t.column}</Table.Td>
                      <Table.Td>{t.source}</Table.Td>
                      <Table.Td>{t.destination}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </>
          )}
        </section>
      </Stack>
    </Paper>
  );
}
