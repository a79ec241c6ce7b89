import { memo, useState } from 'react';
import { ActionIcon, Badge, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { relationshipKey, type ApiOutput, type Relationship } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { formatCount } from '../../../lib/format';
import { IconLayout, IconTrash } from '../../../lib/icons';
import { SchemaGraph } from '../../schema-graph/components/schema-graph';
import { useWizard } from '../store';
import { removeForeignKeys } from '../config-edit';
import { ScrollTable } from '../../../components/scroll-table';

const fkText = (fk: Relationship) => `${fk.childTable}.${fk.childColumns.join(', ')} → ${fk.parentTable}.${fk.parentColumns.join(', ')}`;

type Check = ApiOutput<'sources.checkForeignKey'>;

/** What the check of a drawn key found, in words, and whether it is a concern. */
export function checkText(fk: Relationship, check: Check): { text: string; ok: boolean } {
  const child = `${fk.childTable}.${fk.childColumns[0]}`;
  const parent = `${fk.parentTable}.${fk.parentColumns[0]}`;
  if (!check.typesCompatible) return { ok: false, text: `${child} is ${check.childType} but ${parent} is ${check.parentType}: the types do not match.` };
  if (check.sampled === 0) return { ok: true, text: `${child} is empty in the source: nothing to check.` };
  if (check.orphans === 0) return { ok: true, text: `All ${formatCount(check.sampled)} values of ${child} checked have a parent in ${fk.parentTable}.` };
  return {
    ok: false,
    text: `${formatCount(check.orphans)} of ${formatCount(check.sampled)} values of ${child} checked have no parent in ${fk.parentTable} (e.g. ${check.examples.join(', ')}).`,
  };
}

/** One foreign key of the list; memoised so selecting an edge re-renders only its row. */
const FkRow = memo(function FkRow({ fk, selected }: { fk: Relationship; selected: boolean }) {
  const update = useWizard((s) => s.update);
  const key = relationshipKey(fk);
  return (
    <Table.Tr bg={selected ? 'var(--mantine-color-orange-light)' : undefined}>
      <Table.Td>{fkText(fk)}</Table.Td>
      <Table.Td w={90}>
        <Badge size="xs" variant="light" color={fk.origin === 'user' ? 'indigo' : 'gray'}>
          {fk.origin}
        </Badge>
      </Table.Td>
      <Table.Td w={40}>
        {/* A native title, not a Tooltip: one floating tooltip per row is costly on large schemas. */}
        <ActionIcon
          size="sm"
          variant="subtle"
          color="red"
          title="Delete this foreign key"
          aria-label={`Delete foreign key ${fkText(fk)}`}
          onClick={() => update((c) => removeForeignKeys(c, [key]))}
        >
          <IconTrash size={14} />
        </ActionIcon>
      </Table.Td>
    </Table.Tr>
  );
});

interface Added {
  fk: Relationship;
  check: Check | null;
  error: string | null;
}
/** Step 3: the schema graph; draw an edge from a column to a primary key, select + Delete to remove. */
export function ForeignKeysStep() {
  const config = useWizard((s) => s.config);
  const update = useWizard((s) => s.update);
  const relayout = useWizard((s) => s.relayout);
  const keyChecked = useWizard((s) => s.keyChecked);
  const [selected, setSelected] = useState<string[]>([]);
  const sourceId = useWizard((s) => s.sourceId);
  const [added, setAdded] = useState<Added | null>(null);
  if (!config) return null;
  // The notice is about a key that exists: it goes when the key is deleted.
  const notice = added && config.foreignKeys.some((f) => relationshipKey(f) === relationshipKey(added.fk)) ? added : null;
  const onAdded = (fk: Relationship) => {
    setAdded({ fk, check: null, error: null });
    if (!sourceId) return;
    call('sources.checkForeignKey', { id: sourceId, fk })
      .then((check) => {
        setAdded((a) => (a && relationshipKey(a.fk) === relationshipKey(fk) ? { ...a, check } : a));
        // A type mismatch is already an error of its own; the values are checked only between matching types.
        if (check.typesCompatible) keyChecked(relationshipKey(fk), check);
      })
      .catch((e: unknown) => setAdded((a) => (a && relationshipKey(a.fk) === relationshipKey(fk) ? { ...a, error: errorText(e).message } : a)));
  };
  const verdict = notice?.check ? checkText(notice.fk, notice.check) : null;
  const visible = config.foreignKeys.filter(
    (fk) => config.tables[fk.childTable]?.treatment !== 'exclude' && config.tables[fk.parentTable]?.treatment !== 'exclude',
  );
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
        <div role="status" data-testid="fk-added">
          <Text size="sm" c="green.7">
            Foreign key added: {fkText(notice.fk)}
          </Text>
          <Text size="sm" c={verdict ? (verdict.ok ? 'dimmed' : 'red.7') : 'dimmed'} data-testid="fk-check" data-ok={verdict ? String(verdict.ok) : undefined}>
            {verdict ? verdict.text : notice.error ? `The values could not be checked: ${notice.error}` : 'Checking the values…'}
          </Text>
        </div>
      ) : null}
      <Paper withBorder style={{ overflow: 'hidden' }}>
        <SchemaGraph selectedEdges={selected} onSelectEdges={setSelected} onAdded={onAdded} height={440} />
      </Paper>
      <Paper withBorder>
        <ScrollTable maxHeight={170} fz="sm" verticalSpacing={4} aria-label="Foreign keys">
          {visible.length === 0 ? (
            <Table.Tr>
              <Table.Td>
                <Text size="sm" c="dimmed">
                  No foreign keys between the included tables.
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {visible.map((fk) => {
            const key = relationshipKey(fk);
            return <FkRow key={key} fk={fk} selected={selectedKeys.has(key)} />;
          })}
        </ScrollTable>
      </Paper>
    </Stack>
  );
}
