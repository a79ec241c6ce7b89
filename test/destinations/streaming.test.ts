import { afterAll, describe, expect, it } from 'vitest';
import { openDestinationWriter, streamingRefusal } from '../../src/data/destinations/streaming-write';
import type { ConstraintMode } from '../../src/shared/config';
import { customers, orders } from '../exporters/fixture';
import { byTable, data, dest, fixtureFor, plan, readAll, removeTmp, tableNames } from './harness';

afterAll(() => removeTmp());

const batch = (table: 'customers' | 'orders', from: number, to: number): { columns: string[]; rows: typeof data.customers } => ({
  columns: (table === 'customers' ? customers : orders).columns.map((c) => c.name),
  rows: byTable[table]!.slice(from, to),
});

describe('rows written into the destination as they are generated', () => {
  const pgFx = fixtureFor('postgres');
  afterAll(() => pgFx.cleanup());

  it('only PostgreSQL destinations take rows as they come', async () => {
    expect(streamingRefusal(dest(await pgFx.spec()), plan)).toBeNull();
    expect(streamingRefusal(dest(await fixtureFor('sqlite').spec()), plan)).toMatch(/only PostgreSQL/);
    expect(streamingRefusal(dest({ kind: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', database: 'x' }), plan)).toMatch(/only PostgreSQL/);
  });

  it.each(['after-load', 'off'] as ConstraintMode[])(
    'constraints %s: tables interleaved batch by batch appear whole at the finish, with their keys as chosen',
    async (constraints) => {
      const spec = await pgFx.spec();
      const w = await openDestinationWriter({ ...dest(spec), constraints }, plan);
      // Children before their parents and tables coming back: nothing is checked until the finish.
      await w.append('orders', batch('orders', 0, 100));
      await w.append('customers', batch('customers', 0, 30));
      await w.append('orders', batch('orders', 100, 150));
      await w.append('customers', batch('customers', 30, 60));
      expect(await tableNames(spec)).toEqual([]);
      const res = await w.finish();
      expect(res).toEqual({ rows: { customers: 60, orders: 150 }, created: ['orders', 'customers'] });
      const back = await readAll(spec);
      expect(back.tables.customers).toEqual(data.customers);
      expect(back.tables.orders).toEqual(data.orders);
      expect(back.keys.pk).toEqual({ customers: ['id'], orders: ['order_id'] });
      expect(back.keys.fks).toEqual(constraints === 'off' ? [] : ['orders(customer_id)->customers(id)']);
    },
  );

  it('an order without its customer fails the finish, naming both tables, and nothing is kept; an abort keeps nothing', async () => {
    const spec = await pgFx.spec();
    const w = await openDestinationWriter(dest(spec), plan);
    await w.append('customers', batch('customers', 1, 60));
    await w.append('orders', batch('orders', 0, 150));
    await expect(w.finish()).rejects.toMatchObject({ code: 'DESTINATION_WRITE_FAILED', message: expect.stringMatching(/"orders".*no parent in "customers"/) });
    expect(await tableNames(spec)).toEqual([]);

    const aborted = await openDestinationWriter(dest(spec), plan);
    await aborted.append('customers', batch('customers', 0, 60));
    await aborted.abort();
    expect(await tableNames(spec)).toEqual([]);
  });
});
