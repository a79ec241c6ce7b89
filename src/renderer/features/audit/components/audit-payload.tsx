import { Button, Code, CopyButton, Group, ScrollArea, SimpleGrid, Stack, Text } from '@mantine/core';
import type { AuditRecordWire } from '../../../../shared';
import { formatDate } from '../../../lib/format';
import { payloadFacts, payloadJson } from '../audit-view';

function Fact({ label, value, mono }: { label: string; value: string; mono?: boolean }) {
  return (
    <div style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" ff={mono ? 'monospace' : undefined} style={{ wordBreak: 'break-all' }}>
        {value}
      </Text>
    </div>
  );
}

/** One audit record in full: who, when, its place in the chain, and the payload as indented JSON. */
export function AuditPayload({ record, maxHeight = 520 }: { record: AuditRecordWire; maxHeight?: number }) {
  const json = payloadJson(record.payload);
  return (
    <Stack gap="sm" data-testid="audit-payload">
      <SimpleGrid cols={2} spacing="xs">
        <Fact label="Recorded" value={`${formatDate(record.at)} by ${record.user}`} />
        <Fact label="Execution id" value={record.executionId} mono />
        <Fact label="Time (UTC)" value={record.at} mono />
        <Fact label="Hash" value={record.hash} mono />
        <Fact label="Previous hash" value={record.prevHash} mono />
        {payloadFacts(record.payload).map(([label, value]) => (
          <Fact key={label} label={label} value={value} />
        ))}
      </SimpleGrid>
      <Group justify="space-between">
        <Text fw={600} size="sm">
          Payload (as recorded and hashed)
        </Text>
        <CopyButton value={json}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="subtle" onClick={copy}>
              {copied ? 'Copied' : 'Copy JSON'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <ScrollArea.Autosize mah={maxHeight} type="auto">
        <Code block fz="xs" aria-label={`Payload of audit record ${record.seq}`}>
          {json}
        </Code>
      </ScrollArea.Autosize>
    </Stack>
  );
}
