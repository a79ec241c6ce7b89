import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/shared/defaults';
import type { DatasetMetadata } from '../../src/shared/metadata';
import type { Row } from '../../src/shared/values';
import { inheritedColumns } from '../../src/worker/engine/relational/parent-values';

// customer → invoice: the billing city is the customer's city (denormalized), the billing note is not.
const metadata: DatasetMetadata = {
  tables: [
    {
      name: 'customer',
      primaryKey: ['id'],
      rowCount: 40,
      columns: [
        { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
        { name: 'city', storageType: 'string', sdtype: 'categorical', nullable: true },
        { name: 'segment', storageType: 'string', sdtype: 'categorical', nullable: true },
      ],
    },
    {
      name: 'invoice',
      primaryKey: ['id'],
      rowCount: 120,
      columns: [
        { name: 'id', storageType: 'integer', sdtype: 'id', nullable: false },
        { name: 'customer_id', storageType: 'integer', sdtype: 'id', nullable: false },
        { name: 'billing_city', storageType: 'string', sdtype: 'categorical', nullable: true },
        { name: 'channel', storageType: 'string', sdtype: 'categorical', nullable: true },
        { name: 'country', storageType: 'string', sdtype: 'categorical', nullable: true },
      ],
    },
  ],
  relationships: [{ parentTable: 'customer', parentColumns: ['id'], childTable: 'invoice', childColumns: ['customer_id'], origin: 'declared' }],
};
const config = defaultConfig(metadata, { kind: 'sqlite', path: '/tmp/x.sqlite' });
const cities = ['Paris', 'Oslo', 'Lima', 'Pune', 'Kyiv'];
const customers: Row[] = Array.from({ length: 40 }, (_, i) => [i + 1, cities[i % 5]!, i % 2 ? 'retail' : 'business']);
const invoices: Row[] = [];
const link: number[] = [];
customers.forEach((c, p) => {
  for (let k = 0; k < 3; k++) {
    // One invoice in 40 billed elsewhere: still a copy of the customer's city (≥ 95%).
    const city = invoices.length === 7 ? 'Rome' : (c[1] as string);
    invoices.push([invoices.length + 1, c[0]!, city, k === 0 ? 'web' : 'shop', 'FR']);
    link.push(p);
  }
});

describe('inherited columns (a child column that repeats its parent row)', () => {
  it('finds the billing city as a copy of the customer city, and nothing else', () => {
    const found = inheritedColumns(
      config,
      'invoice',
      'customer',
      { columns: ['id', 'customer_id', 'billing_city', 'channel', 'country'], rows: invoices },
      { columns: ['id', 'city', 'segment'], rows: customers },
      Int32Array.from(link),
    );
    expect(found).toEqual([{ column: 'billing_city', parentTable: 'customer', parentColumn: 'city' }]);
  });

  it('ignores a match below 95% of the rows, and excluded or kept columns', () => {
    const loose = invoices.map((r, i) => (i % 10 === 0 ? [...r.slice(0, 2), 'Rome', ...r.slice(3)] : r));
    expect(
      inheritedColumns(
        config,
        'invoice',
        'customer',
        { columns: ['id', 'customer_id', 'billing_city', 'channel', 'country'], rows: loose },
        { columns: ['id', 'city', 'segment'], rows: customers },
        Int32Array.from(link),
      ),
    ).toEqual([]);
    const kept = structuredClone(config);
    kept.tables.customer!.columns.city!.treatment = 'keep';
    expect(
      inheritedColumns(
        kept,
        'invoice',
        'customer',
        { columns: ['id', 'customer_id', 'billing_city', 'channel', 'country'], rows: invoices },
        { columns: ['id', 'city', 'segment'], rows: customers },
        Int32Array.from(link),
      ),
    ).toEqual([]);
  });
});
