import type { SensitiveHit } from '../../shared/api';
import type { DatasetMetadata } from '../../shared/metadata';
import type { RowBatch } from '../../shared/values';
import type { SourceConnector } from '../sources/connector';
import { detectSensitive } from './detect';

/** Rows per table read to look for sensitive values. */
const SENSITIVE_SAMPLE_ROWS = 500;

/** A source's metadata and the sensitive columns found in a sample of each table. */
export async function introspectWithSensitive(connector: SourceConnector): Promise<{ metadata: DatasetMetadata; sensitive: SensitiveHit[] }> {
  const metadata = await connector.introspect();
  const samples: Record<string, RowBatch> = {};
  for (const t of metadata.tables) {
    const page = await connector.preview(t.name, 0, SENSITIVE_SAMPLE_ROWS);
    samples[t.name] = { columns: page.columns, rows: page.rows };
  }
  return { metadata, sensitive: detectSensitive(metadata, samples) };
}
