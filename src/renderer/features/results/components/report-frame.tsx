import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Group, Text } from '@mantine/core';
import type { ReportFileFormat } from '../../../../shared';
import { downloadReport, errorText } from '../../../lib/api';
import { IconDownload, IconPrinter } from '../../../lib/icons';

/**
 * A report page (a report or a comparison, self-contained HTML with a strict CSP) in a frame that fills the window
 * below the app's header, with buttons to save it as HTML or PDF and to print it. The frame runs no script
 * (sandboxed without allow-scripts); it shares the app's origin only so that Print can reach it.
 */
export function ReportFrame({
  html,
  executionIds,
  title,
  scrollOnOpen = true,
}: {
  html: string;
  executionIds: string[];
  title: string;
  scrollOnOpen?: boolean;
}) {
  const frame = useRef<HTMLIFrameElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const [saving, setSaving] = useState<ReportFileFormat | null>(null);
  const [error, setError] = useState<{ message: string; fix?: string } | null>(null);

  // The report fills the window: bring its toolbar to the top of the page when it opens.
  useEffect(() => {
    if (scrollOnOpen) top.current?.scrollIntoView({ block: 'start' });
  }, [scrollOnOpen]);

  const save = async (format: ReportFileFormat) => {
    setError(null);
    setSaving(format);
    try {
      await downloadReport(executionIds, format);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setTimeout(() => setSaving(null), format === 'pdf' ? 2000 : 600);
    }
  };

  return (
    <div ref={top} style={{ scrollMarginTop: 72 }} data-testid="report-frame">
      <Group justify="flex-end" gap="xs" mb="xs">
        <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} loading={saving === 'html'} onClick={() => void save('html')}>
          Download HTML
        </Button>
        <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} loading={saving === 'pdf'} onClick={() => void save('pdf')}>
          Download PDF
        </Button>
        <Button size="xs" variant="default" leftSection={<IconPrinter size={14} />} onClick={() => frame.current?.contentWindow?.print()}>
          Print
        </Button>
      </Group>
      {error ? (
        <Alert color="red" mb="xs" withCloseButton onClose={() => setError(null)}>
          {error.message}
          {error.fix ? <Text size="sm">{error.fix}</Text> : null}
        </Alert>
      ) : null}
      <iframe
        ref={frame}
        title={title}
        srcDoc={html}
        sandbox="allow-same-origin allow-modals"
        style={{
          display: 'block',
          width: '100%',
          height: 'calc(100vh - 140px)',
          minHeight: 480,
          border: '1px solid var(--mantine-color-default-border)',
          borderRadius: 8,
          background: 'white',
        }}
      />
    </div>
  );
}
