import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, Paper, Stack, Table, Text, Tooltip } from '@mantine/core';
import { relationshipKey, type Relationship } from '../../../../shared';
import { IconLayout, IconTrash } from '../../../lib/icons';
import { SchemaGraph } from '../../schema-graph/components/schema-graph';
import { useWizard } from '../store';
import { removeForeignKeys } from '../config-edit';
import { ScrollTable } from '../../../components/scroll-table';

const fkText = (fk: Relationship) => `${fk.childTable}.${fk.childColumns.join(', ')} → ${fk.parentTable}.${fk.parentColumns.join(', ')}`;

/** Step 3: the schema graph; draw an edge from a column to a primary key, select + Delete to remove. */
export function ForeignKeysStep() {
  const config = useWizard((s) => s.config);
  const update = useWizard((s) => s.update);
  const relayout = useWizard((s) => s.relayout);
  const [selected, setSelected] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  if (!config) return null;
  const visible = config.foreignKeys.filter((fk) => config.tables[fk.childTable]?.treatment !== 'exclude' && config.tables[fk.parentTable]?.treatment !== 'exclude');
  const selectedKeys = new Set(selected.map((id) => id.replace(/#\d+$/, '')));

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="nowrap">
        <Text size="xs" c="dimmed">
          Drag from a column’s right dot to a primary key to add a foreign key; select an edge and press Delete to remove it.
        </Text>
        <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
          {selected.length > 0 ? (
            <Button
              size="xs"
              color="red"
              variant="light"
              leftSection={<IconTrash size={14} />}
              onClick={() => {
                update((c) => removeForeignKeys(c, [...selectedKeys]));
                setSelected([]);
              }}
            >
              Delete selected
            </Button>
          ) : null}
          <Button size="xs" variant="default" leftSection={<IconLayout size={14} />} onClick={relayout}>
            Auto-layout
          </Button>
        </Group>
      </Group>
      {notice ? (
        <Text size="sm" c="green.7" role="status">
          {notice}
        </Text>
      ) : null}
      <Paper withBorder style={{ overflow: 'hidden' }}>
        <SchemaGraph selectedEdges={selected} onSelectEdges={setSelected} onAdded={(fk) => setNotice(`Foreign key added: ${fkText(fk)}`)} height={440} />
      </Paper>
      <Paper withBorder>
        <ScrollTable maxHeight={170} fz="sm" verticalSpacing={4} aria-label="Foreign keys">
          {visible.length === 0 ? (
            <Table.Tr>
              <Table.Td>
                <Text size="sm" c="dimmed">No foreign keys between the included tables.</Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {visible.map((fk) => {
            const key = relationshipKey(fk);
            return (
              <Table.Tr key={key} bg={selectedKeys.has(key) ? 'var(--mantine-color-orange-light)' : undefined}>
                <Table.Td>{fkText(fk)}</Table.Td>
                <Table.Td w={90}>
                  <Badge size="xs" variant="light" color={fk.origin === 'user' ? 'indigo' : 'gray'}>
                    {fk.origin}
                  </Badge>
                </Table.Td>
                <Table.Td w={40}>
                  <Tooltip label="Delete this foreign key">
                    <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Delete foreign key ${fkText(fk)}`} onClick={() => update((c) => removeForeignKeys(c, [key]))}>
                      <IconTrash size={14} />
                    </ActionIcon>
                  </Tooltip>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </ScrollTable>
      </Paper>
    </Stack>
  );
}
