import type { ReactNode } from 'react';
import { Badge, Group, Paper, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { formatCount } from '../../../lib/format';

/** What a step shows of one table in its list. */
export interface TableListEntry {
  /** Grayed out (excluded). */
  dimmed: boolean;
  /** Before the name, outside the select button (a checkbox, the original-data asterisk). */
  leading?: ReactNode;
  /** Under the name (the treatment control, the table's problems). */
  children?: ReactNode;
}

interface TableListProps<T extends { name: string; rowCount: number }> {
  tables: T[];
  /** The table whose columns are shown on the right. */
  selected: string | undefined;
  onSelect(name: string): void;
  entry(table: T): TableListEntry;
  maxHeight: number;
  /** Shown when there is no table to list. */
  empty?: ReactNode;
}

/** The left-hand list of tables of a wizard step (choose data, treatment), scrolling on its own: click a name to show its columns. */
export function TableList<T extends { name: string; rowCount: number }>({ tables, selected, onSelect, entry, maxHeight, empty }: TableListProps<T>) {
  return (
    <Paper withBorder p="xs">
      <ScrollArea.Autosize mah={maxHeight} type="auto">
        <Stack gap={4}>
          {tables.map((t) => (
            <TableListItem key={t.name} name={t.name} rows={t.rowCount} active={selected === t.name} onSelect={() => onSelect(t.name)} {...entry(t)} />
          ))}
          {tables.length === 0 ? empty : null}
        </Stack>
      </ScrollArea.Autosize>
    </Paper>
  );
}

interface TableListItemProps extends TableListEntry {
  name: string;
  rows: number;
  active: boolean;
  onSelect(): void;
}

/** One table of a TableList. */
function TableListItem({ name, rows, active, dimmed, leading, onSelect, children }: TableListItemProps) {
  return (
    <div data-table-item={name} style={{ borderRadius: 6, padding: '4px 6px', background: active ? 'var(--mantine-primary-color-light)' : undefined }}>
      <Group gap="xs" wrap="nowrap">
        {leading}
        <UnstyledButton onClick={onSelect} style={{ flex: 1, minWidth: 0 }} aria-label={`Show columns of ${name}`}>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" fw={active ? 600 : 500} truncate c={dimmed ? 'dimmed' : undefined}>
              {name}
            </Text>
            <Badge size="sm" variant="light" color="gray" style={{ flexShrink: 0 }}>
              {formatCount(rows)} rows
            </Badge>
          </Group>
        </UnstyledButton>
      </Group>
      {children ? <div style={{ marginTop: 4 }}>{children}</div> : null}
    </div>
  );
}
