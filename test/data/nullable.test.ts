import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/data/sources/connector';
import { outputTableMetas } from '../../src/worker/jobs/load-data';
import { defaultConfig } from '../../src/shared';

const dir = mkdtempSync(path.join(tmpdir(), 'doppel-nullable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nullability of file columns', () => {
  it('a column whose blanks read as null is nullable, and output tables only keep NOT NULL on keys', async () => {
    const file = path.join(dir, 'orders.csv');
    writeFileSync(file, 'order_id,k_symbol,amount\n1,SIPO,10\n2, ,20\n3,UVER,30\n');
    const src = await openSource({ kind: 'files', path: file });
    try {
      const meta = await src.introspect();
      const cols = Object.fromEntries(meta.tables[0]!.columns.map((c) => [c.name, c.nullable]));
      expect(cols.k_symbol).toBe(true);
      const rows = [];
      for await (const b of src.readTable('orders')) rows.push(...b.rows);
      expect(rows.map((r) => r[1])).toEqual(['SIPO', null, 'UVER']);
      const config = defaultConfig(meta, { kind: 'files', path: file });
      const out = outputTableMetas(config, meta)[0]!;
      expect(out.columns.find((c) => c.name === 'amount')?.nullable).toBe(true);
      expect(out.columns.find((c) => c.name === 'order_id')?.nullable).toBe(meta.tables[0]!.primaryKey.includes('order_id') ? false : true);
    } finally {
      await src.close();
    }
  });
});
