import type { ReactNode } from 'react';
import { Table } from '@mantine/core';

/** A table's header row: one heading per column (an empty heading for a column of actions). */
export function HeadRow({ cells }: { cells: (string | { label: ReactNode; w?: number; ariaLabel?: string })[] }) {
  return (
    <Table.Tr>
      {cells.map((c, i) =>
        typeof c === 'string' ? (
          <Table.Th key={i}>{c}</Table.Th>
        ) : (
          <Table.Th key={i} w={c.w} aria-label={c.ariaLabel}>
            {c.label}
          </Table.Th>
        ),
      )}
    </Table.Tr>
  );
}
