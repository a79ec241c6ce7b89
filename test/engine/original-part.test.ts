import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../../src/shared/values';
import type { PartBatch } from '../../src/worker/engine/stages/dataset';
import { originalPart } from '../../src/worker/engine/stages/original-part';

/** Every batch of a part and the keys it returns. */
async function drain(part: AsyncGenerator<PartBatch, Record<string, number>>): Promise<{ batches: PartBatch[]; keys: Record<string, number> }> {
  const batches: PartBatch[] = [];
  for (;;) {
    const next = await part.next();
    if (next.done) return { batches, keys: next.value };
    batches.push(next.value);
  }
}

const held: RowBatch = { columns: ['code.id', 'label'], rows: Array.from({ length: 250 }, (_, i) => [`k-${i}`, i % 3 === 0 ? null : `Label ${i}`]) };

describe('an original-data table as a part of the output', () => {
  it('yields the rows held in memory, in order, in batches of the size asked, tagged with the table', async () => {
    const { batches, keys } = await drain(originalPart('ref.status', held, {}, { batchSize: 97 }));
    expect(batches.map((b) => b.table)).toEqual(['ref.status', 'ref.status', 'ref.status']);
    expect(batches.map((b) => b.batch.rows.length)).toEqual([97, 97, 56]);
    expect(batches.every((b) => b.batch.columns === held.columns)).toBe(true);
    expect(batches.flatMap((b) => b.batch.rows)).toEqual(held.rows);
    expect(keys).toEqual({});
  });

  it('reads a table copied from the source batch by batch (not the rows held) and logs the copy', async () => {
    const logs: string[] = [];
    const read = async function* (table: string): AsyncGenerator<RowBatch> {
      yield { columns: ['code.id'], rows: [[`${table}#1`], [`${table}#2`]] };
      yield { columns: ['code.id'], rows: [[`${table}#3`]] };
    };
    const source = { copies: { copied: ['ref.status'], read, from: 'the folder' }, log: (_: string, m: string) => void logs.push(m) };
    const { batches } = await drain(originalPart('ref.status', held, source, {}));
    expect(batches.flatMap((b) => b.batch.rows)).toEqual([['ref.status#1'], ['ref.status#2'], ['ref.status#3']]);
    expect(logs).toEqual(['Copied 3 rows of the original-data table "ref.status" from the folder in 2 batch(es) of at most 2 rows.']);
  });

  it('stops when the run is canceled, and names a table that was neither held nor copied', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(drain(originalPart('ref.status', held, {}, { signal: controller.signal }))).rejects.toMatchObject({ code: 'EXECUTION_CANCELED' });
    await expect(drain(originalPart('ref.missing', undefined, {}, {}))).rejects.toMatchObject({ code: 'TABLE_NOT_FOUND' });
  });
});
