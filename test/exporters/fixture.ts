import { openLocalOutput } from '../../src/data/destinations/local-output';
import type { Relationship, TableMeta } from '../../src/shared/metadata';
import type { Row } from '../../src/shared/values';

export const customers: TableMeta = {
  name: 'customers',
  primaryKey: ['id'],
  rowCount: 0,
  columns: [
    { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
    { name: 'name', storageType: 'string', sdtype: 'text', nullable: true },
    { name: 'born', storageType: 'date', sdtype: 'datetime', nullable: true },
    { name: 'vip', storageType: 'boolean', sdtype: 'boolean', nullable: true },
    { name: 'score', storageType: 'float', sdtype: 'numerical', nullable: true },
  ],
};
export const orders: TableMeta = {
  name: 'orders',
  primaryKey: ['order_id'],
  rowCount: 0,
  columns: [
    { name: 'order_id', storageType: 'bigint', sdtype: 'id', nullable: false },
    { name: 'customer_id', storageType: 'integer', sdtype: 'id', nullable: true },
    { name: 'amount', storageType: 'float', sdtype: 'numerical', nullable: true },
    { name: 'placed_at', storageType: 'datetime', sdtype: 'datetime', nullable: true },
  ],
};
export const relationships: Relationship[] = [
  { parentTable: 'customers', parentColumns: ['id'], childTable: 'orders', childColumns: ['customer_id'], origin: 'declared' },
];

const day = (y: number, m: number, d: number): Date => new Date(Date.UTC(y, m - 1, d));

/** 60 customers and 150 orders with nulls, quotes, commas, dates and timestamps. */
export function fixtureRows(): { customers: Row[]; orders: Row[] } {
  const c: Row[] = [];
  for (let i = 1; i <= 60; i++) {
    c.push([
      i,
      i % 7 === 0 ? null : i % 5 === 0 ? `Smith, "J" ${i}` : `name ${i}`,
      i % 6 === 0 ? null : day(1950 + i, (i % 12) + 1, (i % 28) + 1),
      i % 4 === 0 ? null : i % 3 === 0,
      i % 9 === 0 ? null : i * 1.25 - 10,
    ]);
  }
  const o: Row[] = [];
  for (let i = 1; i <= 150; i++) {
    o.push([
      1000 + i,
      i % 11 === 0 ? null : (i % 60) + 1,
      i % 8 === 0 ? null : Math.round(i * 3.7) / 4,
      i % 10 === 0 ? null : new Date(Date.UTC(2020, i % 12, (i % 27) + 1, i % 24, (i * 7) % 60, (i * 13) % 60)),
    ]);
  }
  return { customers: c, orders: o };
}

/** Writes the fixture as an execution output SQLite file. */
export async function writeFixture(path: string): Promise<{ customers: Row[]; orders: Row[] }> {
  const rows = fixtureRows();
  const out = await openLocalOutput(path, [customers, orders], relationships);
  await out.append('customers', { columns: customers.columns.map((c) => c.name), rows: rows.customers });
  await out.append('orders', { columns: orders.columns.map((c) => c.name), rows: rows.orders });
  await out.commit();
  return rows;
}
