import { useEffect, useState } from 'react';
import { Alert, Group, Loader, Pagination, ScrollArea, Table, Text } from '@mantine/core';
import type { Page } from '../../shared';
import { errorText } from '../lib/api';
import { formatCell, formatCount } from '../lib/format';

interface Props {
  /** Changes when another table is shown (resets to page 1). */
  resetKey: string;
  load(offset: number, limit: number): Promise<Page>;
  pageSize?: number;
  label: string;
}

/** A paged, scrollable preview of table rows. */
export function DataPreview({ resetKey, load, pageSize = 25, label }: Props) {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<Page | null>(null);
  const [error, setError] = useState<{ message: string; fix?: string } | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => setPage(1), [resetKey]);
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    load((page - 1) * pageSize, pageSize)
      .then((p) => live && setData(p))
      .catch((e: unknown) => live && setError(errorText(e)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [resetKey, page, pageSize]);

  if (error) {
    return (
      <Alert color="red" title="The preview could not be loaded">
        {error.message}
        {error.fix ? (
          <Text size="sm" mt={4}>
            {error.fix}
          </Text>
        ) : null}
      </Alert>
    );
  }
  if (!data) return <Loader size="sm" />;
  const pages = Math.max(1, Math.ceil(data.total / pageSize));
  return (
    <div>
      <ScrollArea type="auto" offsetScrollbars mah={420}>
        <Table striped highlightOnHover withTableBorder stickyHeader className="data-preview" aria-label={label} fz="xs">
          <Table.Thead>
            <Table.Tr>
              {data.columns.map((c) => (
                <Table.Th key={c}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.rows.map((row, i) => (
              <Table.Tr key={data.offset + i}>
                {row.map((cell, j) => (
                  <Table.Td key={j} title={formatCell(cell)}>
                    {cell === null ? (
                      <Text span c="dimmed" fz="xs">
                        null
                      </Text>
                    ) : (
                      formatCell(cell)
                    )}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      <Group justify="space-between" mt="xs">
        <Text size="xs" c="dimmed">
          {data.total === 0 ? 'No rows' : `Rows ${formatCount(data.offset + 1)}–${formatCount(data.offset + data.rows.length)} of ${formatCount(data.total)}`}
          {loading ? ' · loading…' : ''}
        </Text>
        <Pagination size="sm" total={pages} value={page} onChange={setPage} aria-label={`${label} pages`} />
      </Group>
    </div>
  );
}
