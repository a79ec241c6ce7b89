/**
 * The copy filter of relational tables, on the columns that reach the output: regenerated keys
 * and the internal child-count columns are left out, so a candidate row equal to a rare training
 * row on everything a reader of the output sees is recognised as a copy (the table sampler's
 * own filter also compares the child counts, which never reach the output).
 */
import type { RowBatch } from '../../../shared/values';
import { CopyFilter } from '../privacy-filter';
import type { PreparedTable } from '../table-model';

/** Weight left to a candidate that copies a rare training row (it is kept only if all candidates are copies). */
export const COPY_WEIGHT = 1e-6;

/**
 * Built once from the training rows; `columns`: the columns of the rows it checks; `key`: the
 * execution's artifact key (hex), so that the filter can be written with the generation
 * artifacts and checked again without the source (absent: a random in-memory key).
 */
export function outputCopyFilter(prepared: PreparedTable, training: RowBatch, columns: string[], internalPrefix: string, key?: string): CopyFilter {
  const copyFilter = prepared.effective.copyFilter;
  if (!copyFilter.enabled) return CopyFilter.none();
  const names = prepared.plans.filter((p) => p.role === 'model' && !p.name.startsWith(internalPrefix)).map((p) => p.name);
  const inTraining = names.map((n) => training.columns.indexOf(n));
  const positions = names.map((n) => columns.indexOf(n));
  if (names.length === 0 || inTraining.some((i) => i < 0) || positions.some((i) => i < 0)) return CopyFilter.none();
  const values = inTraining.map((i) => training.rows.map((r) => r[i] ?? null));
  return CopyFilter.fromColumns(values, positions, copyFilter.threshold, key);
}

/** Scales down the weights of candidates that copy a rare training row; returns which rows do (1). */
export function downweightCopies(weights: Float32Array | Float64Array | number[], rows: RowBatch['rows'], filter: CopyFilter): Uint8Array {
  const copies = new Uint8Array(rows.length);
  if (filter.size === 0) return copies;
  rows.forEach((r, i) => {
    if (filter.isCopy(r)) {
      weights[i] = (weights[i] ?? 0) * COPY_WEIGHT;
      copies[i] = 1;
    }
  });
  return copies;
}
