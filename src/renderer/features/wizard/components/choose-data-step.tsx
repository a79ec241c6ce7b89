import { useMemo, useState } from 'react';
import { Button, Checkbox, Grid, Group, Paper, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { useWizard } from '../store';
import { setColumnIncluded, setTableIncluded } from '../config-edit';
import { InlineProblems, problemsAt } from './problems';
import { TableList } from './table-list';

/** Step 1: include or exclude tables and columns. */
export function ChooseDataStep() {
  const metadata = useWizard((s) => s.metadata);
  const config = useWizard((s) => s.config);
  const problems = useWizard((s) => s.problems);
  const update = useWizard((s) => s.update);
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState<string | null>(null);

  const q = query.trim().toLowerCase();
  const tables = useMemo(
    () => (metadata?.tables ?? []).filter((t) => !q || t.name.toLowerCase().includes(q) || t.columns.some((c) => c.name.toLowerCase().includes(q))),
    [metadata, q],
  );
  if (!metadata || !config) return null;
  const selected = metadata.tables.find((t) => t.name === (current ?? tables[0]?.name)) ?? null;
  const selCfg = selected ? config.tables[selected.name] : undefined;
  const included = metadata.tables.filter((t) => config.tables[t.name]?.treatment !== 'exclude').length;

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <TextInput
          placeholder="Search tables and columns"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          w={320}
          aria-label="Search tables and columns"
        />
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            {included} of {metadata.tables.length} tables included
          </Text>
          <Button size="compact-xs" variant="subtle" onClick={() => update((c) => metadata.tables.reduce((acc, t) => setTableIncluded(acc, t.name, true), c))}>
            All
          </Button>
          <Button size="compact-xs" variant="subtle" onClick={() => update((c) => metadata.tables.reduce((acc, t) => setTableIncluded(acc, t.name, false), c))}>
            None
          </Button>
        </Group>
      </Group>
      <Grid gap="sm">
        <Grid.Col span={5}>
          <TableList
            maxHeight={460}
            tables={tables}
            selected={selected?.name}
            onSelect={setCurrent}
            entry={(t) => {
              const tc = config.tables[t.name];
              const on = tc !== undefined && tc.treatment !== 'exclude';
              return {
                dimmed: !on,
                leading: (
                  <Checkbox
                    checked={on}
                    onChange={(e) => update((c) => setTableIncluded(c, t.name, e.currentTarget.checked))}
                    aria-label={`Include table ${t.name}`}
                  />
                ),
              };
            }}
            empty={
              <Text size="sm" c="dimmed">
                No table or column matches “{query}”.
              </Text>
            }
          />
        </Grid.Col>
        <Grid.Col span={7}>
          {selected && selCfg ? (
            <Paper withBorder p="sm">
              <Group justify="space-between" mb="xs">
                <Text fw={600}>{selected.name}</Text>
                <Text size="xs" c="dimmed">
                  {selected.columns.filter((c) => selCfg.columns[c.name]?.included).length} of {selected.columns.length} columns
                </Text>
              </Group>
              <InlineProblems problems={problemsAt(problems, selected.name).filter((p) => p.step === 'data')} />
              <ScrollArea.Autosize mah={400} type="auto">
                <Stack gap={6} mt="xs">
                  {selected.columns
                    .filter((c) => !q || selected.name.toLowerCase().includes(q) || c.name.toLowerCase().includes(q))
                    .map((c) => (
                      <Group key={c.name} justify="space-between" wrap="nowrap">
                        <Checkbox
                          label={c.name}
                          checked={selCfg.columns[c.name]?.included ?? false}
                          disabled={selCfg.treatment === 'exclude'}
                          onChange={(e) => update((cfg) => setColumnIncluded(cfg, selected.name, c.name, e.currentTarget.checked))}
                        />
                        <Text size="xs" c="dimmed">
                          {c.nativeType ?? c.storageType} · {c.sdtype}
                        </Text>
                      </Group>
                    ))}
                </Stack>
              </ScrollArea.Autosize>
            </Paper>
          ) : null}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
