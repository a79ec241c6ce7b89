import { openSource, type PreviewResult } from '../sources/connector';
import type { SourceSpec } from '../../shared/source';

/**
 * A page of a synthetic table, from an execution's output SQLite file (a path) or from a
 * destination database (its spec), through the source connectors.
 */
export async function previewTable(
  target: string | SourceSpec,
  table: string,
  offset: number,
  limit: number,
  opts: { password?: string } = {},
): Promise<PreviewResult> {
  const spec: SourceSpec = typeof target === 'string' ? { kind: 'sqlite', path: target } : target;
  const src = await openSource(spec, opts);
  try {
    return await src.preview(table, offset, limit);
  } finally {
    await src.close();
  }
}
