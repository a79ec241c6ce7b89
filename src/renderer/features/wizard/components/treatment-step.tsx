import { useState } from 'react';
import { ActionIcon, Alert, Grid, Group, Paper, Popover, SegmentedControl, Select, Table, Text, Tooltip } from '@mantine/core';
import { activeForeignKeys, columnTreatments, type TableTreatment } from '../../../../shared';
import { IconAdjustments, IconAlert, IconAsterisk, IconShield } from '../../../lib/icons';
import { shieldOf } from '../../schema-graph/graph-model';
import { useWizard } from '../store';
import { setColumnSensitive, setColumnTreatment, setTableTreatment } from '../config-edit';
import { ColumnOptions } from './column-options';
import { InlineProblems, problemsAt } from './problems';
import { TableList } from './table-list';
import { ScrollTable } from '../../../components/scroll-table';

const treatmentLabels: Record<(typeof columnTreatments)[number], string> = {
  synthesize: 'Synthesize',
  keep: 'Keep original',
  mock: 'Mock (fake)',
  mask: 'Mask',
  null: 'Set empty',
};

/** Step 4: per table synthesize / original data / exclude; per column the shield, treatment and type options. */
export function TreatmentStep() {
  const metadata = useWizard((s) => s.metadata);
  const config = useWizard((s) => s.config);
  const problems = useWizard((s) => s.problems);
  const sensitiveHits = useWizard((s) => s.sensitive);
  const update = useWizard((s) => s.update);
  const [current, setCurrent] = useState<string | null>(null);
  if (!metadata || !config) return null;
  // Included tables first (in source order), excluded ones after them.
  const tables = metadata.tables
    .filter((t) => config.tables[t.name])
    .sort((a, b) => Number(config.tables[a.name]!.treatment === 'exclude') - Number(config.tables[b.name]!.treatment === 'exclude'));
  const selected = tables.find((t) => t.name === current) ?? tables.find((t) => config.tables[t.name]?.treatment !== 'exclude') ?? null;
  const tc = selected ? config.tables[selected.name] : undefined;
  const activeFks = activeForeignKeys(config);
  const grayShields = selected && tc ? selected.columns.filter((c) => shieldOf(config, selected.name, c.name) === 'gray' && tc.columns[c.name]?.included) : [];

  return (
    <Grid gap="sm">
      <Grid.Col span={5}>
        <TableList
          maxHeight={540}
          tables={tables}
          selected={selected?.name}
          onSelect={setCurrent}
          entry={(t) => {
            const treatment = config.tables[t.name]!.treatment;
            const tableProblems = problemsAt(problems, t.name).filter((p) => p.step === 'treatment' && !p.column);
            return {
              dimmed: treatment === 'exclude',
              leading:
                treatment === 'original' ? (
                  <span className="original-asterisk" data-testid={`list-asterisk-${t.name}`}>
                    <IconAsterisk size={14} title="Original data" />
                  </span>
                ) : undefined,
              children: (
                <>
                  <SegmentedControl
                    size="xs"
                    fullWidth
                    value={treatment}
                    onChange={(v) => update((c) => setTableTreatment(c, t.name, v as TableTreatment))}
                    data={[
                      { value: 'synthesize', label: 'Synthesize' },
                      { value: 'original', label: 'Original data' },
                      { value: 'exclude', label: 'Exclude' },
                    ]}
                    aria-label={`Treatment of ${t.name}`}
                  />
                  <InlineProblems problems={tableProblems} />
                </>
              ),
            };
          }}
        />
      </Grid.Col>
      <Grid.Col span={7}>
        {selected && tc ? (
          <Paper withBorder p="sm">
            <Group gap={6} mb="xs">
              {tc.treatment === 'original' ? <IconAsterisk size={16} style={{ color: 'var(--mantine-color-yellow-7)' }} /> : null}
              <Text fw={600}>{selected.name}</Text>
              <Text size="sm" c="dimmed">
                {tc.treatment === 'original' ? '— original data, copied as is' : tc.treatment === 'exclude' ? '— excluded' : '— synthesized'}
              </Text>
            </Group>
            {grayShields.length > 0 ? (
              <Alert color="yellow" icon={<IconAlert />} mb="xs" data-testid="gray-shield-warning" title="Sensitive data will not be synthesized">
                {grayShields.map((c) => c.name).join(', ')} {grayShields.length === 1 ? 'is' : 'are'} marked sensitive but{' '}
                {tc.treatment === 'original' ? 'the table is copied as original data' : 'kept as in the source'}: real values will appear in the output.
              </Alert>
            ) : null}
            <ScrollTable
              maxHeight={460}
              fz="sm"
              verticalSpacing={4}
              stickyHeader
              aria-label={`Columns of ${selected.name}`}
              head={
                <Table.Tr>
                  <Table.Th w={40}>
                    <Tooltip label="Sensitive">
                      <span>
                        <IconShield size={14} />
                      </span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th>Column</Table.Th>
                  <Table.Th>Treatment</Table.Th>
                  <Table.Th w={36} />
                </Table.Tr>
              }
            >
              {selected.columns.map((col) => {
                const cc = tc.columns[col.name];
                if (!cc || !cc.included) return null;
                const shield = shieldOf(config, selected.name, col.name);
                const isKey = tc.primaryKey.includes(col.name) || activeFks.some((fk) => fk.childTable === selected.name && fk.childColumns.includes(col.name));
                return (
                  <Table.Tr key={col.name}>
                    <Table.Td>
                      <Tooltip
                        label={
                          shield === 'green'
                            ? 'Sensitive, synthesized (click to unmark)'
                            : shield === 'gray'
                              ? 'Sensitive, NOT synthesized (click to unmark)'
                              : 'Mark as sensitive'
                        }
                      >
                        <ActionIcon
                          variant="subtle"
                          color={shield === 'green' ? 'green' : 'gray'}
                          aria-label={`${cc.sensitive ? 'Unmark' : 'Mark'} ${col.name} as sensitive`}
                          aria-pressed={cc.sensitive}
                          data-testid={`shield-toggle-${selected.name}.${col.name}`}
                          data-shield={shield ?? 'none'}
                          onClick={() => update((c) => setColumnSensitive(c, selected.name, col.name, !cc.sensitive))}
                          style={{ opacity: shield ? 1 : 0.35 }}
                        >
                          <IconShield size={16} filled={shield === 'green'} />
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ wordBreak: 'break-word' }}>
                        {col.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {cc.sdtype}
                        {(() => {
                          const hit = sensitiveHits.find((h) => h.table === selected.name && h.column === col.name);
                          return hit ? ` · detected: ${hit.kind} (${Math.round(hit.confidence * 100)} %)` : '';
                        })()}
                      </Text>
                      <InlineProblems problems={problemsAt(problems, selected.name, col.name).filter((p) => p.step === 'treatment')} />
                    </Table.Td>
                    <Table.Td>
                      {tc.treatment !== 'synthesize' ? (
                        // What happens to the column, not a disabled choice that does not apply.
                        <Text size="xs" c={cc.sensitive ? 'yellow.8' : 'dimmed'} w={140} data-testid={`column-fate-${selected.name}.${col.name}`}>
                          {tc.treatment === 'original' ? 'kept (original data)' : 'excluded'}
                        </Text>
                      ) : (
                        <Select
                          size="xs"
                          w={140}
                          aria-label={`Treatment of ${col.name}`}
                          disabled={isKey}
                          data={columnTreatments.map((t) => ({ value: t, label: treatmentLabels[t] }))}
                          value={isKey ? 'synthesize' : cc.treatment}
                          allowDeselect={false}
                          onChange={(v) => v && update((c) => setColumnTreatment(c, selected.name, col.name, v as (typeof columnTreatments)[number]))}
                        />
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Popover position="left" withArrow shadow="md" trapFocus>
                        <Popover.Target>
                          <ActionIcon variant="subtle" color="gray" aria-label={`Options of ${col.name}`}>
                            <IconAdjustments size={16} />
                          </ActionIcon>
                        </Popover.Target>
                        <Popover.Dropdown>
                          <ColumnOptions table={selected.name} column={col.name} cfg={cc} />
                        </Popover.Dropdown>
                      </Popover>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </ScrollTable>
          </Paper>
        ) : null}
      </Grid.Col>
    </Grid>
  );
}
