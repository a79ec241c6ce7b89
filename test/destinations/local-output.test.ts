import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocalOutput } from '../../src/data/destinations/local-output';
import { openSource } from '../../src/data/sources/connector';
import type { Relationship, TableMeta } from '../../src/shared/metadata';
import type { Row } from '../../src/shared/values';

const dir = mkdtempSync(join(tmpdir(), 'doppel-local-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const customers: TableMeta = {
  name: 'customers',
  primaryKey: ['id'],
  rowCount: 0,
  columns: [
    { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
    { name: 'name', storageType: 'string', sdtype: 'text', nullable: true, maxLength: 40 },
    { name: 'born', storageType: 'date', sdtype: 'datetime', nullable: true },
    { name: 'vip', storageType: 'boolean', sdtype: 'boolean', nullable: true },
  ],
};
const orders: TableMeta = {
  name: 'order items',
  primaryKey: ['order_id'],
  rowCount: 0,
  columns: [
    { name: 'order_id', storageType: 'bigint', sdtype: 'id', nullable: false },
    { name: 'customer_id', storageType: 'integer', sdtype: 'id', nullable: true },
    { name: 'amount', storageType: 'float', sdtype: 'numerical', nullable: true },
    { name: 'placed_at', storageType: 'datetime', sdtype: 'datetime', nullable: true },
  ],
};
const rels: Relationship[] = [
  { parentTable: 'customers', parentColumns: ['id'], childTable: 'order items', childColumns: ['customer_id'], origin: 'declared' },
];

const customerRows: Row[] = [
  [1, 'Ada', new Date(Date.UTC(1990, 4, 17)), true],
  [2, 'O\'Brien "x"', null, false],
  [3, null, new Date(Date.UTC(2001, 0, 1)), null],
];
const orderRows: Row[] = [
  ['9007199254740993', 1, 12.5, new Date(Date.UTC(2024, 1, 29, 13, 45, 7, 123))],
  [2, 3, null, null],
  [3, null, -0.25, new Date(Date.UTC(1999, 11, 31, 23, 59, 59))],
];

describe('local output writer', () => {
  it('writes tables with keys that the sqlite connector reads back with the same values and types', async () => {
    const path = join(dir, 'out1.sqlite');
    const out = await openLocalOutput(path, [customers, orders], rels);
    await out.append('customers', { columns: customers.columns.map((c) => c.name), rows: customerRows.slice(0, 2) });
    await out.append('customers', { columns: customers.columns.map((c) => c.name), rows: customerRows.slice(2) });
    // columns in another order than the table's
    await out.append('order items', { columns: ['placed_at', 'amount', 'customer_id', 'order_id'], rows: orderRows.map((r) => [r[3]!, r[2]!, r[1]!, r[0]!]) });
    expect(existsSync(path)).toBe(false);
    await out.commit();
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);

    const db = new Database(path, { readonly: true });
    const fks = db.prepare(`select "table", "from", "to" from pragma_foreign_key_list('order items')`).all();
    expect(fks).toEqual([{ table: 'customers', from: 'customer_id', to: 'id' }]);
    const pk = db.prepare(`select name from pragma_table_info('customers') where pk > 0`).all();
    expect(pk).toEqual([{ name: 'id' }]);
    db.close();

    const src = await openSource({ kind: 'sqlite', path });
    try {
      const meta = await src.introspect();
      expect(meta.tables.map((t) => t.name).sort()).toEqual(['customers', 'order items']);
      const oMeta = meta.tables.find((t) => t.name === 'order items')!;
      expect(oMeta.primaryKey).toEqual(['order_id']);
      expect(oMeta.columns.map((c) => c.storageType)).toEqual(['bigint', 'integer', 'float', 'datetime']);
      expect(meta.relationships.map((r) => [r.childTable, r.childColumns, r.parentTable, r.parentColumns])).toEqual([
        ['order items', ['customer_id'], 'customers', ['id']],
      ]);
      const read = async (t: string): Promise<Row[]> => {
        const rows: Row[] = [];
        for await (const b of src.readTable(t)) rows.push(...b.rows);
        return rows;
      };
      expect(await read('customers')).toEqual(customerRows);
      expect(await read('order items')).toEqual(orderRows);
    } finally {
      await src.close();
    }
  });

  it('abort leaves no file, and a failed append can be aborted cleanly', async () => {
    const path = join(dir, 'out2.sqlite');
    const out = await openLocalOutput(path, [customers], []);
    await out.append('customers', { columns: ['id', 'name'], rows: [[1, 'a']] });
    await expect(out.append('customers', { columns: ['id', 'name'], rows: [[1, 'duplicate key']] })).rejects.toMatchObject({
      code: 'DESTINATION_WRITE_FAILED',
    });
    await expect(out.append('nope', { columns: ['id'], rows: [[1]] })).rejects.toMatchObject({ code: 'TABLE_NOT_FOUND' });
    await out.abort();
    expect(readdirSync(dir).filter((f) => f.startsWith('out2'))).toEqual([]);
  });
});

describe('local output foreign keys', () => {
  it('accepts rows in any order (a cycle between tables) and refuses to commit a dangling reference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doppel-lo-fk-'));
    const col = (name: string) => ({ name, storageType: 'integer' as const, sdtype: 'id' as const, nullable: true });
    const tables: TableMeta[] = [
      { name: 'store', rowCount: 0, primaryKey: ['store_id'], columns: [col('store_id'), col('manager_id')] },
      { name: 'staff', rowCount: 0, primaryKey: ['staff_id'], columns: [col('staff_id'), col('store_id')] },
    ];
    const rels: Relationship[] = [
      { parentTable: 'staff', parentColumns: ['staff_id'], childTable: 'store', childColumns: ['manager_id'], origin: 'declared' as const },
      { parentTable: 'store', parentColumns: ['store_id'], childTable: 'staff', childColumns: ['store_id'], origin: 'declared' as const },
    ];
    const good = await openLocalOutput(join(dir, 'good.sqlite'), tables, rels);
    await good.append('store', { columns: ['store_id', 'manager_id'], rows: [[1, 10]] });
    await good.append('staff', { columns: ['staff_id', 'store_id'], rows: [[10, 1]] });
    await good.commit();
    expect(existsSync(join(dir, 'good.sqlite'))).toBe(true);
    const bad = await openLocalOutput(join(dir, 'bad.sqlite'), tables, rels);
    await bad.append('staff', { columns: ['staff_id', 'store_id'], rows: [[10, 99]] });
    await expect(bad.commit()).rejects.toMatchObject({ code: 'DESTINATION_WRITE_FAILED' });
    expect(existsSync(join(dir, 'bad.sqlite'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('children per parent counted in the local output', () => {
  it('counts every row written under the names the file stores (twins but for case), parents without children as 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doppel-lo-counts-'));
    const text = (name: string) => ({ name, storageType: 'string' as const, sdtype: 'id' as const, nullable: true });
    const tables: TableMeta[] = [
      { name: 'Shop.List', rowCount: 0, primaryKey: ['code'], columns: [text('code')] },
      { name: 'shop.list', rowCount: 0, primaryKey: ['code'], columns: [text('code')] },
      { name: 'sale.lines', rowCount: 0, primaryKey: ['id'], columns: [text('id'), text('shop.Code'), text('shop.code')] },
    ];
    const link = { parentTable: 'shop.list', parentColumns: ['code'], childTable: 'sale.lines', childColumns: ['shop.code'], origin: 'declared' as const };
    const out = await openLocalOutput(join(dir, 'counts.sqlite'), tables, [link]);
    const shops = ['a.1', 'b.2', 'c.3', 'd.4'];
    await out.append('shop.list', { columns: ['code'], rows: shops.map((s) => [s]) });
    await out.append('Shop.List', { columns: ['code'], rows: [['a.1'], ['z.9']] });
    // a.1: 3 sales over two batches, b.2: 1, c.3 and d.4: none; a sale without a shop is no shop's.
    await out.append('sale.lines', {
      columns: ['id', 'shop.code', 'shop.Code'],
      rows: [
        ['s1', 'a.1', 'z.9'],
        ['s2', 'a.1', 'z.9'],
        ['s3', 'b.2', 'z.9'],
      ],
    });
    await out.append('sale.lines', {
      columns: ['id', 'shop.code', 'shop.Code'],
      rows: [
        ['s4', 'a.1', null],
        ['s5', null, 'a.1'],
      ],
    });
    expect(out.childCounts(link)).toEqual([
      [0, 2],
      [1, 1],
      [3, 1],
    ]);
    await out.abort();
    expect(() => out.childCounts(link)).toThrow(/closed/);
    rmSync(dir, { recursive: true, force: true });
  });
});
