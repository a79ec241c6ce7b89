import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSource } from '../../src/data/sources/connector';
import { loadData } from '../../src/worker/jobs/load-data';
import { outputTableMetas } from '../../src/data/destinations/output-tables';
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
      // The key the user chose stays NOT NULL; every other column of a file may hold nulls.
      config.tables.orders!.primaryKey = ['order_id'];
      const out = outputTableMetas(config, meta)[0]!;
      expect(out.primaryKey).toEqual(['order_id']);
      expect(Object.fromEntries(out.columns.map((c) => [c.name, c.nullable]))).toEqual({ order_id: false, k_symbol: true, amount: true });
      config.tables.orders!.primaryKey = [];
      expect(outputTableMetas(config, meta)[0]!.columns.every((c) => c.nullable)).toBe(true);
    } finally {
      await src.close();
    }
  });

  it('a column sampled as yes/no that holds another word further down is written as text', async () => {
    const file = path.join(dir, 'meds.csv');
    const lines = ['id,insulin,metformin'];
    // 12,000 rows: the 10,000-row type sample sees only "No"/"Yes" in insulin; "Steady" comes later.
    for (let i = 1; i <= 12_000; i++) lines.push(`${i},${i > 11_000 && i % 3 === 0 ? 'Steady' : i % 2 ? 'No' : 'Yes'},${i % 2 ? 'No' : 'Steady'}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const src = await openSource({ kind: 'files', path: file });
    const meta = await src.introspect();
    await src.close();
    const insulin = meta.tables[0]!.columns.find((c) => c.name === 'insulin')!;
    expect(insulin.storageType).toBe('boolean');
    // A column that is only "No" among other words was never a yes/no column.
    expect(meta.tables[0]!.columns.find((c) => c.name === 'metformin')!.storageType).toBe('string');
    const config = defaultConfig(meta, { kind: 'files', path: file });
    const loaded = await loadData(config, {});
    const out = outputTableMetas(config, loaded.metadata)[0]!;
    expect(out.columns.find((c) => c.name === 'insulin')!.storageType).toBe('string');
    expect(loaded.tables.meds!.rows.some((r) => r[1] === 'Steady')).toBe(true);
  });
});
