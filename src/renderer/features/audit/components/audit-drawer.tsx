import { Drawer } from '@mantine/core';
import type { AuditRecordWire } from '../../../../shared';
import { AuditPayload } from './audit-payload';

/** One audit record in full, in a drawer from the right. */
export function AuditDrawer({ record, onClose }: { record: AuditRecordWire | null; onClose: () => void }) {
  return (
    <Drawer opened={record !== null} onClose={onClose} position="right" size="xl" title={record ? `Audit record #${record.seq}` : ''}>
      {record ? <AuditPayload record={record} maxHeight={520} /> : null}
    </Drawer>
  );
}
