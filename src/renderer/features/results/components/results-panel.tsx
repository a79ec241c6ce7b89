import { useEffect, useState } from 'react';
import { Alert, Button, Group, Loader, Menu, Paper, Tabs, Text } from '@mantine/core';
import { exportFormats, type ExecutionRecord, type ExportFormat } from '../../../../shared';
import { call, downloadExport, errorText } from '../../../lib/api';
import { formatCount } from '../../../lib/format';
import { IconDownload } from '../../../lib/icons';
import { DataPreview } from '../../../components/data-preview';
import { ReportView } from './report-view';

const formatLabels: Record<ExportFormat, string> = { csv: 'CSV (zip of files)', tsv: 'TSV (zip of files)', xlsx: 'Excel workbook (.xlsx)', ods: 'OpenDocument (.ods)', parquet: 'Parquet (zip of files)' };

/** The synthetic tables page by page, downloads, and the report. */
export function ResultsPanel({ execution }: { execution: ExecutionRecord }) {
  const [tables, setTables] = useState<{ name: string; rows: number }[] | null>(null);
  const [tab, setTab] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; fix?: string } | null>(null);
  const [downloading, setDownloading] = useState<ExportFormat | null>(null);

  useEffect(() => {
    call('executions.tables', { id: execution.id })
      .then((t) => {
        setTables(t);
        setTab(t[0]?.name ?? null);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [execution.id]);

  const download = async (format: ExportFormat) => {
    setDownloading(format);
    try {
      await downloadExport(execution.id, format);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setTimeout(() => setDownloading(null), 800);
    }
  };

  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="sm">
        <Text fw={600}>Synthetic data</Text>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button leftSection={<IconDownload size={16} />} loading={downloading !== null}>
              Download
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {exportFormats.map((f) => (
              <Menu.Item key={f} onClick={() => void download(f)} data-format={f}>
                {formatLabels[f]}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      </Group>
      {error ? (
        <Alert color="red" mb="sm" withCloseButton onClose={() => setError(null)}>
          {error.message}
          {error.fix ? <Text size="sm" fw={500}>{error.fix}</Text> : null}
        </Alert>
      ) : null}
      {!tables ? <Loader size="sm" /> : null}
      {tables && tables.length > 0 ? (
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            {tables.map((t) => (
              <Tabs.Tab key={t.name} value={t.name}>
                {t.name} <Text span size="xs" c="dimmed">({formatCount(t.rows)})</Text>
              </Tabs.Tab>
            ))}
            <Tabs.Tab value="__report" ml="auto">
              Report
            </Tabs.Tab>
          </Tabs.List>
          {tables.map((t) => (
            <Tabs.Panel key={t.name} value={t.name} pt="sm">
              <DataPreview resetKey={`${execution.id}/${t.name}`} label={`Synthetic ${t.name}`} load={(offset, limit) => call('executions.preview', { id: execution.id, table: t.name, offset, limit })} />
            </Tabs.Panel>
          ))}
          <Tabs.Panel value="__report" pt="sm">
            <ReportView executionId={execution.id} />
          </Tabs.Panel>
        </Tabs>
      ) : null}
    </Paper>
  );
}
