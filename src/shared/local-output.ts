import { AppError } from './errors';
import type { ExecutionRecord } from './job';

/**
 * The local output file of a finished execution (what the app previews and downloads and
 * `doppel export` reads), or a clear error: an execution generated on the site's workers wrote
 * its synthetic data into its database destination only.
 */
export function localOutputOf(record: ExecutionRecord): string {
  if (record.status === 'succeeded' && record.outputPath) return record.outputPath;
  if (record.status === 'succeeded')
    throw new AppError(
      'NOT_FOUND',
      `Execution "${record.name}" has no local copy of its synthetic data: it was generated on the site's workers straight into its database destination.`,
      { fix: 'Read the synthetic tables in the destination, or generate again without a site queue to keep a local copy too.' },
    );
  throw new AppError('NOT_FOUND', `Execution "${record.name}" has no synthetic data (${record.status}).`, {
    fix: record.status === 'running' || record.status === 'queued' ? 'Wait for it to finish.' : 'Run the synthesis again.',
  });
}
