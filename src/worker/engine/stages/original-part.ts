/** An original-data table as a part of the output, the same for single-table and relational datasets. */
import type { RowBatch } from '../../../shared/values';
import { originalBatches, type CopySource } from '../original-data';
import type { EnginePartOptions, PartBatch, PartKeys } from './dataset';

/**
 * The batches of an original-data table copied as it is (`originalBatches`): `held` is the rows
 * the engine holds of it, `source` where a table copied from the source is read and logged.
 */
export async function* originalPart(
  table: string,
  held: RowBatch | undefined,
  source: Pick<CopySource, 'copies' | 'log'>,
  opts: EnginePartOptions,
): AsyncGenerator<PartBatch, PartKeys> {
  const from = originalBatches(table, { held, copies: source.copies, signal: opts.signal, log: source.log, batchSize: opts.batchSize });
  for await (const batch of from) yield { table, batch };
  return {};
}
