import { Badge } from '@mantine/core';
import type { ExecutionStatus } from '../../../../shared';

const colors: Record<ExecutionStatus, string> = { queued: 'gray', running: 'blue', succeeded: 'green', failed: 'red', canceled: 'orange' };

export function StatusBadge({ status }: { status: ExecutionStatus }) {
  return (
    <Badge color={colors[status]} variant="light" data-status={status} style={{ minWidth: 'max-content' }}>
      {status}
    </Badge>
  );
}
