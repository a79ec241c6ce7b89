/**
 * Original-data tables are copied to the output as they are. The engine holds in memory only
 * the rows it works on: of a table synthesized rows reference, the rows the lookup matcher
 * chooses among (every row of a small table; of a large one, the rows the training rows
 * reference and a sample of the others), and every row of a table referencing itself (written
 * with referenced rows first). A table not held whole goes from the source to the sink batch by
 * batch while the output is written, so memory does not grow with its rows.
 */
import type { SynthesisConfig } from '../../shared/config';
import { activeForeignKeys } from '../../shared/config';
import { AppError } from '../../shared/errors';
import type { RowBatch } from '../../shared/values';
import { checkAborted } from './model/trainer';

/** Reads an original-data table from the source in batches (its included columns). */
export type OriginalReader = (table: string, signal?: AbortSignal) => AsyncIterable<RowBatch>;

/**
 * The rows of an original-data table the engine works on, picked from the whole table as `read`
 * gives it (in the order the engine learned them), or null to hold every row.
 */
export type HeldPicker = (table: string, read: OriginalReader, signal?: AbortSignal) => Promise<RowBatch | null>;

/** Original-data tables copied from the source while the output is written (`copied`), and their reader. */
export interface SourceCopies {
  copied: string[];
  read: OriginalReader;
  /** Where `read` reads, as the log names it (default "the source"). */
  from?: string;
}

/** Rows of a referenced original-data table held whole; a larger one is held as the rows the training rows reference and a sample of the others. */
export const HELD_WHOLE_ROWS = 50_000;

/** Rows sampled from a large referenced original-data table besides those the training rows reference. */
export const HELD_SAMPLE_ROWS = 10_000;

/** Rows per batch handed to the sink when a table held in memory is copied. */
const COPY_BATCH = 10_000;

/** Original-data tables the engine needs rows of in memory: referenced by a synthesized table, or by themselves. */
export function heldOriginals(config: SynthesisConfig): Set<string> {
  const treatment = (t: string): string | undefined => config.tables[t]?.treatment;
  const held = new Set<string>();
  for (const fk of activeForeignKeys(config)) {
    if (treatment(fk.parentTable) !== 'original') continue;
    if (treatment(fk.childTable) === 'synthesize' || fk.childTable === fk.parentTable) held.add(fk.parentTable);
  }
  return held;
}

/**
 * Of the original-data tables synthesized rows reference, those held as a part: every FK into it
 * from a synthesized table is one column (its referenced rows are read by key) and it does not
 * reference itself.
 */
export function heldInPart(config: SynthesisConfig, table: string): boolean {
  const fks = activeForeignKeys(config).filter((fk) => fk.parentTable === table);
  return (
    fks.every((fk) => fk.childTable !== table) &&
    fks.filter((fk) => config.tables[fk.childTable]?.treatment === 'synthesize').every((fk) => fk.childColumns.length === 1)
  );
}

/** Where an original-data table is copied from, and the log that names a streamed copy. */
export interface CopySource {
  held?: RowBatch | undefined;
  copies?: SourceCopies | undefined;
  signal?: AbortSignal | undefined;
  log?: ((level: 'info' | 'warn' | 'error', message: string) => void) | undefined;
  /** Rows per batch of a table held in memory (default 10,000). */
  batchSize?: number;
}

/**
 * An original-data table in batches: from the source through `copies.read`, one batch at a time
 * (logged with its batch count and largest batch), when it is one of `copies.copied`; else from
 * memory (`held`, every row).
 */
export async function* originalBatches(table: string, opts: CopySource): AsyncGenerator<RowBatch> {
  const { held, signal } = opts;
  const read = opts.copies?.copied.includes(table) ? opts.copies.read : undefined;
  if (held && !read) {
    const size = opts.batchSize ?? COPY_BATCH;
    for (let i = 0; i < held.rows.length; i += size) {
      checkAborted(signal);
      yield { columns: held.columns, rows: held.rows.slice(i, i + size) };
    }
    return;
  }
  if (!read) throw new AppError('TABLE_NOT_FOUND', `Table "${table}" was not loaded.`, { fix: 'Check that the table still exists in the source.' });
  let rows = 0;
  let batches = 0;
  let largest = 0;
  for await (const batch of read(table, signal)) {
    checkAborted(signal);
    yield batch;
    rows += batch.rows.length;
    batches++;
    largest = Math.max(largest, batch.rows.length);
  }
  opts.log?.(
    'info',
    `Copied ${rows.toLocaleString('en-US')} rows of the original-data table "${table}" from ${opts.copies?.from ?? 'the source'} in ${batches.toLocaleString('en-US')} batch(es) of at most ${largest.toLocaleString('en-US')} rows.`,
  );
}

/** Copies an original-data table into the sink (see `originalBatches`). Returns the rows copied. */
export async function copyOriginal(table: string, opts: CopySource & { sink: (table: string, batch: RowBatch) => Promise<void> }): Promise<number> {
  let rows = 0;
  for await (const batch of originalBatches(table, opts)) {
    await opts.sink(table, batch);
    rows += batch.rows.length;
  }
  return rows;
}
