import { useEffect, useState } from 'react';
import { Alert, Anchor, Badge, Button, Group, Loader, Paper, ScrollArea, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import type { AuditRecordWire, ExecutionStatus } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { formatDate, formatQuality } from '../../../lib/format';
import { IconDownload, IconShieldCheck } from '../../../lib/icons';
import { saveTextFile } from '../../../lib/save-blob';
import { useNav } from '../../../app/nav-store';
import { StatusBadge } from '../../executions/components/status-badge';
import { auditExport, auditExportFileName, auditRow, exactMatchText, levelLabels, privacyText, type AuditRow } from '../audit-view';
import { useAudit } from '../store';
import { AuditDrawer } from './audit-drawer';
import { VerificationAlert } from './verification-alert';
import { HeadRow } from '../../../components/head-row';

const statuses: readonly string[] = ['queued', 'running', 'succeeded', 'failed', 'canceled'] satisfies ExecutionStatus[];
const isStatus = (s: string | null): s is ExecutionStatus => s !== null && statuses.includes(s);

/** The audit trail: one record per finished execution, newest first; verify the chain, export it, read a record in full. */
export function AuditPage() {
  const { status, error, records, executionNames, verification, verifying, load, verify } = useAudit();
  const go = useNav((s) => s.go);
  const [open, setOpen] = useState<AuditRecordWire | null>(null);
  const [actionError, setActionError] = useState<{ message: string; fix?: string } | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const exportJson = async () => {
    setActionError(null);
    try {
      // Fresh from the store, so the file holds every record, with the chain check of that moment.
      const [all, check] = await Promise.all([call('audit.list', {}), call('audit.verify', {})]);
      const now = new Date();
      saveTextFile(auditExportFileName(now), auditExport(all, now, check));
    } catch (e) {
      setActionError(errorText(e));
    }
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>Audit trail</Title>
          <Text size="sm" c="dimmed" maw={640}>
            One record per finished execution: source fingerprint, full configuration, versions, backend, privacy settings and figures. Records are append-only
            and hash-chained, so any later edit breaks the chain.
          </Text>
        </div>
        <Group gap="xs">
          <Button
            variant="default"
            leftSection={<IconShieldCheck size={16} />}
            aria-busy={verifying}
            onClick={() => void verify().catch((e: unknown) => setActionError(errorText(e)))}
          >
            Verify chain
          </Button>
          <Button leftSection={<IconDownload size={16} />} onClick={() => void exportJson()} disabled={records.length === 0}>
            Export JSON
          </Button>
        </Group>
      </Group>
      <Text size="xs" c="dimmed" maw={900} data-testid="audit-privacy-legend">
        <b>Privacy</b> is the report’s verdict for the run, with the figures behind it. The <b>DCR share</b> is the share of synthetic rows closer to a training
        row than to a real row held out from training (50 % is ideal: the data is no closer to the people it learned from than to strangers).{' '}
        <b>Exact matches</b> count synthetic rows identical, on every compared column, to a row the model was trained on; a match with a common row (one many
        people share) singles no one out, a match with a row unique in the real data can be a person’s record.
      </Text>
      {verification ? <VerificationAlert verification={verification} /> : null}
      {actionError || error ? (
        <Alert color="red" withCloseButton onClose={() => setActionError(null)}>
          {actionError?.message ?? error}
          {actionError?.fix ? (
            <Text size="sm" fw={500}>
              {actionError.fix}
            </Text>
          ) : null}
        </Alert>
      ) : null}
      {status === 'loading' && records.length === 0 ? <Loader size="sm" /> : null}
      {status === 'ready' && records.length === 0 ? (
        <Paper withBorder p="xl">
          <Text c="dimmed">No audit record yet: one is written when an execution finishes.</Text>
        </Paper>
      ) : null}
      {records.length > 0 ? (
        <Paper withBorder>
          <ScrollArea type="auto">
            <Table highlightOnHover fz="sm" verticalSpacing={6} aria-label="Audit records">
              <Table.Thead>
                <HeadRow cells={['#', 'Time', 'OS user', 'Execution', 'Status', 'Quality', 'Privacy', 'Hash', '']} />
              </Table.Thead>
              <Table.Tbody>
                {records.map((r) => {
                  const row = auditRow(r);
                  const name = executionNames[r.executionId];
                  const broken = verification !== null && !verification.ok && verification.brokenAt === r.seq;
                  return (
                    <Table.Tr
                      key={r.seq}
                      data-audit-seq={r.seq}
                      data-execution-id={r.executionId}
                      data-broken={broken || undefined}
                      bg={broken ? 'var(--mantine-color-red-light)' : undefined}
                    >
                      <Table.Td fw={600}>{r.seq}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(r.at)}</Table.Td>
                      <Table.Td>{r.user}</Table.Td>
                      <Table.Td>
                        {name !== undefined ? (
                          <Anchor component="button" size="sm" onClick={() => go({ name: 'execution', id: r.executionId })}>
                            {name}
                          </Anchor>
                        ) : (
                          <Tooltip label={`Execution ${r.executionId} was deleted; its audit record stays.`}>
                            <Text size="sm" c="dimmed" span>
                              deleted
                            </Text>
                          </Tooltip>
                        )}
                      </Table.Td>
                      <Table.Td>{isStatus(row.status) ? <StatusBadge status={row.status} /> : (row.status ?? '—')}</Table.Td>
                      <Table.Td>{formatQuality(row.quality)}</Table.Td>
                      <Table.Td maw={420}>{row.status === 'succeeded' ? <PrivacyCell row={row} /> : '—'}</Table.Td>
                      <Table.Td>
                        <Tooltip label={row.hash}>
                          <Text size="xs" ff="monospace" span>
                            {row.shortHash}
                          </Text>
                        </Tooltip>
                      </Table.Td>
                      <Table.Td>
                        <Button size="compact-xs" variant="subtle" onClick={() => setOpen(r)} aria-label={`Show audit record ${r.seq}`}>
                          Details
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        </Paper>
      ) : null}
      <AuditDrawer record={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}

/** The report's verdict as a badge, its figures, and what the exact matches count. */
function PrivacyCell({ row }: { row: AuditRow }) {
  const exact = exactMatchText(row);
  return (
    <Stack gap={2} data-testid="audit-privacy">
      {row.level ? (
        <Tooltip label={row.headline ?? levelLabels[row.level].word} multiline w={360}>
          <Badge size="sm" variant="light" color={levelLabels[row.level].color} tt="none" data-level={row.level}>
            {levelLabels[row.level].word}
          </Badge>
        </Tooltip>
      ) : (
        <Text size="xs" c="dimmed" data-level="none">
          Verdict not recorded (older record): see the run’s report.
        </Text>
      )}
      <Text size="xs">{privacyText(row)}</Text>
      {exact ? (
        <Text size="xs" c="dimmed" data-testid="audit-exact-matches">
          {exact}
        </Text>
      ) : null}
    </Stack>
  );
}
