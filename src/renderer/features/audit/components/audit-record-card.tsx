import { useEffect, useState } from 'react';
import { Anchor, Button, Group, Paper, Text } from '@mantine/core';
import type { AuditRecordWire } from '../../../../shared';
import { call, errorText } from '../../../lib/api';
import { formatDate } from '../../../lib/format';
import { IconShieldCheck } from '../../../lib/icons';
import { useNav } from '../../../app/nav-store';
import { shortHash } from '../audit-view';
import { AuditDrawer } from './audit-drawer';

/** The audit record of one finished execution, on its page; the full record opens in a drawer. */
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
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <IconShieldCheck size={18} style={{ color: 'var(--mantine-color-indigo-6)', marginTop: 2 }} />
        <div style={{ minWidth: 0, flex: 1 }}>
          <Text fw={600}>{record ? `Audit record #${record.seq}` : 'Audit record'}</Text>
          <Text size="xs" c="dimmed">
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
          <Group gap="sm" mt={8}>
            {record ? (
              <Button size="compact-xs" variant="default" onClick={() => setOpen(true)}>
                Show record
              </Button>
            ) : null}
            <Anchor component="button" size="xs" onClick={() => go({ name: 'audit' })}>
              Audit trail →
            </Anchor>
          </Group>
        </div>
      </Group>
      <AuditDrawer record={open && record ? record : null} onClose={() => setOpen(false)} />
    </Paper>
  );
}
