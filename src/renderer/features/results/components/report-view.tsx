import { useEffect, useState } from 'react';
import { Alert, Loader, Text } from '@mantine/core';
import { call, errorText } from '../../../lib/api';

/** The quality and privacy report (self-contained HTML) in a sandboxed frame. */
export function ReportView({ executionId }: { executionId: string }) {
  const [html, setHtml] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; fix?: string } | null>(null);
  useEffect(() => {
    call('executions.report', { id: executionId })
      .then((r) => setHtml(r.html))
      .catch((e: unknown) => setError(errorText(e)));
  }, [executionId]);
  if (error) {
    return (
      <Alert color="gray" title="No report">
        {error.message}
        {error.fix ? <Text size="sm">{error.fix}</Text> : null}
      </Alert>
    );
  }
  if (html === null) return <Loader size="sm" />;
  return (
    <iframe
      title="Quality and privacy report"
      srcDoc={html}
      sandbox=""
      style={{ width: '100%', height: 640, border: '1px solid var(--mantine-color-default-border)', borderRadius: 8, background: 'white' }}
    />
  );
}
