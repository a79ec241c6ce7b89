import { Button, Group, MultiSelect, Paper, Stack, Table, Text } from '@mantine/core';
import { useWizard } from '../store';
import { clearPrimaryKey } from '../config-edit';
import { InlineProblems, problemsAt } from './problems';
import { ScrollTable } from '../../../components/scroll-table';

/** Step 2: set and unset the primary key of every included table. */
export function PrimaryKeysStep() {
  const metadata = useWizard((s) => s.metadata);
  const config = useWizard((s) => s.config);
  const problems = useWizard((s) => s.problems);
  const update = useWizard((s) => s.update);
  if (!metadata || !config) return null;
  const tables = metadata.tables.filter((t) => config.tables[t.name] && config.tables[t.name]!.treatment !== 'exclude');
  return (
    <Paper withBorder>
      <ScrollTable
        maxHeight={560}
        verticalSpacing="xs"
        aria-label="Primary keys"
        head={
          <Table.Tr>
            <Table.Th w="30%">Table</Table.Th>
            <Table.Th>Primary key</Table.Th>
            <Table.Th w={110} />
          </Table.Tr>
        }
      >
        {tables.map((t) => {
          const tc = config.tables[t.name]!;
          const mine = problemsAt(problems, t.name).filter((p) => p.step === 'primary-keys');
          return (
            <Table.Tr key={t.name}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {t.name}
                </Text>
                {t.primaryKey.length > 0 ? (
                  <Text size="xs" c="dimmed">
                    in the source: {t.primaryKey.join(', ')}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Stack gap={0}>
                  <MultiSelect
                    aria-label={`Primary key of ${t.name}`}
                    placeholder={tc.primaryKey.length ? undefined : 'No primary key'}
                    data={t.columns.filter((c) => tc.columns[c.name]?.included).map((c) => c.name)}
                    value={tc.primaryKey}
                    onChange={(v) => update((c) => ({ ...c, tables: { ...c.tables, [t.name]: { ...tc, primaryKey: v } } }))}
                    searchable
                    size="xs"
                    error={mine.some((p) => p.severity === 'error') ? true : undefined}
                  />
                  <InlineProblems problems={mine} />
                </Stack>
              </Table.Td>
              <Table.Td>
                <Group justify="flex-end">
                  <Button size="xs" variant="subtle" disabled={tc.primaryKey.length === 0} onClick={() => update((c) => clearPrimaryKey(c, t.name))}>
                    Unset
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </ScrollTable>
    </Paper>
  );
}
