import { Alert, Text } from '@mantine/core';
import type { ExecutionRecord } from '../../../../shared';

/** What the execution page tells beyond status and error, e.g. that the GPU asked for was not used. */
export function ExecutionNotice({ record }: { record: Pick<ExecutionRecord, 'notice'> }) {
  if (!record.notice) return null;
  return (
    <Alert color="yellow" title="Not run on the device asked for" data-testid="execution-notice">
      <Text size="sm">{record.notice}</Text>
    </Alert>
  );
}
