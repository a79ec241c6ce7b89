import { useEffect, useState } from 'react';
import { Alert, Loader, Text } from '@mantine/core';
import { call, errorText } from '../../../lib/api';
import { ReportFrame } from './report-frame';

/** The quality and privacy report of one execution, filling the page, with download and print buttons. */
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
  return <ReportFrame html={html} executionIds={[executionId]} title="Quality and privacy report" />;
}
