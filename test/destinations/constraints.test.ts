import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDestination } from '../../src/data/destinations/write';
import { constraintModes, synthesisConfigSchema, type ConstraintMode } from '../../src/shared/config';
import type { SourceSpec } from '../../src/shared/source';
import type { TableMeta } from '../../src/shared/metadata';
import { byTable, data, dest, fixtureFor, plan, readAll, reader, removeTmp, tableNames } from './harness';
import { customers, orders, relationships } from '../exporters/fixture';

afterAll(() => removeTmp());

/** The foreign keys and secondary indexes the destination's own catalog lists for `orders`. */
async function ordersKeys(spec: SourceSpec): Promise<{ foreignKeys: string[]; indexes: string[] }> {
  if (spec.kind === 'sqlite') {
    const db = new Database(spec.path, { readonly: true });
    try {
      const fks = db.prepare('select "from" || \'->\' || "table" || \'.\' || "to" as k from pragma_foreign_key_list(\'orders\')').all() as Array<{ k: string }>;
      const idx = db.prepare("select name from pragma_index_list('orders') where origin = 'c'").all() as Array<{ name: string }>;
      return { foreignKeys: fks.map((r) => r.k), indexes: idx.map((r) => r.name) };
    } finally {
      db.close();
    }
  }
  if (spec.kind === 'postgres') {
    const c = new pg.Client({ host: spec.host, port: spec.port, user: spec.user, database: spec.database });
    await c.connect();
    try {
      const fks = await c.query<{ k: string }>(
        `select kcu.column_name || '->' || ccu.table_name || '.' || ccu.column_name as k
           from information_schema.table_constraints tc
           join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
           join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
          where tc.table_schema = 'public' and tc.table_name = 'orders' and tc.constraint_type = 'FOREIGN KEY'`,
      );
      const idx = await c.query<{ indexname: string }>(
        "select indexname from pg_indexes where schemaname = 'public' and tablename = 'orders' and indexname <> 'orders_pkey'",
      );
      return { foreignKeys: fks.rows.map((r) => r.k), indexes: idx.rows.map((r) => r.indexname) };
    } finally {
      await c.end();
    }
  }
  if (spec.kind !== 'mysql') throw new Error('not a database');
  const c = await mysql.createConnection({ host: spec.host, port: spec.port, user: spec.user, database: spec.database });
  try {
    const [fks] = await c.query(
      `select concat(column_name, '->', referenced_table_name, '.', referenced_column_name) as k from information_schema.key_column_usage
        where table_schema = database() and table_name = 'orders' and referenced_table_name is not null`,
    );
    const [idx] = await c.query(
      "select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = 'orders' and index_name <> 'PRIMARY'",
    );
    return { foreignKeys: (fks as Array<{ k: string }>).map((r) => r.k), indexes: (idx as Array<{ name: string }>).map((r) => r.name) };
  } finally {
    await c.end();
  }
}

const expected: Record<ConstraintMode, { foreignKeys: string[]; indexes: string[] }> = {
  'during-load': { foreignKeys: ['customer_id->customers.id'], indexes: ['orders_customer_id_idx'] },
  'after-load': { foreignKeys: ['customer_id->customers.id'], indexes: ['orders_customer_id_idx'] },
  off: { foreignKeys: [], indexes: [] },
};

/** The fixture's orders with some customer ids that no customer has. */
function withOrphans(): typeof byTable {
  return { customers: data.customers, orders: data.orders.map((r, i) => (i % 50 === 7 ? [r[0] ?? null, 90_000 + i, ...r.slice(2)] : r)) };
}

describe('destination constraints', () => {
  it('the config takes the choice, unset means after the load', () => {
    const base = { source: { kind: 'sqlite', path: '/x.sqlite' }, tables: {} };
    const parsed = synthesisConfigSchema.parse({
      ...base,
      destination: { kind: 'database', target: { kind: 'sqlite', path: '/y.sqlite' }, constraints: 'off' },
    });
    expect(parsed.destination).toMatchObject({ constraints: 'off' });
    expect(() =>
      synthesisConfigSchema.parse({ ...base, destination: { kind: 'database', target: { kind: 'sqlite', path: '/y' }, constraints: 'later' } }),
    ).toThrow(/during-load|after-load/);
  });

  describe.each(['sqlite', 'postgres', 'mysql'] as const)('%s', (kind) => {
    const fx = fixtureFor(kind);
    afterAll(() => fx.cleanup());

    it.each(constraintModes)('%s: the foreign key and its index are there as chosen, every row written', async (mode) => {
      const spec = await fx.spec();
      const res = await writeDestination({ ...dest(spec), constraints: mode }, plan, reader(byTable));
      expect(res.rows).toEqual({ customers: 60, orders: 150 });
      expect(await ordersKeys(spec)).toEqual(expected[mode]);
      const back = await readAll(spec);
      expect(back.tables.orders).toEqual(data.orders);
    });

    it.each(constraintModes)('%s: a text key and the FK onto it are created and filled', async (mode) => {
      const spec = await fx.spec();
      const text = (t: TableMeta, col: string): TableMeta => ({
        ...t,
        columns: t.columns.map((c) => (c.name === col ? { ...c, storageType: 'string' as const } : c)),
      });
      const textPlan = { tables: [text(orders, 'customer_id'), text(customers, 'id')], relationships };
      const key = (v: unknown): string | null => (v === null ? null : `C-${String(v).padStart(4, '0')}`);
      const rows = {
        customers: data.customers.map((r) => [key(r[0]), ...r.slice(1)]),
        orders: data.orders.map((r) => [r[0] ?? null, key(r[1]), ...r.slice(2)]),
      };
      const res = await writeDestination({ ...dest(spec), constraints: mode }, textPlan, reader(rows, 40, textPlan.tables.slice().reverse()));
      expect(res.rows).toEqual({ customers: 60, orders: 150 });
      expect((await ordersKeys(spec)).foreignKeys).toEqual(expected[mode].foreignKeys);
      const back = await readAll(spec);
      expect(back.tables.orders!.map((r) => r[1])).toEqual(rows.orders.map((r) => r[1]));
    });

    it.each(constraintModes)('%s: a child row without its parent fails the write and leaves nothing', async (mode) => {
      const spec = await fx.spec();
      const write = writeDestination({ ...dest(spec), constraints: mode }, plan, reader(withOrphans()));
      if (mode === 'during-load') await expect(write).rejects.toMatchObject({ code: 'DESTINATION_WRITE_FAILED' });
      else
        await expect(write).rejects.toMatchObject({
          code: 'DESTINATION_WRITE_FAILED',
          message: expect.stringMatching(
            /3 rows of "orders" \(customer_id\) have no parent in "customers" \(e\.g\. 90007; 90057; 90107\)\. Nothing was written\./,
          ),
        });
      expect(await tableNames(spec)).toEqual([]);
    });

    if (kind !== 'sqlite') {
      it.each(['after-load', 'off'] as const)('%s with two connections: keys as chosen, orphans refused', async (mode) => {
        const spec = await fx.spec();
        await writeDestination({ ...dest(spec, 'create', 2), constraints: mode }, plan, reader(byTable));
        expect(await ordersKeys(spec)).toEqual(expected[mode]);
        const other = await fx.spec();
        await expect(writeDestination({ ...dest(other, 'create', 2), constraints: mode }, plan, reader(withOrphans()))).rejects.toMatchObject({
          message: expect.stringContaining('have no parent in "customers"'),
        });
        expect(await tableNames(other)).toEqual([]);
      });
    }
  });
});
