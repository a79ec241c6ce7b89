import { useEffect, useState } from 'react';
import { Alert, Paper, Stack, Table, Text } from '@mantine/core';
import { describeRename, type DestinationMapping, type SynthesisConfig } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { HeadRow } from '../../../components/head-row';

interface MappingSectionProps {
  title: string;
  /** Said when nothing changes. */
  unchanged: string;
  /** Said above the changes. */
  note: string;
  tableLabel: string;
  head: string[];
  rows: { key: string; cells: string[] }[];
}

/** One part of the mapping: what changes in the destination, or that nothing does. */
function MappingSection({ title, unchanged, note, tableLabel, head, rows }: MappingSectionProps) {
  return (
    <section aria-label={title}>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {unchanged}
        </Text>
      ) : (
        <>
          <Text size="xs" c="dimmed">
            {note}
          </Text>
          <Table withTableBorder striped mt={4} aria-label={tableLabel} style={{ tableLayout: 'fixed', overflowWrap: 'anywhere' }}>
            <Table.Thead>
              <HeadRow cells={head} />
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.key}>
                  {r.cells.map((c, i) => (
                    <Table.Td key={i}>{c}</Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </section>
  );
}

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
        <MappingSection
          title="Renamed names"
          unchanged="Every table and column keeps its name."
          note={`${mapping.target} cannot hold these names as they are (too long, or equal but for case); they are stored as shown. No column is dropped.`}
          tableLabel="Rename mapping"
          head={['Table', 'Column', 'Stored as']}
          rows={mapping.renames.map((r) => ({ key: describeRename(r), cells: [r.table, r.column ?? '(the table)', r.to] }))}
        />
        <MappingSection
          title="Column types"
          unchanged="Every column keeps its source type."
          note={`${mapping.types.length} of ${mapping.columns} columns get the closest type the destination has.`}
          tableLabel="Type mapping"
          head={['Table', 'Column', 'Source type', 'Destination type']}
          rows={mapping.types.map((t) => ({ key: `${t.table}\u0000${t.column}`, cells: [t.table, t.column, t.source, t.destination] }))}
        />
      </Stack>
    </Paper>
  );
}
