import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/data/sources/connector';
import type { RowBatch } from '../../src/shared';

const dir = mkdtempSync(join(tmpdir(), 'doppel-dups-batches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'items.csv');
writeFileSync(file, ['id,label', ...Array.from({ length: 1234 }, (_, i) => `${i + 1},item${i % 9}`)].join('\n'));
const sqlite = join(dir, 'items.sqlite');

async function drain(batches: AsyncIterable<RowBatch>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const b of batches) sizes.push(b.rows.length);
  return sizes;
}

describe('reading a table in batches (files and databases share one batching)', () => {
  it('cuts batches at the batch size, stops at the limit, and stops with EXECUTION_CANCELED when the read is canceled', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(sqlite);
    db.exec('create table items (id integer primary key, label text)');
    const insert = db.prepare('insert into items values (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 1234; i++) insert.run(i + 1, `item${i % 9}`);
    })();
    db.close();
    for (const spec of [
      { kind: 'files' as const, path: file },
      { kind: 'sqlite' as const, path: sqlite },
    ]) {
      const src = await openSource(spec);
      try {
        const table = 'items';
        expect(await drain(src.readTable(table, { batchSize: 500 })), spec.kind).toEqual([500, 500, 234]);
        expect(await drain(src.readTable(table, { batchSize: 500, limit: 700 })), spec.kind).toEqual([500, 200]);
        expect(await drain(src.readTable(table, { limit: 0 })), spec.kind).toEqual([]);
        const cancel = new AbortController();
        const read = async (): Promise<void> => {
          for await (const _ of src.readTable(table, { batchSize: 100, signal: cancel.signal })) cancel.abort();
        };
        await expect(read(), spec.kind).rejects.toMatchObject({ code: 'EXECUTION_CANCELED', message: 'Reading items was canceled.' });
      } finally {
        await src.close();
      }
    }
  });
});
