import { useEffect, useState } from 'react';
import { Anchor, Button, Collapse, Group, Paper, Text } from '@mantine/core';
import type { AuditRecordWire } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { formatDate } from '../../../lib/format';
import { IconShieldCheck } from '../../../lib/icons';
import { useNav } from '../../../app/nav-store';
import { shortHash } from '../audit-view';
import { AuditPayload } from './audit-payload';

/** The audit record of one finished execution, on its page; the payload unfolds in place. */
export function AuditRecordCard({ executionId, finished }: { executionId: string; finished: boolean }) {
  const go = useNav((s) => s.go);
  const [records, setRecords] = useState<AuditRecordWire[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!finished) return;
    call('audit.list', { executionId })
      .then(setRecords)
      .catch((e: unknown) => setError(errorText(e).message));
  }, [executionId, finished]);

  if (!finished) return null;
  const record = records?.at(-1);
  return (
    <Paper withBorder p="md" data-testid="execution-audit">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <IconShieldCheck size={18} style={{ color: 'var(--mantine-color-indigo-6)' }} />
          <div style={{ minWidth: 0 }}>
            <Text fw={600}>{record ? `Audit record #${record.seq}` : 'Audit record'}</Text>
            <Text size="xs" c="dimmed" truncate>
              {record ? (
                <>
                  Recorded {formatDate(record.at)} by {record.user} · hash{' '}
                  <Text span ff="monospace" size="xs">
                    {shortHash(record.hash)}
                  </Text>
                </>
              ) : error ? (
                `Could not read the audit trail: ${error}`
              ) : records ? (
                'No audit record for this execution.'
              ) : (
                'Reading the audit trail…'
              )}
            </Text>
          </div>
        </Group>
        <Group gap="xs" wrap="nowrap">
          {record ? (
            <Button size="xs" variant="default" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
              {open ? 'Hide payload' : 'Show payload'}
            </Button>
          ) : null}
          <Anchor component="button" size="sm" onClick={() => go({ name: 'audit' })}>
            Audit trail →
          </Anchor>
        </Group>
      </Group>
      {record ? (
        <Collapse expanded={open}>
          <div style={{ paddingTop: 12 }}>{open ? <AuditPayload record={record} maxHeight={360} /> : null}</div>
        </Collapse>
      ) : null}
    </Paper>
  );
}
