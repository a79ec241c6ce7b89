import type { ReactNode } from 'react';
import { Badge, Group, Paper, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { formatCount } from '../../../lib/format';

/** The left-hand list of tables of a wizard step (choose data, treatment), scrolling on its own. */
export function TableList({ maxHeight, children }: { maxHeight: number; children: ReactNode }) {
  return (
    <Paper withBorder p="xs">
      <ScrollArea.Autosize mah={maxHeight} type="auto">
        <Stack gap={4}>{children}</Stack>
      </ScrollArea.Autosize>
    </Paper>
  );
}

interface TableListItemProps {
  name: string;
  rows: number;
  /** The table whose columns are shown on the right. */
  active: boolean;
  /** Grayed out (excluded). */
  dimmed: boolean;
  /** Before the name, outside the select button (a checkbox, the original-data asterisk). */
  leading?: ReactNode;
  onSelect(): void;
  /** Under the name (the treatment control, the table's problems). */
  children?: ReactNode;
}

/** One table of a TableList: click its name to show its columns. */
export function TableListItem({ name, rows, active, dimmed, leading, onSelect, children }: TableListItemProps) {
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
