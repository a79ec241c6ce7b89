import type { SynthesisConfig } from '../../../shared/config';

/** Rows to generate for a table from the output-size setting. */
export function outputRows(config: SynthesisConfig, sourceRows: number): number {
  const size = config.settings.outputSize;
  if (size.mode === 'rows') return size.rows;
  if (size.mode === 'scale') return Math.max(1, Math.round(sourceRows * size.factor));
  return sourceRows;
}
