import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Group, Loader, Menu, Paper, Tabs, Text } from '@mantine/core';
import { exportFormats, type ExecutionRecord, type ExportFormat } from '../../../../shared';
import { call, downloadExport, errorText } from '../../../lib/api';
import { formatCount } from '../../../lib/format';
import { IconAsterisk, IconDownload } from '../../../lib/icons';
import { orderResultTables, treatmentsOf, type ResultTable } from '../table-order';
import { DataPreview } from '../../../components/data-preview';
import { ReportView } from './report-view';

const formatLabels: Record<ExportFormat, string> = {
  csv: 'CSV (zip of files)',
  tsv: 'TSV (zip of files)',
  xlsx: 'Excel workbook (.xlsx)',
  ods: 'OpenDocument (.ods)',
  parquet: 'Parquet (zip of files)',
};

/** The synthetic tables page by page, downloads, and the report. */
export function ResultsPanel({ execution }: { execution: ExecutionRecord }) {
  const [tables, setTables] = useState<ResultTable[] | null>(null);
  const [tab, setTab] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; fix?: string } | null>(null);
  const [downloading, setDownloading] = useState<ExportFormat | null>(null);
  // CSV/TSV text cells starting with = + - @ are written as text unless the user opts out.
  const [allowFormulas, setAllowFormulas] = useState(false);

  useEffect(() => {
    // Synthesized tables first: the treatments this execution ran with are in its audit record
    // (the saved synthesis may have been edited since); the synthesis is the fallback.
    const treatments = async (): Promise<Record<string, string>> => {
      const audit = await call('audit.list', { executionId: execution.id }).catch(() => []);
      const payload = audit.at(-1)?.payload;
      const fromAudit = treatmentsOf(payload !== null && typeof payload === 'object' && 'config' in payload ? payload.config : null);
      if (Object.keys(fromAudit).length > 0) return fromAudit;
      const syntheses = await call('syntheses.list', {}).catch(() => []);
      return treatmentsOf(syntheses.find((s) => s.id === execution.synthesisId)?.config ?? null);
    };
    Promise.all([call('executions.tables', { id: execution.id }), treatments()])
      .then(([t, tr]) => {
        const ordered = orderResultTables(t, tr);
        setTables(ordered);
        setTab(ordered[0]?.name ?? null);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [execution.id, execution.synthesisId]);

  const download = async (format: ExportFormat) => {
    setDownloading(format);
    try {
      await downloadExport(execution.id, format, { allowFormulas });
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
            <Menu.Divider />
            <Menu.Item
              role="menuitemcheckbox"
              aria-checked={!allowFormulas}
              closeMenuOnClick={false}
              onClick={() => setAllowFormulas((v) => !v)}
              leftSection={<Checkbox size="xs" checked={!allowFormulas} readOnly tabIndex={-1} aria-hidden />}
            >
              CSV/TSV: keep formulas from running in spreadsheets
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
      {error ? (
        <Alert color="red" mb="sm" withCloseButton onClose={() => setError(null)}>
          {error.message}
          {error.fix ? (
            <Text size="sm" fw={500}>
              {error.fix}
            </Text>
          ) : null}
        </Alert>
      ) : null}
      {!tables ? <Loader size="sm" /> : null}
      {tables && tables.length > 0 ? (
        <Tabs value={tab} onChange={setTab} keepMounted={false}>
          <Tabs.List>
            {tables.map((t) => (
              <Tabs.Tab
                key={t.name}
                value={t.name}
                data-original={t.original || undefined}
                leftSection={t.original ? <IconAsterisk size={12} title="Original data" color="var(--mantine-color-yellow-7)" /> : undefined}
              >
                {t.name}{' '}
                <Text span size="xs" c="dimmed">
                  ({formatCount(t.rows)})
                </Text>
              </Tabs.Tab>
            ))}
            <Tabs.Tab value="__report" ml="auto">
              Report
            </Tabs.Tab>
          </Tabs.List>
          {tables.map((t) => (
            <Tabs.Panel key={t.name} value={t.name} pt="sm">
              <DataPreview
                resetKey={`${execution.id}/${t.name}`}
                label={`Synthetic ${t.name}`}
                load={(offset, limit) => call('executions.preview', { id: execution.id, table: t.name, offset, limit })}
              />
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
