/**
 * The rows of the original-data tables the lookups learned on (the lookup matchers' degrees and
 * parent features, the pools of the repaired composite lookups are per row of them), named without
 * their values: each row by a keyed hash of its key (HMAC-SHA256 under a key derived from the
 * execution's artifact key, cut to 8 bytes), in the order the engine held them. Generating again,
 * the same rows are picked out of the first run's output in that order, as it is read batch by
 * batch (a large table is never read whole).
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { SynthesisConfig } from '../../../shared/config';
import { AppError } from '../../../shared/errors';
import type { Row, RowBatch } from '../../../shared/values';
import { derivedKey } from '../generation-artifacts';
import type { HeldPicker } from '../original-data';
import { keyOf } from './links';

const DIGEST_BYTES = 8;

export const heldRowsSchema = z.object({
  /** The columns hashed: the table's primary key (every column without one). */
  columns: z.array(z.string()),
  /** Base64 of the concatenated digests, one per held row, in order. */
  digests: z.string(),
});
export type HeldRows = z.infer<typeof heldRowsSchema>;

function digester(artifactKey: string, columns: string[], batchColumns: string[], table: string): (row: Row) => string {
  const key = derivedKey(artifactKey, 'original rows');
  const positions = columns.map((c) => batchColumns.indexOf(c));
  const missing = columns.find((_, i) => positions[i]! < 0);
  if (missing !== undefined)
    throw new AppError('NOT_FOUND', `Column "${missing}" of the original-data table "${table}" is not in the first run's output.`, {
      fix: 'Run the synthesis again (it reads the source), then generate from that execution.',
    });
  // Keys as links match them (a number read back as text is the same key).
  const text = (row: Row): string => positions.map((p) => (keyOf(row[p]) ?? '\u0000') + '\u0001').join('');
  return (row) => createHmac('sha256', key).update(text(row)).digest().subarray(0, DIGEST_BYTES).toString('base64');
}

/** The held rows of an original-data table, named by keyed hashes of their keys. */
export function heldRows(config: SynthesisConfig, table: string, batch: RowBatch, artifactKey: string): HeldRows {
  const pk = config.tables[table]?.primaryKey ?? [];
  const columns = pk.length > 0 && pk.every((c) => batch.columns.includes(c)) ? [...pk] : [...batch.columns];
  const digest = digester(artifactKey, columns, batch.columns, table);
  return { columns, digests: Buffer.concat(batch.rows.map((r) => Buffer.from(digest(r), 'base64'))).toString('base64') };
}

/** Picks the stored held rows (`stored`, by table) out of each table as it is read, in their stored order; tables not stored are held whole. */
export function heldRowsPicker(stored: Record<string, HeldRows>, artifactKey: string): HeldPicker {
  return async (table, read, signal) => {
    const s = stored[table];
    if (!s) return null;
    const bytes = Buffer.from(s.digests, 'base64');
    const count = bytes.length / DIGEST_BYTES;
    const wanted = new Map<string, number[]>();
    for (let i = 0; i < count; i++) {
      const d = bytes.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES).toString('base64');
      const at = wanted.get(d);
      if (at) at.push(i);
      else wanted.set(d, [i]);
    }
    const rows = new Array<Row | undefined>(count);
    let columns: string[] = [];
    let digest: ((row: Row) => string) | null = null;
    for await (const batch of read(table, signal)) {
      if (!digest) {
        columns = batch.columns;
        digest = digester(artifactKey, s.columns, columns, table);
      }
      for (const r of batch.rows) {
        const at = wanted.get(digest(r));
        if (!at) continue;
        for (const i of at) rows[i] ??= r;
      }
    }
    const found = rows.filter((r): r is Row => r !== undefined);
    if (found.length < count)
      throw new AppError(
        'NOT_FOUND',
        `${count - found.length} row(s) of the original-data table "${table}" that the stored model learned on are not in the first run's output.`,
        { fix: 'Run the synthesis again (it reads the source), then generate from that execution.' },
      );
    return { columns, rows: found };
  };
}
