import type { ReactNode } from 'react';
import { ScrollArea, Table, type TableProps } from '@mantine/core';

interface ScrollTableProps extends Omit<TableProps, 'children'> {
  /** Taller content scrolls inside. */
  maxHeight: number;
  /** The header row(s), if any. */
  head?: ReactNode;
  /** The body rows. */
  children: ReactNode;
}

/** A table that scrolls on its own past maxHeight (the wizard's key and column tables). */
export function ScrollTable({ maxHeight, head, children, ...table }: ScrollTableProps) {
  return (
    <ScrollArea.Autosize mah={maxHeight} type="auto">
      <Table {...table}>
        {head ? <Table.Thead>{head}</Table.Thead> : null}
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}
